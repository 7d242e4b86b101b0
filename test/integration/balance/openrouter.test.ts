/** OpenRouterBalanceSource against a fake of `GET /api/v1/credits`. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenRouterBalanceSource } from '../../../shared/adapters/balance/openrouter';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure } from '../../factories/fake-balance/expect';
import type { FakeBalanceApi } from '../../factories/fake-balance/http-api';
import { startFakeOpenRouter } from '../../factories/fake-balance/http-api';
import { describeHttpFailures } from '../../factories/fake-balance/http-failures';

const API_KEY = 'sk-or-v1-fake0123456789abcdef0123456789abcdef';
const CREDITS = '1234.5678901234567';
const USAGE = '25.75';

let fake: FakeBalanceApi;
const source = new OpenRouterBalanceSource();

beforeAll(async () => {
  fake = await startFakeOpenRouter({ apiKey: API_KEY, totalCredits: CREDITS, totalUsage: USAGE });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'openrouter',
  credentials: { apiKey: API_KEY },
  settings: { endpoint: fake.url },
  signal: abortAfter(5_000),
  ...over,
});

describe('reading the credits', () => {
  it('answers total_credits − total_usage in USD, computed exactly from the number literals', async () => {
    expect(await source.fetchBalance(request())).toEqual({
      balance: '1208.8178901234567',
      currency: 'USD',
      details: { totalCredits: '1234.5678901234567', totalUsage: '25.75' },
    });
  });

  it('spells out exponent literals and keeps a negative remainder', async () => {
    fake.setBody('{"data":{"total_credits":1E+1,"total_usage":10.000000000000000001}}');
    expect(await source.fetchBalance(request())).toMatchObject({
      balance: '-0.000000000000000001',
      details: { totalCredits: '10', totalUsage: '10.000000000000000001' },
    });
  });

  it('sends one GET to the documented path with the key as a Bearer token', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent).toMatchObject({ method: 'GET', path: '/api/v1/credits' });
    expect(sent!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent!.headers.accept).toBe('application/json');
  });

  it('refuses an amount that is not a number', async () => {
    fake.setBody('{"data":{"total_credits":"a lot","total_usage":1}}');
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
  });
});

describeHttpFailures({
  source,
  fake: () => fake,
  request,
  wrongCredentials: { apiKey: 'sk-or-v1-wrong-key-000000000000' },
  secrets: [API_KEY],
});
