/**
 * A cloud-bill sync that keeps failing mid-way, through the local stack: the worker's failure
 * returns the message to the queue, it is received again up to maxReceiveCount (3), the job ends
 * `failed` with the provider's reason on its last attempt, the message lands in the DLQ, and the
 * pages written before each failure are not duplicated. A one-second visibility timeout keeps the
 * three attempts within seconds.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSqsClient } from '../../infra/local/sqs';
import { queues } from '../../infra/manifest';
import { startFakeAliyun, type FakeAliyun } from '../factories/fake-billing/aliyun';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const PERIOD = '2026-10';
let rt: TestRuntime;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
let aliyun: FakeAliyun;

const waitForJob = async (jobId: string, until: (job: any) => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await http.get(`/api/sync-jobs/${jobId}`, { token });
    if (until(body.data)) return body.data;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${JSON.stringify(body.data)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const createAccount = async (body: Record<string, unknown>) => {
  const res = await http.post(`/api/enterprises/${enterpriseId}/cloud-accounts`, body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string };
};

beforeAll(async () => {
  rt = await startTestRuntime({
    queues: { ...queues, 'bill-sync': { visibilityTimeoutSeconds: 1, maxReceiveCount: 3, retentionDays: 1 } },
  });
  http = api(rt.apiUrl);
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const enterprise = await http.post(
    '/api/enterprises',
    { name: 'Retry Co', settings: { reportingCurrency: 'USD' } },
    { token: platform },
  );
  enterpriseId = enterprise.body.data.id;
  token = await rt.mintToken({ subject: 'fin-admin', roles: ['enterprise-admin'], enterpriseId });
  const rates = await http.put(
    `/api/enterprises/${enterpriseId}/exchange-rates/${PERIOD}`,
    { rates: [{ fromCurrency: 'CNY', toCurrency: 'USD', rate: '0.1387' }] },
    { token },
  );
  expect(rates.status, JSON.stringify(rates.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await aliyun?.close();
});

describe('a sync that keeps failing mid-way', () => {
  it('is retried, ends failed with the reason, lands in the DLQ and duplicates no item', async () => {
    aliyun = await startFakeAliyun({ accessKeyId: 'LTAI-test', accessKeySecret: 'secret-test', pageSize: 2 });
    aliyun.setItems([
      {
        BillingDate: '2026-10-01',
        ProductCode: 'ecs',
        ProductName: 'Elastic Compute Service',
        InstanceID: 'i-1',
        Currency: 'CNY',
        PretaxAmount: '12.30',
        Region: 'cn-hangzhou',
        BillingItem: 'instance',
      },
      {
        BillingDate: '2026-10-01',
        ProductCode: 'oss',
        ProductName: 'Object Storage Service',
        InstanceID: 'b-1',
        Currency: 'CNY',
        PretaxAmount: '4.56',
        Region: 'cn-hangzhou',
        BillingItem: 'storage',
      },
      {
        BillingDate: '2026-10-02',
        ProductCode: 'ecs',
        ProductName: 'Elastic Compute Service',
        InstanceID: 'i-1',
        Currency: 'CNY',
        PretaxAmount: '12.30',
        Region: 'cn-hangzhou',
        BillingItem: 'instance',
      },
    ]);
    const account = await createAccount({
      provider: 'aliyun',
      accountId: '1234567890',
      accountName: 'Aliyun main',
      credentials: { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-test' },
      settings: { endpoint: aliyun.url },
    });
    // The first day is served, every later day fails: each attempt dies mid-sync.
    aliyun.failFrom('2026-10-02');
    {
      const queued = await http.post(
        `/api/cloud-accounts/${account.id}/sync`,
        { periodMonth: PERIOD },
        { token },
      );
      const job = await waitForJob(queued.body.data.id, (j) => j.status === 'failed', 60_000);
      expect(job.attempts).toBe(3);
      expect(job.lastError).toMatch(/InternalError/);
      const dlq = await localSqsClient(rt.sqsEndpoint).send(
        new ReceiveMessageCommand({ QueueUrl: rt.queueUrls['bill-sync-dlq']!, WaitTimeSeconds: 2 }),
      );
      expect(dlq.Messages?.map((m) => JSON.parse(m.Body!).jobId)).toContain(job.id);
      const items = await http.get(
        `/api/enterprises/${enterpriseId}/bill-items?periodMonth=${PERIOD}&cloudAccountId=${account.id}`,
        { token },
      );
      // The first page was written three times under the same deterministic ids.
      expect(items.body.data.items.length).toBeLessThanOrEqual(2);
      const ids = items.body.data.items.map((i: any) => i.itemId);
      expect(new Set(ids).size).toBe(ids.length);
    }
  }, 90_000);
});
