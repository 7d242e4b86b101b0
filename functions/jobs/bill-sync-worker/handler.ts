/**
 * Consumes the `bill-sync` queue (batch size 1): runs each queued sync job, or imports a FOCUS file
 * that S3 announced under `focus/<cloudAccountId>/<YYYY-MM>/`. A failure is reported per message, so
 * SQS redelivers it; on its last delivery the job is marked `failed` first, then it goes to the DLQ.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { billSyncMessage, s3FileDropMessage } from '../../../events/schemas/bill-sync';
import { billDeps } from '../../../shared/composition/bills';
import { env } from '../../../shared/runtime/env';
import { logger } from '../../../shared/runtime/logger';
import { enqueueSyncJob, runSyncJob } from '../../../shared/usecases/bills/sync';

const deps = billDeps();
const maxReceives = env().QUEUE_MAX_RECEIVES_BILL_SYNC;
const DROP_KEY = /^focus\/([A-Za-z0-9_-]+)\/(\d{4}-\d{2})\/[^/]+\.csv$/;

/** An S3 drop becomes a job like any other, run in this same delivery. */
const jobsOf = async (body: unknown): Promise<string[]> => {
  const drop = s3FileDropMessage.safeParse(body);
  if (!drop.success) return [billSyncMessage.parse(body).jobId];
  const jobIds: string[] = [];
  for (const record of drop.data.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const match = DROP_KEY.exec(key);
    const account = match ? await deps.store.getCloudAccount(match[1]!) : null;
    if (!match || !account || account.provider !== 'focus') {
      logger.warn('ignored file drop: not under focus/<FOCUS cloud account>/<YYYY-MM>/', { key });
      continue;
    }
    const mode = account.settings.mode === 'skip-row' ? 'skip-row' : 'all-or-nothing';
    const job = await enqueueSyncJob(
      { ...deps, queue: { enqueue: async () => undefined } },
      account,
      match[2]!,
      'file-drop',
      {
        kind: 'store',
        key,
        mode,
      },
    );
    jobIds.push(job.id);
  }
  return jobIds;
};

const processRecord = async (record: SQSRecord): Promise<boolean> => {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
  const delivery = { receiveCount, finalAttempt: receiveCount >= maxReceives };
  let ok = true;
  for (const jobId of await jobsOf(JSON.parse(record.body))) {
    const { outcome, job } = await runSyncJob(deps, jobId, delivery);
    logger.info('bill sync', { jobId, outcome, status: job?.status, summary: job?.summary });
    if (outcome === 'locked' && !delivery.finalAttempt) ok = false;
  }
  return ok;
};

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.resetKeys();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      if (!(await processRecord(record))) batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (err) {
      logger.error('bill sync failed', { messageId: record.messageId, error: err as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
