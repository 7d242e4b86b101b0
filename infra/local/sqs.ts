/**
 * SQS for the local runtime: fauxqs in-process on 127.0.0.1, every manifest queue with its DLQ, and
 * one consumer loop per queue-triggered function that behaves like Lambda's SQS event source
 * mapping (batches, partial batch failures, redelivery after the visibility timeout, DLQ after
 * maxReceiveCount).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type {
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { queues as manifestQueues } from '../manifest';
import { errorMessage, invokeLambda, LOCAL_REGION, type LocalFunction } from './lambda';

export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
}

export interface LocalSqsOptions {
  /** 0 or undefined: a free port. */
  port?: number;
  /** Queues to create, each with `<name>-dlq`; the manifest's by default. */
  queues?: Readonly<Record<string, QueueSettings>>;
}

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface LocalSqs {
  readonly endpoint: string;
  readonly queues: Readonly<Record<string, LocalQueue>>;
  /** Queue URL by queue name (DLQs under `<name>-dlq`). */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** A client for this endpoint (tests, the runtime's own helpers). */
  readonly client: SQSClient;
  stop(): Promise<void>;
}

const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** ReceiveMessage returns at most 10; Lambda batches larger ones over several receives, we do not. */
const MAX_RECEIVE = 10;
/** Short long-poll so stop() is quick even if an abort is missed. */
const WAIT_SECONDS = 1;

type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;

/**
 * fauxqs names queue URLs `http://sqs.<region>.localhost:<port>/...`, and the SQS client sends each
 * call to its QueueUrl's host, which does not resolve here. With the store's `host` cleared, fauxqs
 * builds URLs from the request's Host header instead (`http://127.0.0.1:<port>/...`), so functions
 * work with a plain `new SQSClient({})`. fauxqs exports no store classes, so they are imported from
 * its dist (fauxqs is pinned in package.json).
 */
const storesWithRequestHost = async (): Promise<Stores> => {
  const dirs = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  const root = dirs.map((dir) => join(dir, 'fauxqs')).find((dir) => existsSync(join(dir, 'package.json')));
  if (!root) throw new Error('fauxqs is not installed (npm ci)');
  const load = async <T>(path: string, name: string): Promise<new () => T> =>
    ((await import(pathToFileURL(join(root, 'dist', path)).href)) as Record<string, new () => T>)[name]!;
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    load<Stores['sqsStore']>('sqs/sqsStore.js', 'SqsStore'),
    load<Stores['snsStore']>('sns/snsStore.js', 'SnsStore'),
    load<Stores['s3Store']>('s3/s3Store.js', 'S3Store'),
  ]);
  const sqsStore = new SqsStore();
  sqsStore.host = '';
  sqsStore.region = LOCAL_REGION;
  return { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() };
};

export const localSqsClient = (endpoint: string): SQSClient =>
  new SQSClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const createQueue = async (client: SQSClient, name: string, attributes: Record<string, string>) => {
  const { QueueUrl: url } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!url || !Attributes?.QueueArn) throw new Error(`fauxqs did not create queue ${name}`);
  return { url, arn: Attributes.QueueArn };
};

/** Starts fauxqs on 127.0.0.1 and creates every queue with its DLQ, as the jobs stack does in AWS. */
export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const app = buildApp({ logger: false, defaultRegion: LOCAL_REGION, stores: await storesWithRequestHost() });
  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const endpoint = new URL(address).origin;
  const client = localSqsClient(endpoint);

  try {
    const created: Record<string, LocalQueue> = {};
    for (const [name, spec] of Object.entries(options.queues ?? manifestQueues)) {
      const dlq = await createQueue(client, `${name}-dlq`, {
        MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
      });
      const queue = await createQueue(client, name, {
        VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(spec.retentionDays * 24 * 3600),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: spec.maxReceiveCount,
        }),
      });
      created[name] = { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
    }
    const queueUrls = Object.fromEntries(
      Object.entries(created).flatMap(([name, q]) => [
        [name, q.url],
        [`${name}-dlq`, q.dlqUrl],
      ]),
    );
    return {
      endpoint,
      queues: created,
      queueUrls,
      client,
      stop: async () => {
        client.destroy();
        await app.close();
      },
    };
  } catch (err) {
    client.destroy();
    await app.close();
    throw err;
  }
}

