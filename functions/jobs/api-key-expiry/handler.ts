/** Scheduled: marks API keys past their expiry as expired (the gateway also checks expiry on every call). */
import { tenancyRepositories } from '../../../shared/adapters/dynamo/repositories';
import { sqsAuditLog } from '../../../shared/adapters/sqs/sqs-audit-log';
import { systemClock } from '../../../shared/ports/clock';
import { required } from '../../../shared/runtime/env';
import { logger } from '../../../shared/runtime/logger';
import { expireDueApiKeys } from '../../../shared/usecases/tenancy';

const { apiKeys } = tenancyRepositories(required('TABLE_NAME'));
const auditLog = sqsAuditLog(required('QUEUE_URL_AUDIT_EVENTS'));

export const handler = async (): Promise<{ expired: number }> => {
  logger.resetKeys();
  const expired = await expireDueApiKeys({ apiKeys, auditLog, clock: systemClock });
  logger.info('api keys expired', { expired });
  return { expired };
};
