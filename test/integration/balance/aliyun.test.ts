/** AliyunBalanceSource (official BSS OpenAPI SDK) against a fake that verifies the ACS3 signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AliyunBalanceSource } from '../../../shared/adapters/balance/aliyun';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import type { FakeAliyunBalance } from '../../factories/fake-balance/aliyun';
import { DEFAULT_ALIYUN_DATA, startFakeAliyunBalance } from '../../factories/fake-balance/aliyun';
import { abortAfter, balanceFailure, expectNoSecrets } from '../../factories/fake-balance/expect';

const ACCESS_KEY_ID = 'LTAI5tFakeBalanceKey01';
const ACCESS_KEY_SECRET = 'fake-secret-Bal4nce0123456789abcdefgh';

let fake: FakeAliyunBalance;
const source = new AliyunBalanceSource();

beforeAll(async () => {
  fake = await startFakeAliyunBalance({ accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.setData(DEFAULT_ALIYUN_DATA);
  fake.requests.length = 0;
});

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'aliyun',
  credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
  settings: { endpoint: fake.url },
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the balance', () => {
  it('answers Data.AvailableAmount in Data.Currency, with the other amounts as details', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '10000.00',
      currency: 'CNY',
      details: { availableCashAmount: '9000.00', creditAmount: '1000.00', mybankCreditAmount: '0.00' },
    });
  });

  it('keeps every digit, a negative balance (arrears) and another currency', async () => {
    fake.setData({ AvailableAmount: '-1234.5678901234567', Currency: 'USD' });
    expect(await source.fetchBalance(request())).toEqual({
      balance: '-1234.5678901234567',
      currency: 'USD',
      details: {},
    });
  });

  it('reads an amount sent as a JSON number from its literal, never as a float', async () => {
    fake.setData({ AvailableAmount: '1234.5678901234567', Currency: 'CNY' }, ['AvailableAmount']);
    expect((await source.fetchBalance(request())).balance).toBe('1234.5678901234567');
  });

  it('removes correctly grouped thousands separators, exactly', async () => {
    fake.setData({ ...DEFAULT_ALIYUN_DATA, AvailableAmount: '1,234,567.89', CreditAmount: '-12,000.00' });
    expect(await source.fetchBalance(request())).toMatchObject({
      balance: '1234567.89',
      details: { creditAmount: '-12000.00' },
    });
  });

  it('refuses amounts that are not decimals or are wrongly grouped', async () => {
    for (const amount of ['12,34.5', '1.234,56', '', 'NaN']) {
      fake.setData({ ...DEFAULT_ALIYUN_DATA, AvailableAmount: amount });
      expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
    }
  });

  it('sends one signed QueryAccountBalance call (the fake verified the ACS3-HMAC-SHA256 signature)', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent!.method).toBe('POST');
    expect(sent!.path).toBe('/');
    expect(sent!.headers['x-acs-action']).toBe('QueryAccountBalance');
    expect(sent!.headers['x-acs-version']).toBe('2017-12-14');
    expect(sent!.headers.authorization).toMatch(
      new RegExp(`^ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID},SignedHeaders=[^,]+,Signature=[0-9a-f]{64}$`),
    );
  });
});

describe('failures', () => {
  it('maps a signature the fake rejects (wrong secret) to auth, quoting no secret', async () => {
    const wrong = 'wrong-secret-0000000000000000000000';
    const error = await balanceFailure(
      source.fetchBalance(request({ credentials: { accessKeyId: ACCESS_KEY_ID, accessKeySecret: wrong } })),
    );
    expect(error).toMatchObject({ kind: 'auth', options: { status: 400 } });
    expect(error.message).toContain('SignatureDoesNotMatch');
    expectNoSecrets(error, [ACCESS_KEY_SECRET, wrong]);
  });

  it('maps an unknown AccessKey id (404 InvalidAccessKeyId.NotFound) to auth', async () => {
    const error = await balanceFailure(
      source.fetchBalance(
        request({ credentials: { accessKeyId: 'LTAI5tUnknown', accessKeySecret: ACCESS_KEY_SECRET } }),
      ),
    );
    expect(error).toMatchObject({ kind: 'auth', options: { status: 404 } });
    expect(error.message).toContain('InvalidAccessKeyId.NotFound');
  });

  it('maps NotAuthorized (the RAM user may not read the balance) to auth', async () => {
    fake.setMode('not_authorized');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('auth');
  });

  it('maps Success=false on HTTP 200 by its code', async () => {
    fake.setMode('not_success');
    const error = await balanceFailure(source.fetchBalance(request()));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('NotApplicable');
  });

  it('maps Throttling.User to rate_limited', async () => {
    fake.setMode('throttled');
    const error = await balanceFailure(source.fetchBalance(request()));
    expect(error).toMatchObject({ kind: 'rate_limited', options: { status: 400 } });
    expect(error.retryable).toBe(true);
  });

  it('maps 500 InternalError to upstream', async () => {
    fake.setMode('server_error');
    expect(await balanceFailure(source.fetchBalance(request()))).toMatchObject({
      kind: 'upstream',
      options: { status: 500 },
    });
  });

  it('maps a 200 in another shape to invalid_response', async () => {
    fake.setMode('malformed');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
  });

  it('maps an abort (the SDK takes no signal: the call is raced against it) to timeout', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const error = await balanceFailure(source.fetchBalance(request({ signal: abortAfter(100) })));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not call at all with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await balanceFailure(source.fetchBalance(request({ signal: controller.signal })))).kind).toBe(
      'timeout',
    );
    expect(fake.requests).toHaveLength(0);
  });
});
