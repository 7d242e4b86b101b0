/**
 * Composition of the balance monitor, shared by its API and its poll job: the balance store and
 * enterprise lookups in the table, credentials in the secret store, one balance source per provider,
 * the notifier, and the poll settings from the environment.
 */
import { balanceSources, validateBalanceConfig } from '../adapters/balance/registry';
import { buildBalanceEntities } from '../adapters/dynamo/balance-entities';
import { DynamoBalanceStore } from '../adapters/dynamo/balance-store';
import { dynamoDocumentClient } from '../adapters/dynamo/client';
import { buildEntities } from '../adapters/dynamo/entities';
import { routingNotifier } from './notifications';
import { DynamoEnterpriseRepository } from '../adapters/dynamo/tenancy-repositories';
import { secretStore } from '../adapters/secrets/secret-store';
import { systemClock } from '../ports/clock';
import { env, required } from '../runtime/env';
import type { BalanceAdminDeps } from '../usecases/balance/admin';
import { DEFAULT_POLL_SETTINGS } from '../usecases/balance/poll';

export const balanceDeps = (): BalanceAdminDeps => {
  const config = env();
  const table = required('TABLE_NAME');
  const client = dynamoDocumentClient();
  const tenancy = buildEntities(client, table);
  const enterprises = new DynamoEnterpriseRepository(tenancy);
  return {
    store: new DynamoBalanceStore(buildBalanceEntities(client, table)),
    secrets: secretStore(),
    sources: balanceSources(),
    notifier: routingNotifier(),
    clock: systemClock,
    settings: {
      ...DEFAULT_POLL_SETTINGS,
      concurrency: config.BALANCE_POLL_CONCURRENCY,
      timeoutMs: config.BALANCE_POLL_TIMEOUT_MS,
      cacheTtlMs: config.BALANCE_CACHE_TTL_MS,
    },
    enterpriseExists: async (id) => (await enterprises.get(id)) !== null,
    validateConfig: validateBalanceConfig,
    refreshCooldownMs: config.BALANCE_REFRESH_COOLDOWN_MS,
  };
};
