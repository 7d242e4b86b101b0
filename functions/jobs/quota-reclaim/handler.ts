/**
 * Scheduled: returns the unspent part of quota leases whose gateway instance stopped renewing them
 * (crashed, or a Lambda sandbox frozen and discarded). Gateways also reclaim a counter's expired
 * leases themselves when it refuses a request; this sweep frees the rest between such requests.
 */
import { dynamoDocumentClient } from '../../../shared/adapters/dynamo/client';
import { buildEntities } from '../../../shared/adapters/dynamo/entities';
import { DynamoQuotaLeaseStore } from '../../../shared/adapters/dynamo/quota-lease-store';
import { systemClock } from '../../../shared/ports/clock';
import { env, required } from '../../../shared/runtime/env';
import { logger } from '../../../shared/runtime/logger';

const config = env();
const store = new DynamoQuotaLeaseStore(buildEntities(dynamoDocumentClient(), required('TABLE_NAME')), {
  maxLease: config.GATEWAY_MAX_LEASE,
  leaseTtlMs: config.GATEWAY_LEASE_TTL_MS,
});

export const handler = async (): Promise<{ leases: number; units: number }> => {
  logger.resetKeys();
  const reclaimed = await store.reclaimExpired(systemClock.now().getTime());
  logger.info('quota leases reclaimed', reclaimed);
  return reclaimed;
};
