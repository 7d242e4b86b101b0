/**
 * The local runtime (`npm start`) against the real emulators: every manifest entry is mounted
 * (the local half of the manifest-coverage proof; test/infra covers the synthesized half), the
 * API Gateway adapter speaks payload v2, queues keep SQS/Lambda semantics end to end on fauxqs,
 * SES local stores mail, and DynamoDB Local keeps data across restarts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../infra/local/dynamodb';
import { localSqsClient } from '../../infra/local/sqs';
import type { LocalFunctionDefinition } from '../../infra/local/runtime';
import {
  allRouteKeys,
  functions as manifest,
  queues,
  workflows,
  type FunctionSpec,
} from '../../infra/manifest';
import { ensureTable } from '../../shared/adapters/dynamo/ensure-table';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const specs = manifest as readonly FunctionSpec[];

/** Polls `check` until it returns a value (bounded). */
const eventually = async <T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('manifest mount (real function modules)', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('mounts every manifest route and registers every schedule and queue source', () => {
    expect(rt.mounts()).toEqual([...allRouteKeys()].sort());
    // Scheduled functions, and the workflows whose state machines run on a schedule.
    expect(rt.jobs().sort()).toEqual(
      [...specs.filter((s) => s.schedule).map((s) => s.name), ...Object.keys(workflows)].sort(),
    );
    expect([...rt.consumers()].sort()).toEqual(
      specs
        .filter((s) => s.queueSource)
        .map((s) => `${s.name} <- ${s.queueSource!.queue}`)
        .sort(),
    );
    expect(Object.keys(rt.queueUrls).sort()).toEqual(
      Object.keys(queues)
        .flatMap((q) => [q, `${q}-dlq`])
        .sort(),
    );
  });

  it('serves /health through the system function', async () => {
    const res = await fetch(`${rt.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, data: { status: 'ok' } });
  });

  it('answers an unknown route with the 404 envelope', async () => {
    const res = await fetch(`${rt.apiUrl}/nope/at/all?x=1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      success: false,
      error: { code: 'NOT_FOUND', message: 'No route for GET /nope/at/all' },
    });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await fetch(`${rt.apiUrl}/health`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, OPTIONS');
    expect(await res.json()).toEqual({
      success: false,
      error: { code: 'NOT_FOUND', message: 'No route for DELETE /health' },
    });
  });

  it('runs a scheduled job on demand', async () => {
    // Every manifest job runs cleanly against an empty table.
    for (const job of rt.jobs()) await rt.runJobNow(job);
    await expect(rt.runJobNow('no-such-job')).rejects.toThrow(/No scheduled job/);
  });
});

