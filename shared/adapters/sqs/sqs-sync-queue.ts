import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { billSyncMessage } from '../../../events/schemas/bill-sync';
import type { SyncQueue } from '../../ports/bills';

/** Queues bill sync jobs on the `bill-sync` queue as versioned messages (events/schemas/bill-sync.ts). */
export class SqsSyncQueue implements SyncQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: { jobId: string }): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(billSyncMessage.parse({ version: 1, ...message })),
      }),
    );
  }
}
