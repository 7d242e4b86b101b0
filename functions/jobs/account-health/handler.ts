/** Scheduled: probes every enabled AI account, records its health, flips its status and notifies. */
import { dynamoDocumentClient } from '../../../shared/adapters/dynamo/client';
import { buildEntities } from '../../../shared/adapters/dynamo/entities';
import { DynamoHealthRepository } from '../../../shared/adapters/dynamo/health-repository';
import { routingNotifier } from '../../../shared/composition/notifications';
import { tenancyRepositories } from '../../../shared/adapters/dynamo/repositories';
import { providerFor } from '../../../shared/adapters/providers/registry';
import { secretStore } from '../../../shared/adapters/secrets/secret-store';
import { systemClock } from '../../../shared/ports/clock';
import { required } from '../../../shared/runtime/env';
import { logger } from '../../../shared/runtime/logger';
import { checkAccountHealth } from '../../../shared/usecases/account-health';

const tableName = required('TABLE_NAME');
const db = buildEntities(dynamoDocumentClient(), tableName);
const { enterprises, aiAccounts } = tenancyRepositories(tableName, db);
const secrets = secretStore();

export const handler = async () => {
  logger.resetKeys();
  const outcome = await checkAccountHealth({
    enterprises,
    aiAccounts,
    secrets,
    providerFor,
    health: new DynamoHealthRepository(db),
    notifier: routingNotifier(),
    clock: systemClock,
    timeoutMs: 15_000,
    concurrency: 8,
  });
  logger.info('account health checked', outcome);
  return outcome;
};
