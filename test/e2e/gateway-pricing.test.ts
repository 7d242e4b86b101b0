/**
 * Pricing through the gateway: an account's own per-model prices override the shipped table, its
 * fixed per-call cost is added to successful calls, and the enterprise's discount comes off, in
 * exact decimals, for plain and streamed calls alike.
 */
import Decimal from 'decimal.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { recordOf } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let upstream: FakeOpenAi;
let client: OpenAI;
let groupId: string;
let http: ReturnType<typeof api>;
let auth: { token: string };

beforeAll(async () => {
  upstream = await startFakeOpenAi({ apiKey: 'sk-priced-0000000000000' });
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  auth = { token: await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] }) };
  const enterprise = await http.post(
    '/api/enterprises',
    { name: 'Discounted', gatewayDiscount: '0.1' },
    auth,
  );
  expect(enterprise.status, JSON.stringify(enterprise.body)).toBe(201);
  const enterpriseId = enterprise.body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Team' }, auth)).body.data.id;
  await createAiAccount(http, auth.token, enterpriseId, {
    name: 'negotiated',
    apiKey: 'sk-priced-0000000000000',
    endpoint: upstream.url,
    // gpt-4o-mini lists at 0.15 / 0.60; this account pays 2.00 / 8.00 per 1M tokens.
    supportedModels: ['gpt-4o-mini'],
    prices: [
      {
        model: 'gpt-4o-mini',
        inputPerMillion: '2.00',
        outputPerMillion: '8.00',
        cachedInputPerMillion: '0.50',
        effectiveFrom: '2026-01-01',
      },
    ],
    fixedPerCall: '0.001',
  });
  await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai' }] },
      quotaConfig: { dailyTokenLimit: 1_000_000, monthlyBudget: '10.00' },
    },
    auth,
  );
  const key = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'k' }, auth)).body.data.key;
  client = new OpenAI({ apiKey: key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await rt?.stop();
  await upstream?.close();
});

/** (prompt × 2.00 + completion × 8.00) / 1M + 0.001, less 10 %, worked out independently of the code. */
const expected = (prompt: number, completion: number): string =>
  new Decimal(prompt)
    .times('2.00')
    .plus(new Decimal(completion).times('8.00'))
    .div(1_000_000)
    .plus('0.001')
    .times('0.9')
    .toFixed();

describe('gateway pricing', () => {
  it('prices a call with the account override, fixed per-call cost and enterprise discount', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'what does this cost?' }],
    });
    const record = await recordOf(rt.tableName, groupId, completion.id.replace(/^chatcmpl-/, ''));
    expect(record.cost).toBe(expected(completion.usage!.prompt_tokens, completion.usage!.completion_tokens));
  });

  it('prices a streamed call the same way', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'and streamed?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let last;
    for await (const chunk of stream) last = chunk;
    const record = await recordOf(rt.tableName, groupId, last!.id.replace(/^chatcmpl-/, ''));
    expect(record.cost).toBe(expected(last!.usage!.prompt_tokens, last!.usage!.completion_tokens));
  });
});

describe('per-key quotas', () => {
  const keyWith = async (quota: object) => {
    const created = await http.post(`/api/groups/${groupId}/api-keys`, { name: 'limited', quota }, auth);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.quota).toMatchObject(quota);
    return new OpenAI({ apiKey: created.body.data.key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
  };
  const ask = (c: OpenAI, content: string) =>
    c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], max_tokens: 8 });

  it("stops a key at its own daily token limit while the group's other keys go on", async () => {
    const limited = await keyWith({ dailyTokenLimit: 150 });
    let served = 0;
    let refusal: unknown;
    for (let i = 0; i < 20 && !refusal; i++) {
      try {
        await ask(limited, `spend ${i}`);
        served += 1;
      } catch (err) {
        refusal = err;
      }
    }
    expect(served).toBeGreaterThan(0);
    expect(refusal).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED' });
    expect((refusal as Error).message).toContain("This key's daily token limit of 150");
    expect((await ask(client, 'the group is fine')).choices[0]?.message.content).toContain(
      'the group is fine',
    );
  });

  it('refuses a call whose worst case does not fit the key’s monthly budget', async () => {
    const poor = await keyWith({ monthlyBudget: '0.0001' });
    await expect(ask(poor, 'too dear')).rejects.toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED' });
  });

  it('rejects a malformed key quota with 400', async () => {
    const bad = await http.post(
      `/api/groups/${groupId}/api-keys`,
      { name: 'bad', quota: { dailyTokenLimit: -5 } },
      auth,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });
});
