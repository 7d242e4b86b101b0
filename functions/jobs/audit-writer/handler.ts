/**
 * Consumes the `audit-events` queue: records each event idempotently (a redelivered message finds
 * its event already there) and reports failures per message so only those are retried.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { auditEventMessage } from '../../../events/schemas/audit-event';
import { tenancyRepositories } from '../../../shared/adapters/dynamo/repositories';
import { required } from '../../../shared/runtime/env';
import { logger } from '../../../shared/runtime/logger';

const { auditEvents } = tenancyRepositories(required('TABLE_NAME'));

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.resetKeys();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = auditEventMessage.parse(JSON.parse(record.body));
      const outcome = await auditEvents.record(message.event);
      logger.debug('audit event', { messageId: record.messageId, outcome });
    } catch (err) {
      logger.error('audit event not recorded', { messageId: record.messageId, error: err as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
