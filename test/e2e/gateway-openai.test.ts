/**
 * The official `openai` client against the local gateway: group key auth, routing over a shared
 * pool of fake OpenAI upstreams on 127.0.0.1, failover, strict daily quota, exact metering.
 */
import Decimal from 'decimal.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { callCost } from '../../shared/domain/gateway/pricing';
import { toDecimalString } from '../../shared/domain/money';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { settledRecords } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let upstreamA: FakeOpenAi;
let upstreamB: FakeOpenAi;
let client: OpenAI;
let groupId: string;
let enterpriseId: string;
let token: string;
let http: ReturnType<typeof api>;
const day = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  upstreamA = await startFakeOpenAi({
    apiKey: 'sk-upstream-a-0000000000',
    models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
  });
  upstreamB = await startFakeOpenAi({
    apiKey: 'sk-upstream-b-0000000000',
    models: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
  });
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  token = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const auth = { token };
  enterpriseId = (await http.post('/api/enterprises', { name: 'Gateway Co' }, auth)).body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Apps' }, auth)).body.data.id;
  for (const [name, upstream, key] of [
    ['pool A', upstreamA, 'sk-upstream-a-0000000000'],
    ['pool B', upstreamB, 'sk-upstream-b-0000000000'],
  ] as const) {
    await createAiAccount(http, token, enterpriseId, {
      name,
      accountType: 'shared',
      apiKey: key,
      endpoint: upstream.url,
      supportedModels: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
    });
  }
  const binding = await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: {
        mode: 'shared',
        poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
      },
      quotaConfig: { dailyTokenLimit: 1_000_000 },
    },
    auth,
  );
  expect(binding.status).toBe(200);
  const key = await http.post(`/api/groups/${groupId}/api-keys`, { name: 'sdk' }, auth);
  client = new OpenAI({ apiKey: key.body.data.key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await rt?.stop();
  await upstreamA?.close();
  await upstreamB?.close();
});

const usageStore = () => new DynamoUsageStore(exactNumbersDocumentClient(), rt.tableName);

