/** MoonshotBalanceSource against a fake of `GET /v1/users/me/balance`. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MoonshotBalanceSource } from '../../../shared/adapters/balance/moonshot';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure } from '../../factories/fake-balance/expect';
import type { FakeBalanceApi } from '../../factories/fake-balance/http-api';
import { startFakeMoonshot } from '../../factories/fake-balance/http-api';
import { describeHttpFailures } from '../../factories/fake-balance/http-failures';

const API_KEY = 'sk-fakemoonshot0123456789abcdefghij';

let fake: FakeBalanceApi;
const source = new MoonshotBalanceSource();

beforeAll(async () => {
  fake = await startFakeMoonshot({
    apiKey: API_KEY,
    available: '1234.5678901234567',
    voucher: '46.58893',
    cash: '-3.00001',
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'moonshot',
  credentials: { apiKey: API_KEY },
  settings: { endpoint: fake.url },
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the balance', () => {
  it('answers available_balance in CNY (China site) with the float literals kept exact', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '1234.5678901234567',
      currency: 'CNY',
      details: { voucherBalance: '46.58893', cashBalance: '-3.00001' },
    });
  });

  it('answers USD for the international site', async () => {
    const quote = await source.fetchBalance(request({ settings: { endpoint: fake.url, region: 'global' } }));
    expect(quote.currency).toBe('USD');
  });

  it('treats a 200 whose code is not 0 as a failure', async () => {
    fake.setBody('{"code":5,"data":null,"scode":"0x5","status":false}');
    expect(await balanceFailure(source.fetchBalance(request()))).toMatchObject({
      kind: 'upstream',
      message: 'moonshot: request failed (code 0x5)',
    });
  });

  it('sends one GET to the documented path with the key as a Bearer token', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/users/me/balance' });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});

describeHttpFailures({
  source,
  fake: () => fake,
  request,
  wrongCredentials: { apiKey: 'sk-wrong-moonshot-key-00000000' },
  secrets: [API_KEY],
});
