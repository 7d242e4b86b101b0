/** TencentBillSource (official CommonClient) against a fake that verifies the TC3-HMAC-SHA256 signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TencentBillSource } from '../../../shared/adapters/billing/tencent';
import type { RawBillLine } from '../../../shared/domain/bills/types';
import type { BillFetchRequest } from '../../../shared/ports/billing';
import type { FakeTencent } from '../../factories/fake-billing/tencent';
import { startFakeTencent } from '../../factories/fake-billing/tencent';

const SECRET_ID = 'AKIDfakeSecretId0123456789abcdef';
const SECRET_KEY = 'fakeSecretKey-abcdefghijklmnopqrstuv';

const component = (over: Record<string, unknown> = {}) => ({
  ComponentCodeName: 'CPU',
  ItemCodeName: 'CVM S5 CPU',
  ComponentCode: 'v_cvm_cpu',
  ItemCode: 'sv_cvm_cpu_s5',
  SinglePrice: '0.12',
  PriceUnit: 'CNY/core/hour',
  UsedAmount: '2',
  Cost: '5.76000000',
  Discount: '1',
  RealCost: '5.76000000',
  CashPayAmount: '5.76000000',
  VoucherPayAmount: '0',
  IncentivePayAmount: '0',
  ...over,
});

const detail = (n: number, over: Record<string, unknown> = {}) => ({
  BusinessCodeName: 'Cloud Virtual Machine',
  BusinessCode: 'p_cvm',
  ProductCodeName: 'CVM - Standard S5',
  ProductCode: 'sp_cvm_s5',
  PayModeName: 'Pay-as-you-go',
  RegionName: 'South China (Guangzhou)',
  RegionId: '1',
  ZoneName: 'Guangzhou Zone 3',
  ResourceId: `ins-${String(n).padStart(8, '0')}`,
  ResourceName: `web-${n}`,
  ActionTypeName: 'Pay-as-you-go hourly',
  BillId: `2024030112345${String(n).padStart(6, '0')}`,
  PayTime: '2024-03-02 01:00:00',
  FeeBeginTime: `2024-03-${String((n % 28) + 1).padStart(2, '0')} 00:00:00`,
  FeeEndTime: `2024-03-${String((n % 28) + 1).padStart(2, '0')} 23:59:59`,
  PayerUin: '100000000001',
  OwnerUin: '100000000002',
  OperateUin: '100000000002',
  ProjectId: 0,
  Tags: [],
  ComponentSet: [component()],
  ...over,
});

const DETAILS = [
  detail(0, {
    Tags: [
      { TagKey: 'env', TagValue: 'prod' },
      { TagKey: 'team', TagValue: 'ml' },
    ],
    ComponentSet: [
      component({ RealCost: '12345678901234.12345678', Cost: '99999999999999.99999999' }),
      component({
        ComponentCode: 'v_cvm_mem',
        ItemCode: 'sv_cvm_mem_s5',
        ComponentCodeName: 'Memory',
        RealCost: '0.10000000',
      }),
    ],
  }),
  ...Array.from({ length: 229 }, (_, i) => detail(i + 1)),
];

let fake: FakeTencent;
let source: TencentBillSource;

beforeAll(async () => {
  fake = await startFakeTencent({ secretId: SECRET_ID, secretKey: SECRET_KEY, details: DETAILS });
  source = new TencentBillSource({ connectTo: fake.url });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.setDetails(DETAILS);
  fake.requests.length = 0;
});

const request = (over: Partial<BillFetchRequest> = {}): BillFetchRequest => ({
  provider: 'tencent',
  accountId: '100000000001',
  periodMonth: '2024-03',
  credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
  settings: {},
  ...over,
});

async function collect(req: BillFetchRequest, from = source) {
  const pages: RawBillLine[][] = [];
  for await (const page of from.fetchPages(req)) pages.push(page.lines);
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
  it('pages through Offset/Limit until a short page and maps every component exactly', async () => {
    const { pages, lines } = await collect(request());

    // 230 records, one with two components: 101 + 100 + 30 lines.
    expect(pages.map((p) => p.length)).toEqual([101, 100, 30]);
    expect(lines[0]).toEqual({
      sourceKey: '2024030112345000000|ins-00000000|2024-03-01 00:00:00|v_cvm_cpu|sv_cvm_cpu_s5',
      billingDate: '2024-03-01',
      originalServiceName: 'Cloud Virtual Machine',
      region: 'South China (Guangzhou)',
      resourceId: 'ins-00000000',
      usageAccountId: '100000000002',
      currency: 'CNY',
      amount: '12345678901234.12345678',
      tags: { env: 'prod', team: 'ml' },
      rawPayload: expect.objectContaining({
        BillId: '2024030112345000000',
        ComponentSet: [
          expect.objectContaining({ RealCost: '12345678901234.12345678', Cost: '99999999999999.99999999' }),
        ],
      }),
    });
    expect(lines[1]).toMatchObject({
      amount: '0.10000000',
      sourceKey: expect.stringMatching(/\|v_cvm_mem\|sv_cvm_mem_s5$/),
    });
    expect(lines.slice(2).every((l) => l.amount === '5.76000000' && l.currency === 'CNY')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ resourceId: 'ins-00000229', billingDate: '2024-03-06' });
  });

  it('sends Month, Offset, Limit=100 and the previous Context, signed TC3 for service billing', async () => {
    await collect(request({ settings: { periodType: 'byUsedTime' } }));

    expect(fake.requests.map((r) => r.body)).toEqual([
      { Offset: 0, Limit: 100, Month: '2024-03', PeriodType: 'byUsedTime' },
      { Offset: 100, Limit: 100, Month: '2024-03', PeriodType: 'byUsedTime', Context: 'ctx-100' },
      { Offset: 200, Limit: 100, Month: '2024-03', PeriodType: 'byUsedTime', Context: 'ctx-200' },
    ]);
    const first = fake.requests[0]!;
    expect(first.method).toBe('POST');
    expect(first.headers.host).toBe('billing.tencentcloudapi.com');
    expect(first.headers['x-tc-action']).toBe('DescribeBillDetail');
    expect(first.headers['x-tc-version']).toBe('2018-07-09');
    expect(first.headers.authorization).toMatch(
      new RegExp(
        `^TC3-HMAC-SHA256 Credential=${SECRET_ID}/\\d{4}-\\d{2}-\\d{2}/billing/tc3_request, SignedHeaders=content-type;host, `,
      ),
    );
  });

  it('asks once more after an exactly full page and stops on the empty one', async () => {
    fake.setDetails(DETAILS.slice(0, 200));
    const { pages } = await collect(request());
    expect(pages.map((p) => p.length)).toEqual([101, 100]);
    expect(fake.requests.map((r) => r.body.Offset)).toEqual([0, 100, 200]);
  });

  it('maps Tags, and gives the same unique sourceKeys on every fetch', async () => {
    fake.setDetails([
      DETAILS[0]!,
      detail(1, {
        Tags: [
          { TagKey: 'cost-center', TagValue: 'R&D' },
          { TagKey: 'empty', TagValue: '' },
        ],
      }),
      // The same settlement line reported twice keeps both, with an ordinal.
      detail(1, { Tags: null }),
    ]);
    const first = await collect(request());
    const second = await collect(request());

    expect(first.lines.map((l) => l.tags)).toEqual([
      { env: 'prod', team: 'ml' },
      { env: 'prod', team: 'ml' },
      { 'cost-center': 'R&D', empty: '' },
      {},
    ]);
    const keys = first.lines.map((l) => l.sourceKey);
    expect(second.lines.map((l) => l.sourceKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[3]).toMatch(/#2$/);
  });

  it('uses USD for the international endpoint and honours a configured currency', async () => {
    fake.setDetails(DETAILS.slice(0, 1));
    const intl = await collect(request({ settings: { endpoint: 'billing.intl.tencentcloudapi.com' } }));
    expect(intl.lines.map((l) => l.currency)).toEqual(['USD', 'USD']);
    expect(fake.requests[0]!.headers.host).toBe('billing.intl.tencentcloudapi.com');
    const configured = await collect(request({ settings: { currency: 'HKD' } }));
    expect(configured.lines.map((l) => l.currency)).toEqual(['HKD', 'HKD']);
  });
});

describe('failures', () => {
  it('a wrong SecretKey fails the signature check: AuthFailure.SignatureFailure with the request id, no secret', async () => {
    const wrongKey = 'wrongSecretKey-0000000000000000000000';
    const error = await failure(request({ credentials: { secretId: SECRET_ID, secretKey: wrongKey } }));
    expect(error.message).toMatch(
      /^tencent DescribeBillDetail failed: AuthFailure\.SignatureFailure \(request id [0-9a-f-]{36}\)/,
    );
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(SECRET_KEY);
  });

  it('an unknown SecretId is AuthFailure.SecretIdNotFound', async () => {
    const error = await failure(
      request({ credentials: { secretId: 'AKIDsomeoneElse', secretKey: SECRET_KEY } }),
    );
    expect(error.message).toMatch(/AuthFailure\.SecretIdNotFound \(request id [0-9a-f-]{36}\)/);
  });

  it('throttling, internal errors and a bare 5xx are thrown with their code', async () => {
    fake.setMode('throttled');
    expect((await failure(request())).message).toMatch(/RequestLimitExceeded \(request id [0-9a-f-]{36}\)/);
    fake.setMode('internal_error');
    expect((await failure(request())).message).toMatch(/InternalError \(request id [0-9a-f-]{36}\)/);
    fake.setMode('bad_gateway');
    expect((await failure(request())).message).toMatch(/HTTP 502 \(request id none\)/);
  });

  it('refuses an amount that is not a decimal string instead of guessing', async () => {
    fake.setDetails([detail(1, { ComponentSet: [component({ RealCost: 5.76 })] })]);
    expect((await failure(request())).message).toMatch(/component 0 has an invalid RealCost/);
  });

  it('validates credentials and settings before calling out, without echoing values', async () => {
    const missing = await failure(request({ credentials: { secretId: SECRET_ID } }));
    expect(missing.message).toBe('tencent credentials: secretKey missing');
    const badSettings = await failure(
      request({ settings: { endpoint: 'http://x y', periodType: 'weekly' } }),
    );
    expect(badSettings.message).toBe('tencent settings: endpoint invalid, periodType invalid');
    expect(fake.requests).toHaveLength(0);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(request({ signal: controller.signal }))).rejects.toThrow();
    expect(fake.requests).toHaveLength(0);
  });
});
