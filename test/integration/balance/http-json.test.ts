/** HttpJsonBalanceSource: JSONPath selection against a fake JSON balance endpoint. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpJsonBalanceSource } from '../../../shared/adapters/balance/http-json';
import type { BalanceFetchRequest } from '../../../shared/ports/balance';
import { abortAfter, balanceFailure } from '../../factories/fake-balance/expect';
import type { FakeBalanceApi } from '../../factories/fake-balance/http-api';
import { startFakeBalanceApi } from '../../factories/fake-balance/http-api';
import { describeHttpFailures } from '../../factories/fake-balance/http-failures';
import { startRecordingServer } from '../../factories/fake-upstream';

const API_KEY = 'acct-key-0123456789abcdef0123456789';
const PATH = '/billing/v2/balance';
const BODY = `{
  "account": {
    "id": "acct_42",
    "wallets": [
      { "currency": "usd", "kind": "cash", "amount": 1234.5678901234567 },
      { "currency": "eur", "kind": "cash", "amount": "99.10" },
      { "currency": "usd", "kind": "bonus", "amount": 5e-3 }
    ]
  }
}`;

let fake: FakeBalanceApi;
const source = new HttpJsonBalanceSource();

beforeAll(async () => {
  fake = await startFakeBalanceApi({
    path: PATH,
    authorized: (request) => request.headers['x-api-key'] === API_KEY,
    body: BODY,
    errorBody: (status) => JSON.stringify({ error: { status } }),
    malformedBody: '{"account":{"wallets":[]}}',
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const credentials = { headers: JSON.stringify({ 'X-Api-Key': API_KEY }) };
const request = (over: Partial<BalanceFetchRequest> = {}): BalanceFetchRequest => ({
  provider: 'http-json',
  credentials,
  settings: {
    url: `${fake.url}${PATH}`,
    balancePath: '$.account.wallets[0].amount',
    currencyPath: '$.account.wallets[0].currency',
  },
  signal: abortAfter(5_000),
  ...over,
});
const withSettings = (settings: Record<string, string>) =>
  request({ settings: { url: `${fake.url}${PATH}`, ...settings } });

describe('selecting the balance', () => {
  it('reads a nested number exactly and the currency by path, upper-cased', async () => {
    expect(await source.fetchBalance(request())).toEqual({ balance: '1234.5678901234567', currency: 'USD' });
  });

  it('selects with array filters, on strings and on numbers, keeping the literal digits', async () => {
    const euro = await source.fetchBalance(
      withSettings({
        balancePath: "$.account.wallets[?@.currency == 'eur' && @.kind == 'cash'].amount",
        currencyPath: "$.account.wallets[?@.currency == 'eur' && @.kind == 'cash'].currency",
      }),
    );
    expect(euro).toEqual({ balance: '99.10', currency: 'EUR' });

    const large = await source.fetchBalance(
      withSettings({ balancePath: '$.account.wallets[?@.amount > 1000].amount', currency: 'USD' }),
    );
    expect(large.balance).toBe('1234.5678901234567');

    const bonus = await source.fetchBalance(
      withSettings({ balancePath: "$.account.wallets[?@.kind == 'bonus'].amount", currency: 'USD' }),
    );
    expect(bonus.balance).toBe('0.005');
  });

  it('uses the fixed currency when no currencyPath is set', async () => {
    const quote = await source.fetchBalance(
      withSettings({ balancePath: "$['account']['wallets'][1]['amount']", currency: 'EUR' }),
    );
    expect(quote).toEqual({ balance: '99.10', currency: 'EUR' });
  });

  it('is invalid_response when a path selects nothing', async () => {
    const error = await balanceFailure(
      source.fetchBalance(withSettings({ balancePath: '$.account.credit', currency: 'USD' })),
    );
    expect(error).toMatchObject({
      kind: 'invalid_response',
      message: 'http-json: balancePath selected 0 values; exactly one is needed',
    });
  });

  it('is invalid_response when a path selects several values', async () => {
    const error = await balanceFailure(
      source.fetchBalance(
        withSettings({ balancePath: "$.account.wallets[?@.currency == 'usd'].amount", currency: 'USD' }),
      ),
    );
    expect(error.message).toBe('http-json: balancePath selected 2 values; exactly one is needed');
    const currencies = await balanceFailure(
      source.fetchBalance(
        withSettings({ balancePath: '$.account.wallets[0].amount', currencyPath: '$..currency' }),
      ),
    );
    expect(currencies).toMatchObject({
      kind: 'invalid_response',
      message: expect.stringContaining('currencyPath selected 3'),
    });
  });

  it('is invalid_response when the selection is not a number or not a currency code', async () => {
    const cases: Record<string, string>[] = [
      { balancePath: '$.account', currency: 'USD' },
      { balancePath: '$.account.id', currency: 'USD' },
      { balancePath: '$.account.wallets[0].amount', currencyPath: '$.account.id' },
    ];
    for (const settings of cases) {
      expect((await balanceFailure(source.fetchBalance(withSettings(settings)))).kind).toBe(
        'invalid_response',
      );
    }
  });
});

describe('the request', () => {
  it('sends one GET with the configured headers and asks for JSON', async () => {
    await source.fetchBalance(request());
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent).toMatchObject({ method: 'GET', path: PATH, rawBody: '' });
    expect(sent!.headers['x-api-key']).toBe(API_KEY);
    expect(sent!.headers.accept).toBe('application/json');
  });

  it('POSTs the configured JSON body', async () => {
    const post = await startFakeBalanceApi({
      method: 'POST',
      path: '/query',
      authorized: (recorded) => recorded.headers.authorization === `Bearer ${API_KEY}`,
      body: '{"result":{"balance":"42.00","unit":"CNY"}}',
      errorBody: () => '{}',
    });
    try {
      const quote = await source.fetchBalance({
        provider: 'http-json',
        credentials: { headers: JSON.stringify({ Authorization: `Bearer ${API_KEY}` }) },
        settings: {
          url: `${post.url}/query`,
          method: 'POST',
          body: '{"account":"acct_42"}',
          balancePath: '$.result.balance',
          currencyPath: '$.result.unit',
        },
        signal: abortAfter(5_000),
      });
      expect(quote).toEqual({ balance: '42.00', currency: 'CNY' });
      expect(post.requests[0]!.body).toEqual({ account: 'acct_42' });
      expect(post.requests[0]!.headers['content-type']).toBe('application/json');
    } finally {
      await post.close();
    }
  });

  it('does not follow a redirect, so the headers never reach another origin', async () => {
    const redirecting = await startRecordingServer((_recorded, res) => {
      res.writeHead(302, { location: `${fake.url}${PATH}` });
      res.end();
    });
    try {
      const error = await balanceFailure(
        source.fetchBalance(
          request({ settings: { ...request().settings, url: `${redirecting.url}/moved` } }),
        ),
      );
      expect(error).toMatchObject({ kind: 'upstream', options: { status: 302 } });
      expect(fake.requests).toHaveLength(0);
    } finally {
      await redirecting.close();
    }
  });

  it('refuses a body over 1 MB as invalid_response', async () => {
    fake.setBody(`{"pad":"${'x'.repeat(1_100_000)}","account":{"wallets":[{"amount":1,"currency":"USD"}]}}`);
    expect((await balanceFailure(source.fetchBalance(request()))).kind).toBe('invalid_response');
  });
});

describeHttpFailures({
  source,
  fake: () => fake,
  request,
  pointAt: (settings, url) => ({ ...settings, url: `${url}${PATH}` }),
  wrongCredentials: { headers: JSON.stringify({ 'X-Api-Key': 'wrong-key-000000000000' }) },
  secrets: [API_KEY],
});
