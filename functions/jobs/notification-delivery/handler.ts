/**
 * Consumes the `notifications` queue: each message is one alert for one channel, sent with its own
 * retries and recorded in the delivery log. The deliveries of a batch go out side by side, so a
 * channel that keeps failing never holds up the others; only an error of our own (the table, the
 * secret store) returns a message to the queue.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { notificationDeliveryMessage } from '../../../events/schemas/notification-delivery';
import { notificationDeps } from '../../../shared/composition/notifications';
import { logger } from '../../../shared/runtime/logger';
import { deliver } from '../../../shared/usecases/notifications/dispatch';

const deps = notificationDeps();

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.resetKeys();
  const results = await Promise.allSettled(
    event.Records.map(async (record) => {
      const { deliveryId } = notificationDeliveryMessage.parse(JSON.parse(record.body));
      const outcome = await deliver(deps, deliveryId);
      logger.info('notification delivery', { deliveryId, outcome });
    }),
  );
  const batchItemFailures = results.flatMap((result, i) => {
    if (result.status === 'fulfilled') return [];
    logger.error('notification delivery failed', result.reason as Error);
    return [{ itemIdentifier: event.Records[i]!.messageId }];
  });
  return { batchItemFailures };
};
