/** AliyunBillSource (official BSS OpenAPI SDK) against a fake that verifies the ACS3 signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AliyunBillSource } from '../../../shared/adapters/billing/aliyun';
import type { RawBillLine } from '../../../shared/domain/bills/types';
import type { BillFetchRequest } from '../../../shared/ports/billing';
import type { FakeAliyun, FakeAliyunItem } from '../../factories/fake-billing/aliyun';
import { startFakeAliyun } from '../../factories/fake-billing/aliyun';

const ACCESS_KEY_ID = 'LTAI5tFakeAccessKey01';
const ACCESS_KEY_SECRET = 'fake-secret-Zx9QwErTy1234567890abcd';

const item = (over: Partial<FakeAliyunItem> & { BillingDate: string }): FakeAliyunItem => ({
  BillAccountID: '1234567890123456',
  BillingItemCode: 'instance_type',
  BillingItem: 'Instance type',
  CommodityCode: 'ecs',
  Currency: 'CNY',
  InstanceID: 'i-bp1abcdefg',
  Item: 'PayAsYouGoBill',
  OwnerID: '1234567890123456',
  PaymentAmount: '1.23',
  PretaxAmount: '1.23',
  PretaxGrossAmount: '1.50',
  ProductCode: 'ecs',
  ProductName: 'Elastic Compute Service',
  Region: 'China (Hangzhou)',
  SubscriptionType: 'PayAsYouGo',
  Tag: '',
  ...over,
});

const ITEMS: FakeAliyunItem[] = [
  item({
    BillingDate: '2024-02-01',
    PretaxAmount: '12345678901234.123456789',
    Tag: 'key:env value:prod; key:team value:ml',
  }),
  item({ BillingDate: '2024-02-01', BillingItemCode: 'systemdisk', PretaxAmount: '0.1' }),
  item({
    BillingDate: '2024-02-01',
    ProductCode: 'oss',
    ProductName: 'Object Storage Service',
    CommodityCode: 'oss',
    InstanceID: 'my-bucket',
    BillingItemCode: 'storage',
    PretaxAmount: '1.5E-7',
    Region: 'China (Shanghai)',
    OwnerID: '2222333344445555',
  }),
  item({ BillingDate: '2024-02-15', Item: 'Refund', PretaxAmount: '-3.30', Currency: 'CNY' }),
  item({
    BillingDate: '2024-02-29',
    ProductCode: 'rds',
    ProductName: '',
    InstanceID: '',
    PretaxAmount: '0.00',
  }),
];

let fake: FakeAliyun;
const source = new AliyunBillSource();

beforeAll(async () => {
  fake = await startFakeAliyun({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    items: ITEMS,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.setItems(ITEMS);
  fake.requests.length = 0;
});

const request = (over: Partial<BillFetchRequest> = {}): BillFetchRequest => ({
  provider: 'aliyun',
  accountId: '1234567890123456',
  periodMonth: '2024-02',
  credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
  settings: { endpoint: fake.url },
  ...over,
});

async function collect(req: BillFetchRequest) {
  const pages: RawBillLine[][] = [];
  for await (const page of source.fetchPages(req)) pages.push(page.lines);
  return { pages, lines: pages.flat() };
}

async function failure(req: BillFetchRequest): Promise<Error> {
  const error = await collect(req).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('fetching', () => {
  it('follows NextToken through every day and maps each item exactly', async () => {
    const { pages, lines } = await collect(request());

    // 2024-02-01 has three items in pages of two; the 15th and 29th one each.
    expect(pages.map((p) => p.length)).toEqual([2, 1, 1, 1]);
    expect(lines.map((l) => l.amount)).toEqual([
      '12345678901234.123456789',
      '0.1',
      '0.00000015',
      '-3.30',
      '0.00',
    ]);
    expect(lines[0]).toEqual({
      sourceKey: '2024-02-01|1234567890123456|ecs|ecs|i-bp1abcdefg|instance_type|PayAsYouGoBill|PayAsYouGo',
      billingDate: '2024-02-01',
      originalServiceName: 'Elastic Compute Service',
      region: 'China (Hangzhou)',
      resourceId: 'i-bp1abcdefg',
      usageAccountId: '1234567890123456',
      currency: 'CNY',
      amount: '12345678901234.123456789',
      tags: { env: 'prod', team: 'ml' },
      rawPayload: expect.objectContaining({
        PretaxAmount: '12345678901234.123456789',
        PaymentAmount: '1.23',
      }),
    });
    expect(lines[2]).toMatchObject({
      originalServiceName: 'Object Storage Service',
      region: 'China (Shanghai)',
      resourceId: 'my-bucket',
      usageAccountId: '2222333344445555',
    });
    // Empty product name and instance fall back to the code / nothing.
    expect(lines[4]).toMatchObject({
      originalServiceName: 'rds',
      resourceId: undefined,
      billingDate: '2024-02-29',
    });
  });

  it('sends the documented parameters: every day of the cycle, DAILY, billable items, 300 a page, the NextToken', async () => {
    await collect(request());
    const calls = fake.calls();

    // 29 days, plus one follow-up page for the 1st.
    expect(calls).toHaveLength(30);
    expect(calls.every((c) => c.BillingCycle === '2024-02' && c.Granularity === 'DAILY')).toBe(true);
    expect(calls.every((c) => c.IsBillingItem === 'true' && c.MaxResults === '300')).toBe(true);
    expect([...new Set(calls.map((c) => c.BillingDate))]).toHaveLength(29);
    expect(calls[0]).not.toHaveProperty('NextToken');
    expect(calls[1]).toMatchObject({ BillingDate: '2024-02-01', NextToken: expect.any(String) });
    expect(calls[2]).toMatchObject({ BillingDate: '2024-02-02' });
    expect(calls[2]).not.toHaveProperty('NextToken');

    const first = fake.requests[0]!;
    expect(first.method).toBe('POST');
    expect(first.headers['x-acs-action']).toBe('DescribeInstanceBill');
    expect(first.headers['x-acs-version']).toBe('2017-12-14');
    expect(first.headers.authorization).toMatch(new RegExp(`^ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID},`));
  });

  it('parses the Tag string into key/value tags', async () => {
    fake.setItems([
      item({
        BillingDate: '2024-02-03',
        Tag: 'key:cost-center value:R&D 42; key:owner value:a:b; key:empty value:',
      }),
      item({ BillingDate: '2024-02-03', BillingItemCode: 'disk' }),
    ]);
    const { lines } = await collect(request());
    expect(lines.map((l) => l.tags)).toEqual([{ 'cost-center': 'R&D 42', owner: 'a:b', empty: '' }, {}]);
  });

  it('gives the same sourceKeys on every fetch, unique even for rows that share every identifying field', async () => {
    fake.setItems([...ITEMS, item({ BillingDate: '2024-02-15', Item: 'Refund', PretaxAmount: '-1.00' })]);
    const first = (await collect(request())).lines.map((l) => l.sourceKey);
    const second = (await collect(request())).lines.map((l) => l.sourceKey);

    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(first).toContain(
      '2024-02-15|1234567890123456|ecs|ecs|i-bp1abcdefg|instance_type|Refund|PayAsYouGo#2',
    );
  });

  it('stops at today for the current month: later days have no bill yet', async () => {
    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    await collect(request({ periodMonth: month }));
    expect(
      fake
        .calls()
        .map((c) => c.BillingDate)
        .at(-1),
    ).toBe(now.toISOString().slice(0, 10));
  });
});

describe('failures', () => {
  it('a wrong secret is rejected by the signature check; the error names the code and request id, never the secret', async () => {
    const wrongSecret = 'wrong-secret-0000000000000000000000';
    const error = await failure(
      request({ credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: wrongSecret } }),
    );
    expect(error.message).toMatch(/SignatureDoesNotMatch \(HTTP 400, request id [0-9A-F-]{36}\)/);
    expect(error.message).not.toContain(wrongSecret);
    expect(error.message).not.toContain(ACCESS_KEY_SECRET);
    expect(fake.requests).toHaveLength(1);
  });

  it('an unknown AccessKey ID is InvalidAccessKeyId.NotFound', async () => {
    const error = await failure(
      request({ credentials: { accessKeyId: 'LTAI5tSomeoneElse', accessKeySecret: ACCESS_KEY_SECRET } }),
    );
    expect(error.message).toMatch(/InvalidAccessKeyId\.NotFound \(HTTP 404, request id /);
  });

  it('throttling and server errors are thrown with the provider code', async () => {
    fake.setMode('throttled');
    expect((await failure(request())).message).toMatch(
      /Throttling\.User \(HTTP 400, request id [0-9A-F-]{36}\)/,
    );
    fake.setMode('server_error');
    expect((await failure(request())).message).toMatch(
      /InternalError \(HTTP 500, request id [0-9A-F-]{36}\)/,
    );
  });

  it('an HTTP 200 answer with Success=false is an error too', async () => {
    fake.setMode('not_success');
    expect((await failure(request())).message).toMatch(/InvalidParameter \(request id [0-9A-F-]{36}\)/);
  });

  it('validates credentials and settings before calling out, without echoing values', async () => {
    const missing = await failure(request({ credentials: { accessKeyId: ACCESS_KEY_ID } }));
    expect(missing.message).toBe('aliyun credentials: accessKeySecret missing');
    const blank = await failure(
      request({ credentials: { accessKeyId: '  ', accessKeySecret: ACCESS_KEY_SECRET } }),
    );
    expect(blank.message).toBe('aliyun credentials: accessKeyId missing');
    expect(blank.message).not.toContain(ACCESS_KEY_SECRET);
    expect((await failure(request({ periodMonth: '2024-13' }))).message).toMatch(/not YYYY-MM/);
    expect(fake.requests).toHaveLength(0);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(request({ signal: controller.signal }))).rejects.toThrow();
    expect(fake.requests).toHaveLength(0);
  });
});
