/** DeepSeekBalanceSource against a fake of `GET /user/balance`. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeepSeekBalanceSource } from '../../../shared/adapters/balance/deepseek';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure } from '../../factories/fake-balance/expect';
import type { DeepSeekBalanceInfo, FakeBalanceApi } from '../../factories/fake-balance/http-api';
import { startFakeDeepSeek } from '../../factories/fake-balance/http-api';
import { describeHttpFailures } from '../../factories/fake-balance/http-failures';

const API_KEY = 'sk-fakedeepseek0123456789abcdefWXYZ';
const INFOS: DeepSeekBalanceInfo[] = [
  { currency: 'CNY', total_balance: '110.00', granted_balance: '10.00', topped_up_balance: '100.00' },
  {
    currency: 'USD',
    total_balance: '1234.5678901234567',
    granted_balance: '0.0000000000000001',
    topped_up_balance: '1234.5678901234566',
  },
];

let fake: FakeBalanceApi;
const source = new DeepSeekBalanceSource();

beforeAll(async () => {
  fake = await startFakeDeepSeek({ apiKey: API_KEY, balanceInfos: INFOS });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'deepseek',
  credentials: { apiKey: API_KEY },
  settings: { endpoint: fake.url },
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the balance', () => {
  it('answers the first entry by default, strings kept digit for digit', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '110.00',
      currency: 'CNY',
      details: { grantedBalance: '10.00', toppedUpBalance: '100.00' },
    });
  });

  it('answers the entry of the configured currency', async () => {
    expect(await source.fetchBalance(request({ settings: { endpoint: fake.url, currency: 'USD' } }))).toEqual(
      {
        balance: '1234.5678901234567',
        currency: 'USD',
        details: { grantedBalance: '0.0000000000000001', toppedUpBalance: '1234.5678901234566' },
      },
    );
  });

  it('reads amounts sent as JSON numbers (an earlier revision of the reference) exactly', async () => {
    fake.setBody(
      '{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":1234.5678901234567,"granted_balance":0,"topped_up_balance":1234.5678901234567}]}',
    );
    expect((await source.fetchBalance(request())).balance).toBe('1234.5678901234567');
  });

  it('is invalid_response when the configured currency has no entry, or there is none', async () => {
    fake.setBody(JSON.stringify({ is_available: true, balance_infos: [INFOS[0]] }));
    const missing = await balanceFailure(
      source.fetchBalance(request({ settings: { endpoint: fake.url, currency: 'USD' } })),
    );
    expect(missing).toMatchObject({
      kind: 'invalid_response',
      message: 'deepseek: balance_infos has no USD entry',
    });
    fake.setBody('{"is_available":false,"balance_infos":[]}');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
  });

  it('sends one GET to the documented path with the key as a Bearer token', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/user/balance' });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});

describeHttpFailures({
  source,
  fake: () => fake,
  request,
  // DeepSeek's 401 message quotes the key's last four characters; the error must not.
  wrongCredentials: { apiKey: 'sk-wrongdeepseekkey000000000QRST' },
  secrets: [API_KEY, '****QRST'],
});