describe('API Gateway payload v2 adapter (test-only handlers)', () => {
  let rt: TestRuntime;
  const seen: { event: APIGatewayProxyEventV2; context: Context }[] = [];
  const base = { memoryMb: 128, timeoutSeconds: 1, needs: {} } as const;
  const echo: LocalFunctionDefinition = {
    ...base,
    name: 'echo',
    entry: 'test-only',
    description: 'returns what it got',
    routes: [
      { method: 'POST', path: '/items/{itemId}', auth: 'public' },
      { method: 'GET', path: '/items/{itemId}', auth: 'public' },
      { method: 'GET', path: '/items/special', auth: 'public' },
      { method: 'GET', path: '/files/{proxy+}', auth: 'public' },
    ],
    handler: (event, context) => {
      seen.push({ event: event as APIGatewayProxyEventV2, context });
      const e = event as APIGatewayProxyEventV2;
      if (e.rawPath === '/items/special') return { hello: 'plain object' };
      return {
        statusCode: 201,
        headers: { 'x-route': e.routeKey, 'access-control-allow-origin': 'https://evil.example' },
        cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
        body: Buffer.from('binary\u0000ok').toString('base64'),
        isBase64Encoded: true,
      };
    },
  };
  const broken: LocalFunctionDefinition = {
    ...base,
    name: 'broken',
    entry: 'test-only',
    description: 'crashes or hangs',
    routes: [
      { method: 'GET', path: '/crash', auth: 'public' },
      { method: 'GET', path: '/hang', auth: 'public' },
      { method: 'GET', path: '/bad-header', auth: 'public' },
    ],
    handler: async (event) => {
      const { rawPath } = event as APIGatewayProxyEventV2;
      if (rawPath === '/hang') return new Promise(() => undefined);
      if (rawPath === '/bad-header') return { statusCode: 200, headers: { 'x-bad': 'a\nb' }, body: 'x' };
      throw new Error('kaboom at /secret/path.ts:12');
    },
  };

  beforeAll(async () => {
    rt = await startTestRuntime({ functions: [echo, broken] });
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('builds a complete, fresh event per request', async () => {
    seen.length = 0;
    const res = await fetch(`${rt.apiUrl}/items/a%20b?tag=x&tag=y&q=1+2&empty=`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: 'c1=v1; c2=v2',
        'X-Custom': 'Yes',
        'user-agent': 'vitest',
      },
      body: JSON.stringify({ n: 1 }),
    });
    expect(res.status).toBe(201);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('binary\u0000ok');
    expect(res.headers.get('x-route')).toBe('POST /items/{itemId}');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(res.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);

    const { event, context } = seen[0]!;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /items/{itemId}',
      rawPath: '/items/a%20b',
      rawQueryString: 'tag=x&tag=y&q=1+2&empty=',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { tag: 'x,y', q: '1 2', empty: '' },
      pathParameters: { itemId: 'a b' },
      body: '{"n":1}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        stage: '$default',
        routeKey: 'POST /items/{itemId}',
        http: {
          method: 'POST',
          path: '/items/a%20b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
      },
    });
    expect(event.headers['x-custom']).toBe('Yes');
    expect(event.headers['cookie']).toBeUndefined();
    expect(event.requestContext.requestId).toBe(res.headers.get('apigw-requestid'));
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(context.functionName).toBe('tollgate-local-echo');
    expect(context.awsRequestId).toBe(event.requestContext.requestId);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(1_000);

    await fetch(`${rt.apiUrl}/items/b`);
    expect(seen[1]!.event).not.toBe(event);
    expect(seen[1]!.event.requestContext.requestId).not.toBe(event.requestContext.requestId);
    expect(seen[1]!.event.body).toBeUndefined();
    expect(seen[1]!.event.queryStringParameters).toBeUndefined();
  });

  it('base64-encodes binary bodies and prefers literal routes, then greedy ones', async () => {
    seen.length = 0;
    await fetch(`${rt.apiUrl}/items/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255, 1]),
    });
    expect(seen[0]!.event).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from([0, 255, 1]).toString('base64'),
    });

    const special = await fetch(`${rt.apiUrl}/items/special`);
    expect(special.headers.get('content-type')).toBe('application/json');
    expect(await special.json()).toEqual({ hello: 'plain object' });

    await fetch(`${rt.apiUrl}/files/a/b/c.txt`);
    expect(seen.at(-1)!.event).toMatchObject({
      routeKey: 'GET /files/{proxy+}',
      pathParameters: { proxy: 'a/b/c.txt' },
    });
    expect((await fetch(`${rt.apiUrl}/files/`)).status).toBe(404);
  });

  it('answers CORS preflight for known paths and replaces integration CORS headers', async () => {
    const pre = await fetch(`${rt.apiUrl}/items/1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await fetch(`${rt.apiUrl}/unknown`, { method: 'OPTIONS' })).status).toBe(404);

    const res = await fetch(`${rt.apiUrl}/items/1`, { headers: { origin: 'http://localhost:5173' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('etag');
  });

  it('turns a crash into a 500 envelope without the stack, and a timeout into 504', async () => {
    const crash = await fetch(`${rt.apiUrl}/crash`);
    expect(crash.status).toBe(500);
    const text = await crash.text();
    expect(JSON.parse(text)).toEqual({
      success: false,
      error: { code: 'SERVER_ERROR', message: 'Internal server error' },
    });
    expect(text).not.toMatch(/kaboom|secret/);

    const bad = await fetch(`${rt.apiUrl}/bad-header`);
    expect(bad.status).toBe(502);

    const hang = await fetch(`${rt.apiUrl}/hang`);
    expect(hang.status).toBe(504);
    expect(await hang.json()).toMatchObject({ success: false, error: { code: 'TIMEOUT' } });
  });

  it("enforces API Gateway's 10 MB payload limit with 413", async () => {
    const res = await fetch(`${rt.apiUrl}/items/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });

    seen.length = 0;
    const ok = await fetch(`${rt.apiUrl}/items/max`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(10 * 1024 * 1024, 0x61),
    });
    expect(ok.status).toBe(201);
    expect(seen[0]!.event.body).toHaveLength(10 * 1024 * 1024);
  });

  it('stops idempotently', async () => {
    const other = await startTestRuntime({ functions: [] });
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    await expect(fetch(`${other.apiUrl}/health`)).rejects.toThrow();
  });
});

describe('queues on fauxqs (test-only consumer)', () => {
  let rt: TestRuntime;
  const deliveries: SQSRecord[] = [];
  const failedBefore = new Set<string>();
  // A short visibility timeout and maxReceiveCount keep redelivery and the DLQ within seconds.
  const testQueues = {
    'audit-events': { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, retentionDays: 1 },
  };
  const consumer: LocalFunctionDefinition = {
    name: 'test-consumer',
    entry: 'test-only',
    description: 'fails bodies starting with "fail", throws once for "throw-once"',
    queueSource: { queue: 'audit-events', batchSize: 10 },
    memoryMb: 128,
    timeoutSeconds: 1,
    needs: {},
    handler: async (event): Promise<SQSBatchResponse> => {
      const { Records } = event as SQSEvent;
      deliveries.push(...Records);
      if (Records.some((r) => r.body === 'throw-once' && !failedBefore.has(r.messageId))) {
        for (const r of Records) if (r.body === 'throw-once') failedBefore.add(r.messageId);
        throw new Error('transient failure');
      }
      return {
        batchItemFailures: Records.filter((r) => r.body.startsWith('fail')).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    },
  };

  beforeAll(async () => {
    rt = await startTestRuntime({ functions: [consumer], queues: testQueues });
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('delivers a real SQSEvent, redelivers failures and moves them to the DLQ after maxReceiveCount', async () => {
    const sqs = localSqsClient(rt.sqsEndpoint);
    const queueUrl = rt.queueUrls['audit-events']!;
    expect(queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/audit-events$/);
    expect(process.env.QUEUE_URL_AUDIT_EVENTS).toBe(queueUrl);
    const send = (body: string) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: body } },
        }),
      );
    const ok = await send('ok');
    const bad = await send('fail');
    const flaky = await send('throw-once');

    const okRecord = await eventually(() => deliveries.find((r) => r.messageId === ok.MessageId));
    expect(okRecord).toMatchObject({
      body: 'ok',
      md5OfBody: createHash('md5').update('ok').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:audit-events',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.any(String) },
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'ok', stringListValues: [], binaryListValues: [] },
      },
    });
    expect(okRecord.receiptHandle).toBeTruthy();

    // The failing message: received twice (maxReceiveCount 2), then fauxqs moves it to the DLQ.
    const dlqUrl = rt.queueUrls['audit-events-dlq']!;
    const dead = await eventually(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
      );
      return out.Messages?.find((m) => m.MessageId === bad.MessageId);
    });
    expect(dead.Body).toBe('fail');
    const badDeliveries = deliveries.filter((r) => r.messageId === bad.MessageId);
    expect(badDeliveries.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);

    // A batch whose handler throws is redelivered whole; the retry succeeds and is deleted.
    await eventually(() =>
      deliveries.filter((r) => r.messageId === flaky.MessageId).length >= 2 ? true : undefined,
    );
    // Successful messages are deleted: after more than a visibility timeout, no redelivery.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(deliveries.filter((r) => r.messageId === ok.MessageId)).toHaveLength(1);
    expect(deliveries.filter((r) => r.messageId === flaky.MessageId)).toHaveLength(2);
    sqs.destroy();
  });

  it('accepts SES v2 SendEmail and shows it in /store', async () => {
    const ses = new SESv2Client({
      endpoint: rt.sesEndpoint,
      region: 'us-east-1',
      credentials,
      requestHandler: { requestTimeout: 5_000 },
    });
    const subject = `Monthly report ${randomUUID()}`;
    const out = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'reports@tollgate.local',
        Destination: { ToAddresses: ['finance@example.com'] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'Spend is up.' } } } },
      }),
    );
    expect(out.MessageId).toBeTruthy();
    const store = (await (await fetch(`${rt.sesEndpoint}/store`)).json()) as {
      emails: { subject: string }[];
    };
    expect(store.emails.map((e) => e.subject)).toContain(subject);
    expect((await fetch(rt.sesUrl)).status).toBe(200);
    ses.destroy();
  });
});

describe('DynamoDB Local', () => {
  it('keeps data in its dataDir across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-ddb-'));
    const key = { pk: { S: 'PERSIST#1' }, sk: { S: 'A' } };
    try {
      const first = await startDynamoDbLocal({ dataDir });
      try {
        const client = new DynamoDBClient({ endpoint: first.endpoint, region: 'us-east-1', credentials });
        await ensureTable(client, 'persisted');
        await client.send(
          new PutItemCommand({ TableName: 'persisted', Item: { ...key, value: { S: 'kept' } } }),
        );
        client.destroy();
      } finally {
        await first.stop();
      }
      const second = await startDynamoDbLocal({ dataDir });
      try {
        const client = new DynamoDBClient({ endpoint: second.endpoint, region: 'us-east-1', credentials });
        const { Item } = await client.send(new GetItemCommand({ TableName: 'persisted', Key: key }));
        expect(Item?.value).toEqual({ S: 'kept' });
        client.destroy();
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('ensureTable adds a GSI missing from an existing table and is idempotent', async () => {
    // Its own DynamoDB Local: the shared one, loaded by every other test file, can take over a
    // minute to backfill a new index.
    const ddb = await startDynamoDbLocal();
    try {
      const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials });
      const tableName = `old-${randomUUID()}`;
      const keys = (p: string, s: string) => [
        { AttributeName: p, KeyType: 'HASH' as const },
        { AttributeName: s, KeyType: 'RANGE' as const },
      ];
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((n) => ({
            AttributeName: n,
            AttributeType: 'S' as const,
          })),
          KeySchema: keys('pk', 'sk'),
          GlobalSecondaryIndexes: [
            { IndexName: 'gsi1', KeySchema: keys('gsi1pk', 'gsi1sk'), Projection: { ProjectionType: 'ALL' } },
          ],
        }),
      );
      await ensureTable(client, tableName);
      await ensureTable(client, tableName);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(
        Table?.GlobalSecondaryIndexes?.map((i) => [
          i.IndexName,
          i.IndexStatus,
          i.Projection?.ProjectionType,
        ]).sort(),
      ).toEqual([
        ['gsi1', 'ACTIVE', 'ALL'],
        ['gsi2', 'ACTIVE', 'ALL'],
      ]);
      client.destroy();
    } finally {
      await ddb.stop();
    }
  }, 60_000);
});
