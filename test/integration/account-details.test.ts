/**
 * AI account statistics, account details and pricing through the admin API, end to end: the local
 * runtime over DynamoDB Local, with usage written by the real usage store into the same table.
 * Expectations are derived from the records written, so the hour and month the test runs in do
 * not matter.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { ulid } from 'ulidx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import type { UsageRecord } from '../../shared/ports/metering';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let store: DynamoUsageStore;
let platform: string;
let adminA: string;
let viewerA: string;
let adminB: string;
const ids: Record<string, string> = {};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code } });
};

const account = (over: Record<string, unknown>) => ({
  serviceType: 'openai',
  apiKey: `sk-test-${ulid()}`,
  supportedModels: ['gpt-4o'],
  ...over,
});

const createAccount = async (enterpriseId: string, token: string, body: Record<string, unknown>) => {
  const res = await http.post(`/api/enterprises/${enterpriseId}/ai-accounts`, account(body), { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
};

const written: UsageRecord[] = [];
const use = async (
  accountId: string,
  at: Date,
  cost: string,
  over: Partial<UsageRecord> = {},
): Promise<UsageRecord> => {
  const record: UsageRecord = {
    requestId: ulid(at.getTime()),
    at: at.toISOString(),
    enterpriseId: ids.entA!,
    groupId: ids.g1!,
    userId: null,
    apiKeyId: 'K1',
    accountId,
    serviceType: 'openai',
    model: 'gpt-4o',
    requestType: 'chat',
    promptTokens: 100 + written.length,
    completionTokens: 7 * written.length,
    cachedPromptTokens: 0,
    cost,
    currency: 'USD',
    latencyMs: 40 + 13 * written.length,
    status: 'success',
    errorCode: null,
    estimated: false,
    failovers: [],
    ...over,
  };
  // One at a time: concurrent transactions on the same aggregates cancel each other.
  expect(await store.record(record)).toBe('recorded');
  written.push(record);
  return record;
};

const sum = (values: string[]) => values.reduce((s, v) => s.plus(v), new Decimal(0)).toFixed();

beforeAll(async () => {
  // Rejections are this file's subject; their INFO lines would drown the report.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: rt.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true }, unmarshallOptions: { wrapNumbers: true } },
  );
  store = new DynamoUsageStore(client, rt.tableName);
  platform = await rt.mintToken({ subject: 'platform-1', roles: ['platform-admin'] });
});

afterAll(async () => rt?.stop());

describe('enterprise gateway discount', () => {
  it('defaults to "0", is set by a platform admin only and must be a fraction below 1', async () => {
    const plain = await http.post('/api/enterprises', { name: 'Plain' }, { token: platform });
    expect(plain.status).toBe(201);
    expect(plain.body.data.gatewayDiscount).toBe('0');

    const a = await http.post(
      '/api/enterprises',
      { name: 'Acme', gatewayDiscount: '0.15' },
      { token: platform },
    );
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.data.gatewayDiscount).toBe('0.15');
    ids.entA = a.body.data.id;
    const b = await http.post('/api/enterprises', { name: 'Beta' }, { token: platform });
    ids.entB = b.body.data.id;
    adminA = await rt.mintToken({ subject: 'admin-a', roles: ['enterprise-admin'], enterpriseId: ids.entA });
    viewerA = await rt.mintToken({ subject: 'viewer-a', roles: ['viewer'], enterpriseId: ids.entA });
    adminB = await rt.mintToken({ subject: 'admin-b', roles: ['enterprise-admin'], enterpriseId: ids.entB });

    for (const bad of ['1', '1.0', '2.5', '-0.1', '0.1.2', 'abc', '1e-2', 0.1]) {
      expectError(
        await http.post('/api/enterprises', { name: 'Bad', gatewayDiscount: bad }, { token: platform }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await http.patch(`/api/enterprises/${ids.entA}`, { gatewayDiscount: bad }, { token: platform }),
        400,
        'VALIDATION_ERROR',
      );
    }

    // An enterprise admin may rename the enterprise but not grant itself a discount.
    expectError(
      await http.patch(`/api/enterprises/${ids.entA}`, { gatewayDiscount: '0.9' }, { token: adminA }),
      403,
      'FORBIDDEN',
    );
    const renamed = await http.patch(`/api/enterprises/${ids.entA}`, { name: 'Acme Ltd' }, { token: adminA });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.gatewayDiscount).toBe('0.15');

    const set = await http.patch(
      `/api/enterprises/${ids.entA}`,
      { gatewayDiscount: '0.2' },
      { token: platform },
    );
    expect(set.status).toBe(200);
    expect(set.body.data.gatewayDiscount).toBe('0.2');
    expect(
      (await http.get(`/api/enterprises/${ids.entA}`, { token: adminA })).body.data.gatewayDiscount,
    ).toBe('0.2');
  });
});

describe('AI account pricing', () => {
  const prices = [
    {
      model: 'gpt-4o',
      inputPerMillion: '2.10',
      outputPerMillion: '8.4',
      cachedInputPerMillion: '1.05',
      effectiveFrom: '2026-01-01',
    },
    {
      model: 'gpt-4o',
      inputPerMillion: '1.9',
      outputPerMillion: '7.6',
      cachedInputPerMillion: '0.95',
      effectiveFrom: '2026-07-01',
    },
  ];

  it('stores per-model prices and a fixed per-call cost, as decimal strings, and returns them', async () => {
    const created = await createAccount(ids.entA!, adminA, {
      name: 'Priced',
      providerAccountId: 'org-priced',
      currency: 'EUR',
      prices,
      fixedPerCall: '0.0005',
    });
    ids.priced = created.id;
    expect(created).toMatchObject({ currency: 'EUR', prices, fixedPerCall: '0.0005' });

    const got = await http.get(`/api/ai-accounts/${ids.priced}`, { token: viewerA });
    expect(got.body.data).toMatchObject({ prices, fixedPerCall: '0.0005' });

    // Money in the table is a string, never a DynamoDB (float-prone) number.
    const raw = await new DynamoDBClient({
      endpoint: rt.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).send(
      new GetItemCommand({
        TableName: rt.tableName,
        Key: { pk: { S: `AIACCT#${ids.priced}` }, sk: { S: 'PROFILE' } },
      }),
    );
    expect(raw.Item?.fixedPerCall).toEqual({ S: '0.0005' });
    expect(raw.Item?.prices?.L?.[0]?.M?.inputPerMillion).toEqual({ S: '2.10' });

    const plain = await createAccount(ids.entA!, adminA, {
      name: 'Unpriced',
      providerAccountId: 'org-plain',
    });
    expect(plain).toMatchObject({ prices: [], fixedPerCall: null });
  });

  it('replaces prices and clears the fixed cost on update', async () => {
    const patched = await http.patch(
      `/api/ai-accounts/${ids.priced}`,
      { prices: [prices[1]], fixedPerCall: null },
      { token: adminA },
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({ prices: [prices[1]], fixedPerCall: null });
    const got = await http.get(`/api/ai-accounts/${ids.priced}`, { token: adminA });
    expect(got.body.data).toMatchObject({ prices: [prices[1]], fixedPerCall: null });

    const again = await http.patch(
      `/api/ai-accounts/${ids.priced}`,
      { prices: [], fixedPerCall: '0.25' },
      { token: adminA },
    );
    expect(again.body.data).toMatchObject({ prices: [], fixedPerCall: '0.25' });
    // Only enterprise admins change pricing.
    expectError(
      await http.patch(`/api/ai-accounts/${ids.priced}`, { fixedPerCall: '0' }, { token: viewerA }),
      403,
      'FORBIDDEN',
    );
  });

  it('rejects malformed prices with VALIDATION_ERROR', async () => {
    const row = prices[0]!;
    const bad: Record<string, unknown>[] = [
      { prices: [{ ...row, inputPerMillion: '1e-6' }] },
      { prices: [{ ...row, outputPerMillion: '-1' }] },
      { prices: [{ ...row, cachedInputPerMillion: 0.5 }] },
      { prices: [{ ...row, effectiveFrom: '2026-02-30' }] },
      { prices: [{ ...row, effectiveFrom: '2026-1-1' }] },
      { prices: [{ ...row, model: '' }] },
      { prices: [{ ...row, currency: 'USD' }] },
      { prices: [row, { ...row, inputPerMillion: '9' }] },
      {
        prices: Array.from({ length: 201 }, (_, i) => ({ ...row, model: `m-${i}` })),
      },
      { fixedPerCall: '-0.01' },
      { fixedPerCall: '0,01' },
      { fixedPerCall: 0.01 },
    ];
    for (const body of bad) {
      const created = await http.post(
        `/api/enterprises/${ids.entA}/ai-accounts`,
        account({ name: 'Bad', providerAccountId: `org-bad-${ulid()}`, ...body }),
        { token: adminA },
      );
      expectError(created, 400, 'VALIDATION_ERROR');
      expectError(
        await http.patch(`/api/ai-accounts/${ids.priced}`, body, { token: adminA }),
        400,
        'VALIDATION_ERROR',
      );
    }
    const duplicate = await http.patch(
      `/api/ai-accounts/${ids.priced}`,
      { prices: [row, { ...row, inputPerMillion: '9' }] },
      { token: adminA },
    );
    expect(JSON.stringify(duplicate.body.error.details)).toContain('already has a price effective from');
    // 200 rows are fine.
    const many = await http.patch(
      `/api/ai-accounts/${ids.priced}`,
      { prices: Array.from({ length: 200 }, (_, i) => ({ ...row, model: `m-${i}` })) },
      { token: adminA },
    );
    expect(many.status, JSON.stringify(many.body)).toBe(200);
    expect(many.body.data.prices).toHaveLength(200);
  });
});

describe('AI account stats and details', () => {
  it('sets up accounts, groups and bindings', async () => {
    ids.dedicated = (
      await createAccount(ids.entA!, adminA, {
        name: 'OpenAI dedicated',
        accountType: 'dedicated',
        providerAccountId: 'org-ded',
      })
    ).id;
    ids.shared = (
      await createAccount(ids.entA!, adminA, { name: 'OpenAI shared', providerAccountId: 'org-shared' })
    ).id;
    ids.primary = (
      await createAccount(ids.entA!, adminA, {
        name: 'Gemini primary',
        serviceType: 'gemini',
        accountType: 'dedicated',
        providerAccountId: 'proj-primary',
        supportedModels: ['gemini-2.5-pro'],
      })
    ).id;
    ids.idle = (
      await createAccount(ids.entA!, adminA, {
        name: 'Qwen shared',
        serviceType: 'qwen',
        providerAccountId: 'qwen-1',
        supportedModels: ['qwen-max'],
      })
    ).id;
    ids.other = (await createAccount(ids.entB!, adminB, { name: 'B', providerAccountId: 'org-b' })).id;

    const group = async (name: string) =>
      (await http.post(`/api/enterprises/${ids.entA}/groups`, { name }, { token: adminA })).body.data.id;
    const bind = async (groupId: string, bindingConfig: Record<string, unknown>) => {
      const res = await http.put(
        `/api/groups/${groupId}/resource-binding`,
        { bindingMode: bindingConfig.mode, bindingConfig },
        { token: adminA },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    const [g1, g2, g3, g4]: string[] = [
      await group('Dedicated'),
      await group('Pool'),
      await group('Hybrid'),
      await group('Unbound'),
    ];
    Object.assign(ids, { g1, g2, g3, g4 });
    await bind(g1!, { mode: 'dedicated', accounts: [{ accountId: ids.dedicated }] });
    await bind(g2!, { mode: 'shared', poolConfig: [{ serviceType: 'openai' }] });
    await bind(g3!, {
      mode: 'hybrid',
      primaryAccounts: [ids.primary],
      fallbackPools: [{ serviceType: 'openai' }],
    });
  });

  it('counts usage records into each account\u2019s stats, with exact decimal totals', async () => {
    const now = Date.now();
    // Sub-cent amounts whose float sum drifts (0.1 + 0.2 !== 0.3); the decimal sum must not.
    await use(ids.dedicated!, new Date(now - 40 * DAY), '0.1'); // an earlier month
    await use(ids.dedicated!, new Date(now - 30 * HOUR), '0.2'); // outside the 24 h window
    await use(ids.dedicated!, new Date(now - 5 * HOUR), '0.000000001', {
      status: 'error',
      errorCode: 'UPSTREAM_ERROR',
    });
    await use(ids.dedicated!, new Date(now - 5 * HOUR + 1000), '0.333333333333');
    await use(ids.dedicated!, new Date(now - 2000), '0.7', { currency: 'EUR' });
    await use(ids.dedicated!, new Date(now - 1000), '1.000000000000000001');
    await use(ids.shared!, new Date(now - 2 * HOUR), '0.25', { groupId: ids.g2! });

    const list = await http.get(`/api/enterprises/${ids.entA}/ai-accounts?limit=100`, { token: viewerA });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const byId = new Map<string, any>(list.body.data.items.map((a: any) => [a.id, a]));
    expect(byId.size).toBe(6);
    for (const id of [ids.dedicated!, ids.shared!, ids.idle!]) {
      const records = written.filter((r) => r.accountId === id);
      const stats = byId.get(id).stats;
      expect(stats).toEqual({
        totalRequests: records.length,
        totalTokens: records.reduce((s, r) => s + r.promptTokens + r.completionTokens, 0),
        totalCost: sum(records.filter((r) => r.currency === 'USD').map((r) => r.cost)),
        currency: 'USD',
        costByCurrency: Object.fromEntries(
          [...new Set(records.map((r) => r.currency))].map((c) => [
            c,
            sum(records.filter((r) => r.currency === c).map((r) => r.cost)),
          ]),
        ),
        lastUsedAt: records.length
          ? records
              .map((r) => r.at)
              .sort()
              .at(-1)
          : null,
        currentLoad: records.filter((r) => r.at.slice(0, 13) === stats.currentLoadHour).length,
        currentLoadHour: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}$/),
      });
    }
    const dedicated = byId.get(ids.dedicated!).stats;
    expect(dedicated.totalCost).toBe('1.633333334333000001');
    expect(dedicated.costByCurrency).toEqual({ USD: '1.633333334333000001', EUR: '0.7' });
    expect(byId.get(ids.idle!).stats).toMatchObject({ totalRequests: 0, totalCost: '0', lastUsedAt: null });

    // GET returns the same stats as the list.
    const one = await http.get(`/api/ai-accounts/${ids.dedicated}`, { token: viewerA });
    expect(one.status).toBe(200);
    expect(one.body.data.stats).toEqual(dedicated);
  });

  it('returns the account details: 24 h by hour, performance, bound groups and cost', async () => {
    const res = await http.get(`/api/ai-accounts/${ids.dedicated}/details`, { token: viewerA });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body.data;
    const hours: string[] = d.usage24h.map((h: any) => h.hour);
    expect(hours).toHaveLength(24);
    expect([...hours].sort()).toEqual(hours);
    expect(new Set(hours).size).toBe(24);
    expect(hours.at(-1)).toBe(d.account.stats.currentLoadHour);

    const records = written.filter((r) => r.accountId === ids.dedicated);
    const inWindow = records.filter((r) => hours.includes(r.at.slice(0, 13)));
    // The records 5 h, 2 s and 1 s old are in the window; 30 h and 40 days old are not.
    expect(inWindow).toHaveLength(4);
    for (const h of d.usage24h) {
      const those = inWindow.filter((r) => r.at.slice(0, 13) === h.hour);
      const currencies = [...new Set(those.map((r) => r.currency))];
      expect(h).toEqual({
        hour: h.hour,
        requests: those.length,
        errors: those.filter((r) => r.status !== 'success').length,
        tokens: those.reduce((s, r) => s + r.promptTokens + r.completionTokens, 0),
        cost: Object.fromEntries(
          currencies.map((c) => [c, sum(those.filter((r) => r.currency === c).map((r) => r.cost))]),
        ),
      });
    }

    const latency = inWindow.reduce((s, r) => s + r.latencyMs, 0);
    expect(d.performance).toEqual({
      requests: 4,
      averageResponseTime: Math.round(latency / 4),
      successRate: 0.75,
      errorRate: 0.25,
    });

    const month = hours.at(-1)!.slice(0, 7);
    const costOf = (rs: UsageRecord[]) =>
      Object.fromEntries(
        [...new Set(rs.map((r) => r.currency))].map((c) => [
          c,
          sum(rs.filter((r) => r.currency === c).map((r) => r.cost)),
        ]),
      );
    expect(d.cost).toEqual({
      last24h: { USD: '1.333333334333000001', EUR: '0.7' },
      monthToDate: costOf(records.filter((r) => r.at.slice(0, 7) === month)),
      allTime: { USD: '1.633333334333000001', EUR: '0.7' },
    });
    expect(d.cost.last24h).toEqual(costOf(inWindow));

    expect(d.boundGroups).toEqual([
      {
        groupId: ids.g1,
        name: 'Dedicated',
        status: 'active',
        bindingMode: 'dedicated',
        reachedThrough: 'account',
      },
    ]);
    expect(d.account).toMatchObject({
      id: ids.dedicated,
      name: 'OpenAI dedicated',
      stats: expect.any(Object),
    });
  });

  it('finds groups that reach an account through a shared pool or by naming it', async () => {
    const shared = (await http.get(`/api/ai-accounts/${ids.shared}/details`, { token: adminA })).body.data;
    const reach = shared.boundGroups.map((g: any) => [g.groupId, g.bindingMode, g.reachedThrough]);
    expect(reach).toHaveLength(2);
    expect(reach).toEqual(
      expect.arrayContaining([
        [ids.g2, 'shared', 'pool'],
        [ids.g3, 'hybrid', 'pool'],
      ]),
    );
    expect(shared.performance).toEqual({
      requests: 1,
      averageResponseTime: written.find((r) => r.accountId === ids.shared)!.latencyMs,
      successRate: 1,
      errorRate: 0,
    });

    const primary = (await http.get(`/api/ai-accounts/${ids.primary}/details`, { token: adminA })).body.data;
    expect(primary.boundGroups.map((g: any) => [g.groupId, g.reachedThrough])).toEqual([[ids.g3, 'account']]);

    // Never used, bound nowhere: every hour present and zero, no cost, no rates.
    const idle = (await http.get(`/api/ai-accounts/${ids.idle}/details`, { token: adminA })).body.data;
    expect(idle.boundGroups).toEqual([]);
    expect(idle.usage24h).toHaveLength(24);
    expect(idle.usage24h.every((h: any) => h.requests === 0 && h.tokens === 0 && h.errors === 0)).toBe(true);
    expect(idle.performance).toEqual({ requests: 0, averageResponseTime: 0, successRate: 0, errorRate: 0 });
    expect(idle.cost).toEqual({ last24h: {}, monthToDate: {}, allTime: {} });
  });

  it('keeps other tenants out: 404 for their accounts, 403 for their enterprise', async () => {
    expectError(
      await http.get(`/api/ai-accounts/${ids.dedicated}/details`, { token: adminB }),
      404,
      'NOT_FOUND',
    );
    expectError(await http.get(`/api/ai-accounts/${ids.dedicated}`, { token: adminB }), 404, 'NOT_FOUND');
    expectError(
      await http.get(`/api/ai-accounts/${ids.other}/details`, { token: viewerA }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await http.get(`/api/enterprises/${ids.entA}/ai-accounts`, { token: adminB }),
      403,
      'FORBIDDEN',
    );
    expectError(await http.get(`/api/ai-accounts/${ulid()}/details`, { token: adminA }), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/ai-accounts/${ids.dedicated}/details`), 401, 'UNAUTHORIZED');

    // B sees its own account, untouched by A's usage.
    const own = await http.get(`/api/ai-accounts/${ids.other}/details`, { token: adminB });
    expect(own.status).toBe(200);
    expect(own.body.data.account.stats).toMatchObject({ totalRequests: 0, totalCost: '0' });
    expect(own.body.data.boundGroups).toEqual([]);
    // A platform admin sees any account.
    expect((await http.get(`/api/ai-accounts/${ids.dedicated}/details`, { token: platform })).status).toBe(
      200,
    );
  });

  it('documents the new route and fields in the OpenAPI document', async () => {
    const doc = (await http.get('/openapi.json')).body;
    expect(doc.paths['/api/ai-accounts/{accountId}/details'].get.operationId).toBe('getAiAccountDetails');
    const text = JSON.stringify(doc);
    for (const field of ['gatewayDiscount', 'fixedPerCall', 'cachedInputPerMillion', 'currentLoadHour'])
      expect(text).toContain(field);
  });
});
