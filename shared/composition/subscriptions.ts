/**
 * Composition of the subscription renewals: the subscription store and enterprise lookups in the
 * table for the API, and the same store with the routing notifier for the daily reminder job.
 */
import { dynamoDocumentClient } from '../adapters/dynamo/client';
import { buildEntities } from '../adapters/dynamo/entities';
import { buildSubscriptionEntities } from '../adapters/dynamo/subscription-entities';
import { DynamoSubscriptionStore } from '../adapters/dynamo/subscription-store';
import { DynamoEnterpriseRepository } from '../adapters/dynamo/tenancy-repositories';
import { systemClock } from '../ports/clock';
import { required } from '../runtime/env';
import type { RenewalJobDeps, SubscriptionDeps } from '../usecases/balance/subscriptions';
import { routingNotifier } from './notifications';

const subscriptionStore = () =>
  new DynamoSubscriptionStore(buildSubscriptionEntities(dynamoDocumentClient(), required('TABLE_NAME')));

export const subscriptionDeps = (): SubscriptionDeps => {
  const enterprises = new DynamoEnterpriseRepository(
    buildEntities(dynamoDocumentClient(), required('TABLE_NAME')),
  );
  return {
    store: subscriptionStore(),
    clock: systemClock,
    enterpriseExists: async (id) => (await enterprises.get(id)) !== null,
  };
};

/** The reminder job's (it needs `sendTo: ['notifications']`). */
export const renewalJobDeps = (): RenewalJobDeps => ({
  store: subscriptionStore(),
  notifier: routingNotifier(),
  clock: systemClock,
});
