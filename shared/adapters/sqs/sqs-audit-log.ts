import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AuditEvent, AuditLog } from '../../ports/tenancy';
import { auditEventMessage } from '../../../events/schemas/audit-event';

/** Sends audit events to the `audit-events` queue as versioned messages (events/schemas/audit-event.ts). */
export class SqsAuditLog implements AuditLog {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(event: AuditEvent): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(auditEventMessage.parse({ version: 1, event })),
      }),
    );
  }
}

export const sqsAuditLog = (queueUrl: string): AuditLog => new SqsAuditLog(new SQSClient({}), queueUrl);
