/** SiliconFlowBalanceSource against a fake of `GET /v1/user/info`. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SiliconFlowBalanceSource } from '../../../shared/adapters/balance/siliconflow';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure } from '../../factories/fake-balance/expect';
import type { FakeBalanceApi } from '../../factories/fake-balance/http-api';
import { startFakeSiliconFlow } from '../../factories/fake-balance/http-api';
import { describeHttpFailures } from '../../factories/fake-balance/http-failures';

const API_KEY = 'sk-fakesiliconflow0123456789abcdefgh';

let fake: FakeBalanceApi;
const source = new SiliconFlowBalanceSource();

beforeAll(async () => {
  fake = await startFakeSiliconFlow({
    apiKey: API_KEY,
    balance: '0.0000000000000001',
    chargeBalance: '1234.5678901234566',
    totalBalance: '1234.5678901234567',
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'siliconflow',
  credentials: { apiKey: API_KEY },
  settings: { endpoint: fake.url },
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the balance', () => {
  it('answers totalBalance in CNY, with its two parts, digit for digit', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '1234.5678901234567',
      currency: 'CNY',
      details: { balance: '0.0000000000000001', chargeBalance: '1234.5678901234566' },
    });
  });

  it('answers the configured currency', async () => {
    const quote = await source.fetchBalance(request({ settings: { endpoint: fake.url, currency: 'USD' } }));
    expect(quote.currency).toBe('USD');
  });

  it('treats a 200 with status false as a failure', async () => {
    fake.setBody('{"code":30001,"message":"account disabled","status":false,"data":null}');
    expect(await balanceFailure(source.fetchBalance(request()))).toMatchObject({
      kind: 'upstream',
      message: 'siliconflow: request failed (code 30001)',
    });
  });

  it('sends one GET to the documented path with the key as a Bearer token', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/v1/user/info' });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});

describeHttpFailures({
  source,
  fake: () => fake,
  request,
  wrongCredentials: { apiKey: 'sk-wrong-siliconflow-key-0000' },
  secrets: [API_KEY],
});
