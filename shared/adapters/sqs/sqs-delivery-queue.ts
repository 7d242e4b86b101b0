import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { notificationDeliveryMessage } from '../../../events/schemas/notification-delivery';
import type { DeliveryQueue } from '../../ports/channels';

/** SQS takes at most ten messages per SendMessageBatch. */
const BATCH = 10;

/** Queues deliveries on the `notifications` queue as versioned messages, ten per request. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(deliveryIds: string[]): Promise<void> {
    for (let at = 0; at < deliveryIds.length; at += BATCH) {
      const batch = deliveryIds.slice(at, at + BATCH);
      const { Failed } = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((deliveryId, i) => ({
            Id: String(i),
            MessageBody: JSON.stringify(notificationDeliveryMessage.parse({ version: 1, deliveryId })),
          })),
        }),
      );
      if (Failed && Failed.length > 0)
        throw new Error(`${Failed.length} deliveries could not be queued: ${Failed[0]!.Code ?? 'unknown'}`);
    }
  }
}
