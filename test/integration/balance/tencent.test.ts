/** TencentBalanceSource (the SDK's TC3 signer) against a fake that verifies the signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TencentBalanceSource } from '../../../shared/adapters/balance/tencent';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure, expectNoSecrets } from '../../factories/fake-balance/expect';
import type { FakeTencentBalance } from '../../factories/fake-balance/tencent';
import { DEFAULT_TENCENT_AMOUNTS, startFakeTencentBalance } from '../../factories/fake-balance/tencent';

const SECRET_ID = 'AKIDfakeBalanceId0123456789abcdef';
const SECRET_KEY = 'fakeBalanceKey-abcdefghijklmnopqrstu';

let fake: FakeTencentBalance;
let source: TencentBalanceSource;

beforeAll(async () => {
  fake = await startFakeTencentBalance({ secretId: SECRET_ID, secretKey: SECRET_KEY });
  source = new TencentBalanceSource({ connectTo: fake.url });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.setAmounts(DEFAULT_TENCENT_AMOUNTS);
  fake.requests.length = 0;
});

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'tencent',
  credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
  settings: {},
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the balance', () => {
  it('answers RealBalance converted from cents to yuan, with the other amounts as details', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '96474.42',
      currency: 'CNY',
      details: {
        cashAccountBalance: '12998066.68',
        presentAccountBalance: '2095.12',
        freezeAmount: '12903687.38',
        oweAmount: '0',
        creditBalance: '0',
      },
    });
  });

  it('divides Float literals by 100 exactly, negative ones too', async () => {
    fake.setAmounts({ Balance: '123456789012345', RealBalance: '123456789012345.67890123' });
    expect((await source.fetchBalance(request())).balance).toBe('1234567890123.4567890123');
    fake.setAmounts({ Balance: '-1050', RealBalance: '-1050.5' });
    expect((await source.fetchBalance(request())).balance).toBe('-10.505');
  });

  it('falls back to Balance when RealBalance is absent', async () => {
    fake.setAmounts({ Balance: '10000' });
    expect(await source.fetchBalance(request())).toEqual({ balance: '100', currency: 'CNY', details: {} });
  });

  it('answers USD for the international endpoint, or the configured currency', async () => {
    const intl = await source.fetchBalance(
      request({ settings: { endpoint: 'https://billing.intl.tencentcloudapi.com' } }),
    );
    expect(intl.currency).toBe('USD');
    expect(fake.requests.at(-1)!.headers.host).toBe('billing.intl.tencentcloudapi.com');
    expect((await source.fetchBalance(request({ settings: { currency: 'HKD' } }))).currency).toBe('HKD');
  });

  it('sends one signed DescribeAccountBalance call (the fake verified the TC3 signature)', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/', rawBody: '{}' });
    expect(sent!.headers.host).toBe('billing.tencentcloudapi.com');
    expect(sent!.headers['x-tc-action']).toBe('DescribeAccountBalance');
    expect(sent!.headers['x-tc-version']).toBe('2018-07-09');
    expect(sent!.headers['content-type']).toBe('application/json');
    expect(sent!.headers.authorization).toMatch(
      new RegExp(
        `^TC3-HMAC-SHA256 Credential=${SECRET_ID}/\\d{4}-\\d{2}-\\d{2}/billing/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$`,
      ),
    );
  });
});

describe('failures', () => {
  it('maps a signature the fake rejects (wrong key) to auth, quoting no secret', async () => {
    const wrong = 'wrongSecretKey-000000000000000000000';
    const error = await balanceFailure(
      source.fetchBalance(request({ credentials: { secretId: SECRET_ID, secretKey: wrong } })),
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('AuthFailure.SignatureFailure');
    expectNoSecrets(error, [SECRET_KEY, wrong]);
  });

  it('maps AuthFailure.UnauthorizedOperation to auth', async () => {
    fake.setMode('unauthorized');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('auth');
  });

  it('maps RequestLimitExceeded to rate_limited', async () => {
    fake.setMode('throttled');
    const error = await balanceFailure(source.fetchBalance(request()));
    expect(error.kind).toBe('rate_limited');
    expect(error.message).toMatch(/RequestLimitExceeded \(request id [0-9a-f-]{36}\)/);
  });

  it('maps InternalError and a bare 502 to upstream', async () => {
    fake.setMode('internal_error');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('upstream');
    fake.setMode('bad_gateway');
    expect(await balanceFailure(source.fetchBalance(request()))).toMatchObject({
      kind: 'upstream',
      options: { status: 502 },
    });
  });

  it('maps a 200 without a balance to invalid_response', async () => {
    fake.setMode('malformed');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
  });

  it('maps an abort (the per-call timeout) to timeout', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await balanceFailure(source.fetchBalance(request({ signal: abortAfter(100) })));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
