/**
 * The official `@anthropic-ai/sdk` and the seed's `/api/ai/chat` against the local gateway, with a
 * dedicated Claude account (fake Anthropic upstream) first and an OpenAI pool behind it (hybrid).
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCost } from '../../shared/domain/gateway/pricing';
import { toDecimalString } from '../../shared/domain/money';
import { startFakeAnthropic, type FakeAnthropic } from '../factories/fake-anthropic';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { api } from '../factories/http';
import { recordOf, settledRecords } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let claude: FakeAnthropic;
let openai: FakeOpenAi;
let http: ReturnType<typeof api>;
let client: Anthropic;
let groupKey: string;
let groupId: string;
let claudeAccountId: string;

beforeAll(async () => {
  claude = await startFakeAnthropic({ reply: 'Hello from Claude via Tollgate.' });
  openai = await startFakeOpenAi({ apiKey: 'sk-pool-0000000000000000' });
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const token = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const auth = { token };
  const enterpriseId = (await http.post('/api/enterprises', { name: 'Hybrid Co' }, auth)).body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Core' }, auth)).body.data.id;
  const dedicated = await http.post(
    `/api/enterprises/${enterpriseId}/ai-accounts`,
    {
      name: 'Claude dedicated',
      serviceType: 'claude',
      accountType: 'dedicated',
      providerAccountId: 'claude-org',
      apiKey: 'sk-ant-fake-000000000000',
      endpoint: claude.url,
      supportedModels: ['claude-sonnet-4-20250514', 'gpt-4o'],
    },
    auth,
  );
  claudeAccountId = dedicated.body.data.id;
  await http.post(
    `/api/enterprises/${enterpriseId}/ai-accounts`,
    {
      name: 'OpenAI pool',
      serviceType: 'openai',
      providerAccountId: 'pool',
      apiKey: 'sk-pool-0000000000000000',
      endpoint: openai.url,
      supportedModels: ['gpt-4o'],
    },
    auth,
  );
  const binding = await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'hybrid',
      bindingConfig: {
        mode: 'hybrid',
        primaryAccounts: [claudeAccountId],
        fallbackPools: [{ serviceType: 'openai', priority: 1 }],
      },
    },
    auth,
  );
  expect(binding.status, JSON.stringify(binding.body)).toBe(200);
  groupKey = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'anthropic-sdk' }, auth)).body.data
    .key;
  client = new Anthropic({ apiKey: groupKey, baseURL: rt.apiUrl, maxRetries: 0 });
});

afterAll(async () => {
  await rt?.stop();
  await claude?.close();
  await openai?.close();
});

describe('gateway with the official Anthropic client', () => {
  it('answers a message through the dedicated Claude account', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 128,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(message.type).toBe('message');
    expect(message.content[0]).toEqual({ type: 'text', text: 'Hello from Claude via Tollgate.' });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    const upstream = claude.requests.at(-1)!;
    expect(upstream.headers['x-api-key']).toBe('sk-ant-fake-000000000000');
    expect(upstream.body).toMatchObject({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 128,
      system: 'Be brief.',
    });
  });

  it('streams a message through the dedicated Claude account, with its usage, and meters it exactly', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 128,
      messages: [{ role: 'user', content: 'Stream to me' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Hello from Claude via Tollgate.');
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from Claude via Tollgate.' });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(claude.requests.at(-1)!.body).toMatchObject({ stream: true });

    const record = await recordOf(rt.tableName, groupId, message.id.replace(/^msg_/, ''));
    expect(record).toMatchObject({
      status: 'success',
      accountId: claudeAccountId,
      promptTokens: message.usage.input_tokens,
      completionTokens: message.usage.output_tokens,
      estimated: false,
    });
    const { cost } = callCost(
      'claude-sonnet-4-20250514',
      {
        promptTokens: record!.promptTokens,
        completionTokens: record!.completionTokens,
        cachedPromptTokens: 0,
      },
      { costPerToken: '0.00001', currency: 'USD' },
      { on: record!.at.slice(0, 10) },
    );
    expect(record!.cost).toBe(toDecimalString(cost));
  });

  it('falls back from the primary account to the OpenAI pool, and answers in Anthropic\u2019s shape', async () => {
    claude.setMode('overloaded');
    try {
      const message = await client.messages.create({
        model: 'gpt-4o',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'fallback please' }],
      });
      expect(message.content[0]).toMatchObject({
        type: 'text',
        text: expect.stringContaining('fallback please'),
      });
    } finally {
      claude.setMode('ok', { reply: 'Hello from Claude via Tollgate.' });
    }
  });

  it('returns errors in Anthropic\u2019s shape', async () => {
    const stranger = new Anthropic({
      apiKey: 'tg_unknown-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      baseURL: rt.apiUrl,
      maxRetries: 0,
    });
    await expect(
      stranger.messages.create({
        model: 'gpt-4o',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error', code: 'UNAUTHORIZED' } },
    });
  });
});

describe('the seed\u2019s POST /api/ai/chat', () => {
  it('answers in the envelope with usage, exact cost and the account used', async () => {
    const res = await http.post(
      '/api/ai/chat',
      { groupId, messages: [{ role: 'user', content: 'seed shape' }], model: 'gpt-4o' },
      { apiKey: groupKey },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      data: {
        message: { role: 'assistant', content: 'Hello from Claude via Tollgate.' },
        usage: {
          promptTokens: expect.any(Number),
          completionTokens: expect.any(Number),
          totalTokens: expect.any(Number),
        },
        cost: expect.stringMatching(/^\d+(\.\d+)?$/),
        currency: 'USD',
        accountUsed: { id: claudeAccountId, name: 'Claude dedicated', serviceType: 'claude' },
      },
    });
  });

  it('streams with stream: true: deltas, then the same data as the unstreamed answer', async () => {
    const res = await fetch(`${rt.apiUrl}/api/ai/chat`, {
      method: 'POST',
      headers: { 'x-api-key': groupKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        groupId,
        messages: [{ role: 'user', content: 'seed stream' }],
        model: 'claude-sonnet-4-20250514',
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as { type: string; content?: string; data?: any });
    const deltas = events.filter((e) => e.type === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.at(-1)!;
    expect(done).toMatchObject({
      type: 'done',
      success: true,
      data: {
        message: { role: 'assistant', content: deltas.map((d) => d.content).join('') },
        cost: expect.stringMatching(/^\d+(\.\d+)?$/),
        accountUsed: { id: claudeAccountId, serviceType: 'claude' },
      },
    });
    expect(done.data.message.content).toBe('Hello from Claude via Tollgate.');
    // Metered like any call: a success record with exactly these figures.
    const records = await settledRecords(rt.tableName, groupId, new Date().toISOString().slice(0, 10));
    expect(
      records.some(
        (r) =>
          r.status === 'success' &&
          r.cost === done.data.cost &&
          r.promptTokens === done.data.usage.promptTokens &&
          r.completionTokens === done.data.usage.completionTokens,
      ),
    ).toBe(true);
  });

  it('refuses another group\u2019s id and bad bodies with the envelope', async () => {
    const other = await http.post(
      '/api/ai/chat',
      { groupId: 'SOMEOTHERGROUP', messages: [{ role: 'user', content: 'x' }] },
      { apiKey: groupKey },
    );
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
    const bad = await http.post('/api/ai/chat', { groupId, messages: 'nope' }, { apiKey: groupKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });
});