describe('gateway with the official openai client', () => {
  it('answers a chat completion and lists the group\u2019s models', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello through Tollgate' },
      ],
      max_tokens: 64,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toContain('Hello through Tollgate');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);

    const upstreamCall = [...upstreamA.requests, ...upstreamB.requests].find(
      (r) => r.path === '/v1/chat/completions',
    );
    expect(upstreamCall?.headers.authorization).toMatch(/^Bearer sk-upstream-[ab]-/);
    expect(upstreamCall?.body.max_completion_tokens).toBe(64);

    const keys = await http.get(`/api/groups/${groupId}/api-keys`, { token });
    expect(keys.body.data.items[0].lastUsedAt).toEqual(expect.any(String));

    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']);
  });

  it('serves embeddings in input order and meters them', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['first text', 'second'],
    });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    await settledRecords(rt.tableName, groupId, day);
    const [aggregate] = await usageStore().aggregates('MODEL', 'text-embedding-3-small', 'D', day);
    expect(aggregate).toMatchObject({
      requests: 1,
      promptTokens: res.usage.prompt_tokens,
      completionTokens: 0,
    });
    // text-embedding-3-small: 0.02 USD per 1M input tokens.
    expect(aggregate!.cost.USD).toBe(
      toDecimalString(
        callCost(
          'text-embedding-3-small',
          { promptTokens: res.usage.prompt_tokens, completionTokens: 0, cachedPromptTokens: 0 },
          { costPerToken: '0', currency: 'USD' },
          { on: day },
        ).cost,
      ),
    );
  });

  it('meters the call with its exact cost', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'price me' }],
    });
    const expected = callCost(
      'gpt-4o-mini',
      {
        promptTokens: completion.usage!.prompt_tokens,
        completionTokens: completion.usage!.completion_tokens,
        cachedPromptTokens: 0,
      },
      { costPerToken: '0.00001', currency: 'USD' },
      { on: day },
    );
    await settledRecords(rt.tableName, groupId, day);
    const [aggregate] = await usageStore().aggregates('MODEL', 'gpt-4o-mini', 'D', day);
    expect(aggregate?.requests).toBe(1);
    expect(aggregate?.cost.USD).toBe(toDecimalString(expected.cost));
  });

  it('fails over to the other pool account when one answers 500, and records it', async () => {
    upstreamA.setMode({ kind: 'server_error' });
    upstreamB.setMode({ kind: 'ok' });
    try {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client.chat.completions.create({
            model: 'gpt-4o',
            messages: [{ role: 'user', content: `ping ${i}` }],
          }),
        ),
      );
      expect(answers.every((a) => a.choices[0]?.message.content?.startsWith('You said'))).toBe(true);
    } finally {
      upstreamA.setMode({ kind: 'ok' });
    }
    const records = await settledRecords(rt.tableName, groupId, day);
    expect(records.some((r) => r.failovers.length > 0 && r.status === 'success')).toBe(true);
  });

  it('honours Retry-After: a rate-limited account gets no traffic for that model until it passes', async () => {
    upstreamA.setMode({ kind: 'rate_limited', retryAfter: '60' });
    upstreamB.setMode({ kind: 'ok' });
    try {
      for (let i = 0; i < 6; i++) {
        const answer = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `cool ${i}` }],
        });
        expect(answer.choices[0]?.message.content).toContain(`cool ${i}`);
      }
      const toA = upstreamA.requests.filter(
        (r) => r.path === '/v1/chat/completions' && String(r.body.messages.at(-1).content).startsWith('cool'),
      );
      // At most the first call reached A (round-robin may start on B); after its 429, none did.
      expect(toA.length).toBeLessThanOrEqual(1);
    } finally {
      upstreamA.setMode({ kind: 'ok' });
    }
  });

  it('answers in OpenAI\u2019s error shape: bad key 401, bad body 400, unknown model 404', async () => {
    const stranger = new OpenAI({
      apiKey: 'tg_not-a-real-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      baseURL: `${rt.apiUrl}/v1`,
      maxRetries: 0,
    });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [] as never }),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    await expect(
      client.chat.completions.create({ model: 'claude-opus-4', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('enforces the daily token limit strictly with 429 QUOTA_EXCEEDED', async () => {
    await http.put(
      `/api/groups/${groupId}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: {
          mode: 'shared',
          poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
        },
        quotaConfig: { dailyTokenLimit: 1 },
      },
      { token },
    );
    // The binding is cached per instance for cacheTtlMs; a new key resolves it afresh.
    const key = await http.post(`/api/groups/${groupId}/api-keys`, { name: 'tight' }, { token });
    const tight = new OpenAI({ apiKey: key.body.data.key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
    await expect(
      tight.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'too much' }],
        max_tokens: 16,
      }),
    ).rejects.toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED', type: 'insufficient_quota' });
  });

  it('reports the usage in usage-stats with the exact cost', async () => {
    const records = await settledRecords(rt.tableName, groupId, day);
    const exact = records.reduce((s, r) => s.plus(r.cost), new Decimal(0));
    const res = await http.get(
      `/api/groups/${groupId}/usage-stats?startDate=${day}&endDate=${day}&granularity=day`,
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [stats] = res.body.data.stats;
    expect(stats).toMatchObject({
      period: day,
      totalRequests: records.length,
      totalCost: { USD: exact.toFixed() },
    });
    expect(stats.breakdown).toEqual([
      {
        serviceType: 'openai',
        requests: records.length,
        tokens: expect.any(Number),
        cost: { USD: exact.toFixed() },
      },
    ]);
    expect(res.body.data.summary.totalCost.USD).toBe(exact.toFixed());
    expect(res.body.data.summary.topModels).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
    const hours = new Set(records.map((r) => Number(r.at.slice(11, 13))));
    expect(res.body.data.summary.peakHours.length).toBeGreaterThan(0);
    expect(res.body.data.summary.peakHours.every((h: number) => hours.has(h))).toBe(true);
    const bad = await http.get(`/api/groups/${groupId}/usage-stats?startDate=${day}&endDate=2020-01-01`, {
      token,
    });
    expect(bad.status).toBe(400);
  });

  it('shows the binding with the accounts it reaches and its current usage', async () => {
    // The quota test above lowered the daily limit to 1 token: usage now stands far over it.
    const records = await settledRecords(rt.tableName, groupId, day);
    const tokens = records.reduce((s, r) => s + r.promptTokens + r.completionTokens, 0);
    const res = await http.get(`/api/groups/${groupId}/resource-binding`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { binding, availableAccounts, currentUsage } = res.body.data;
    expect(binding.bindingMode).toBe('shared');
    expect(availableAccounts.map((a: any) => a.name).sort()).toEqual(['pool A', 'pool B']);
    expect(JSON.stringify(availableAccounts)).not.toContain('sk-upstream');
    expect(currentUsage).toMatchObject({
      day,
      dailyTokens: tokens,
      dailyTokenLimit: 1,
      utilizationRate: tokens,
    });
    expect(currentUsage.monthlySpend.USD).toBe(
      records.reduce((s, r) => s.plus(r.cost), new Decimal(0)).toFixed(),
    );
  });

  it('shows today’s use on the enterprise AI dashboard', async () => {
    const records = await settledRecords(rt.tableName, groupId, day);
    const res = await http.get(`/api/enterprises/${enterpriseId}/ai-dashboard`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      day,
      totalAccounts: 2,
      activeAccounts: 2,
      totalGroups: 1,
      dailyRequests: records.length,
      dailyCost: { USD: records.reduce((s, r) => s.plus(r.cost), new Decimal(0)).toFixed() },
      accountsByService: [{ serviceType: 'openai', count: 2, healthyCount: 2, avgLoad: 0 }],
      topGroupsByUsage: [{ groupId, groupName: 'Apps', requestCount: records.length }],
    });
  });

  it('keeps the aggregates equal to the sum of the usage records', async () => {
    const records = await settledRecords(rt.tableName, groupId, day);
    const [aggregate] = await usageStore().aggregates('GROUP', groupId, 'D', day);
    expect(aggregate?.requests).toBe(records.length);
    const sum = records.reduce((s, r) => s.plus(r.cost), new Decimal(0));
    expect(new Decimal(aggregate!.cost.USD!).equals(sum)).toBe(true);
  });
});

describe('monthly budget', () => {
  it('admits calls only while their worst-case cost fits the budget, and spends no more than it', async () => {
    const auth = { token };
    const budgetGroup = (
      await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Budgeted' }, auth)
    ).body.data.id;
    const put = await http.put(
      `/api/groups/${budgetGroup}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: {
          mode: 'shared',
          poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
        },
        quotaConfig: { dailyTokenLimit: 0, monthlyBudget: '0.0004' },
      },
      auth,
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const key = (await http.post(`/api/groups/${budgetGroup}/api-keys`, { name: 'budget' }, auth)).body.data
      .key;
    const budgeted = new OpenAI({ apiKey: key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        await budgeted.chat.completions.create({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: `budget ${i}` }],
          max_tokens: 16,
        });
        outcomes.push('ok');
      } catch (err) {
        expect(err).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED' });
        outcomes.push('refused');
      }
    }
    expect(outcomes[0]).toBe('ok');
    expect(outcomes).toContain('refused');
    const spent = (await settledRecords(rt.tableName, budgetGroup, day)).reduce(
      (s, r) => s.plus(r.cost),
      new Decimal(0),
    );
    expect(spent.greaterThan(0)).toBe(true);
    expect(spent.lessThanOrEqualTo('0.0004')).toBe(true);

    // Passing 80 % of the budget raised the warning once, however many calls came after.
    const db = buildEntities(dynamoDocumentClient(), rt.tableName);
    const { data: alerts } = await db.entities.alert.query.byEnterprise({ enterpriseId }).go();
    const warnings = alerts.filter(
      (a) => a.kind === 'gateway.quota.threshold' && a.subject === `group:${budgetGroup}`,
    );
    expect(warnings.filter((a) => a.severity === 'warning')).toHaveLength(1);
    expect(warnings.every((a) => a.message.includes('monthly budget (0.0004 USD)'))).toBe(true);
  });
});