// ---- the event source mapping ----

const toMessageAttributes = (
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue !== undefined && {
          binaryValue: Buffer.from(value.BinaryValue).toString('base64'),
        }),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      },
    ]),
  );

/** The records Lambda hands to a function for a received batch. */
export const toSqsEvent = (messages: readonly Message[], queueArn: string): SQSEvent => ({
  Records: messages.map((m): SQSRecord => ({
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ...m.Attributes } as unknown as SQSRecordAttributes,
    messageAttributes: toMessageAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? '',
    ...(m.MD5OfMessageAttributes && { md5OfMessageAttributes: m.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  })),
});

/**
 * Message ids to leave on the queue, by Lambda's ReportBatchItemFailures rules: no response or an
 * empty/absent list is full success; an item without a valid id of this batch fails the whole batch.
 */
export const failedMessageIds = (result: unknown, messageIds: readonly string[]): Set<string> => {
  const all = new Set(messageIds);
  if (result === undefined || result === null) return new Set();
  if (typeof result !== 'object') return all;
  const failures = (result as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
};

export interface QueueConsumersOptions {
  client: SQSClient;
  queues: Readonly<Record<string, LocalQueue>>;
  functions: readonly LocalFunction[];
  log?: (line: string) => void;
}

export interface QueueConsumers {
  /** `<function> <- <queue>` for every running loop. */
  readonly consumers: readonly string[];
  stop(): Promise<void>;
}

/** One long-polling loop per function with a `queueSource`. */
export function startQueueConsumers(options: QueueConsumersOptions): QueueConsumers {
  const log = options.log ?? (() => undefined);
  const controller = new AbortController();
  const { signal } = controller;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  const consume = async (fn: LocalFunction, queueName: string, queue: LocalQueue, batchSize: number) => {
    const { client } = options;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.min(Math.max(batchSize, 1), MAX_RECEIVE),
            WaitTimeSeconds: WAIT_SECONDS,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (signal.aborted) return;
        log(`[sqs] ${queueName}: receive failed: ${errorMessage(err)}`);
        await pause(1_000);
        continue;
      }
      if (messages.length === 0) continue;

      const ids = messages.map((m) => m.MessageId ?? '');
      let failed: Set<string>;
      try {
        const result = await invokeLambda(fn, toSqsEvent(messages, queue.arn));
        failed = failedMessageIds(result, ids);
      } catch (err) {
        log(`[sqs] ${fn.spec.name}: batch of ${messages.length} failed: ${errorMessage(err)}`);
        failed = new Set(ids);
      }
      if (failed.size > 0)
        log(`[sqs] ${fn.spec.name}: ${failed.size}/${messages.length} left for redelivery`);

      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length === 0) continue;
      try {
        // No abort signal: a processed batch is deleted even while stopping.
        const out = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        for (const failure of out.Failed ?? [])
          log(`[sqs] ${queueName}: delete failed: ${failure.Message ?? failure.Code}`);
      } catch (err) {
        log(`[sqs] ${queueName}: delete failed: ${errorMessage(err)}`);
      }
    }
  };

  const loops: Promise<void>[] = [];
  const consumers: string[] = [];
  for (const fn of options.functions) {
    const source = fn.spec.queueSource;
    if (!source) continue;
    const queue = options.queues[source.queue];
    if (!queue) throw new Error(`${fn.spec.name}: queue ${source.queue} was not created`);
    consumers.push(`${fn.spec.name} <- ${source.queue}`);
    loops.push(consume(fn, source.queue, queue, source.batchSize));
  }

  return {
    consumers,
    stop: async () => {
      controller.abort();
      await Promise.allSettled(loops);
    },
  };
}
