/**
 * Composition of notifications, shared by every function that raises alerts and by the channel API
 * and delivery worker: the alert log, channels and deliveries in the table, channel secrets in the
 * secret store, the `notifications` queue, and one sender per channel type (SES for e-mail).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoDocumentClient } from '../adapters/dynamo/client';
import { buildEntities } from '../adapters/dynamo/entities';
import { buildNotificationEntities } from '../adapters/dynamo/notification-entities';
import { DynamoNotificationStore } from '../adapters/dynamo/notification-store';
import { DynamoEnterpriseRepository } from '../adapters/dynamo/tenancy-repositories';
import { channelSenders, validateChannelConfig } from '../adapters/notify/registry';
import { secretStore } from '../adapters/secrets/secret-store';
import { SqsDeliveryQueue } from '../adapters/sqs/sqs-delivery-queue';
import { systemClock } from '../ports/clock';
import type { Notifier } from '../ports/notifications';
import { env, required } from '../runtime/env';
import type { NotificationAdminDeps } from '../usecases/notifications/admin';
import { DEFAULT_DELIVERY_SETTINGS, RoutingNotifier } from '../usecases/notifications/dispatch';

const store = () => {
  const client = dynamoDocumentClient();
  const table = required('TABLE_NAME');
  return new DynamoNotificationStore(buildNotificationEntities(client, table), buildEntities(client, table));
};

/** The notifier of a function that raises alerts (it needs `sendTo: ['notifications']`). */
export const routingNotifier = (): Notifier =>
  new RoutingNotifier({
    store: store(),
    queue: new SqsDeliveryQueue(new SQSClient({}), required('QUEUE_URL_NOTIFICATIONS')),
    clock: systemClock,
  });

/** What the channel API and the delivery worker need. */
export const notificationDeps = (): NotificationAdminDeps => {
  const config = env();
  const policy = { allowLoopbackHttp: config.NOTIFY_ALLOW_LOOPBACK_HTTP };
  const tenancy = buildEntities(dynamoDocumentClient(), required('TABLE_NAME'));
  const enterprises = new DynamoEnterpriseRepository(tenancy);
  return {
    store: store(),
    secrets: secretStore(),
    // One attempt per send: the delivery use case owns retries and backoff.
    senders: channelSenders(
      { client: new SESv2Client({ maxAttempts: 1 }), from: config.NOTIFY_FROM_ADDRESS },
      policy,
    ),
    clock: systemClock,
    settings: DEFAULT_DELIVERY_SETTINGS,
    enterpriseExists: async (id) => (await enterprises.get(id)) !== null,
    validateChannel: (type, settings, secret) => validateChannelConfig(type, settings, secret, policy),
  };
};
