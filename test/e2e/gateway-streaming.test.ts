/**
 * Streamed chat completions through the local gateway (Lambda response streaming, emulated as a
 * Function URL) with the official `openai` client: usage in the final chunk, failover only before
 * the first byte, and metering of streams that finish, break or are abandoned by the client.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCost } from '../../shared/domain/gateway/pricing';
import { toDecimalString } from '../../shared/domain/money';
import type { UsageRecord } from '../../shared/ports/metering';
import { startFakeOpenAi, type FakeChatRequest, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { recordOf } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let upstreamA: FakeOpenAi;
let upstreamB: FakeOpenAi;
let client: OpenAI;
let groupId: string;
/** 400 words: long enough that a client can walk away in the middle. */
const LONG_ANSWER = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
const reply = (request: FakeChatRequest) => {
  const last = String(request.messages.at(-1)?.content ?? '');
  return last.startsWith('long') ? LONG_ANSWER : `You said: ${last}`;
};

beforeAll(async () => {
  const options = { models: ['gpt-4o-mini'], reply, streamChunkDelayMs: 2 };
  upstreamA = await startFakeOpenAi({ ...options, apiKey: 'sk-stream-a-000000000000' });
  upstreamB = await startFakeOpenAi({ ...options, apiKey: 'sk-stream-b-000000000000' });
  rt = await startTestRuntime();
  const http = api(rt.apiUrl);
  const auth = { token: await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] }) };
  const enterpriseId = (await http.post('/api/enterprises', { name: 'Stream Co' }, auth)).body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Chat' }, auth)).body.data.id;
  for (const [name, upstream, key] of [
    ['stream A', upstreamA, 'sk-stream-a-000000000000'],
    ['stream B', upstreamB, 'sk-stream-b-000000000000'],
  ] as const) {
    await createAiAccount(http, auth.token, enterpriseId, {
      name,
      apiKey: key,
      endpoint: upstream.url,
      supportedModels: ['gpt-4o-mini'],
    });
  }
  const binding = await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100 }] },
      quotaConfig: { dailyTokenLimit: 1_000_000 },
    },
    auth,
  );
  expect(binding.status, JSON.stringify(binding.body)).toBe(200);
  const key = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'stream' }, auth)).body.data.key;
  client = new OpenAI({ apiKey: key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await rt?.stop();
  await upstreamA?.close();
  await upstreamB?.close();
});

const expectedCost = (record: UsageRecord) =>
  toDecimalString(
    callCost(
      'gpt-4o-mini',
      {
        promptTokens: record.promptTokens,
        completionTokens: record.completionTokens,
        cachedPromptTokens: record.cachedPromptTokens,
      },
      { costPerToken: '0.00001', currency: 'USD' },
      { on: record.at.slice(0, 10) },
    ).cost,
  );

describe('streamed chat completions', () => {
  it('streams deltas with the usage in a final chunk (include_usage) and meters the exact cost', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('You said: stream me please');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    // OpenAI's include_usage shape: the last chunk has no choices and carries the usage.
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);

    const record = await recordOf(rt.tableName, groupId, last.id.replace(/^chatcmpl-/, ''));
    expect(record).toMatchObject({
      status: 'success',
      estimated: false,
      promptTokens: last.usage!.prompt_tokens,
      completionTokens: last.usage!.completion_tokens,
    });
    expect(record.cost).toBe(expectedCost(record));
  });

  it('puts the usage on the finish chunk when include_usage is not asked for', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'no options' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const finish = chunks.at(-1)!;
    expect(finish.choices[0]?.finish_reason).toBe('stop');
    expect(finish.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('fails over before the first byte: a failing account never shows in the stream, the failover is recorded', async () => {
    upstreamA.setMode({ kind: 'server_error' });
    try {
      const ids = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const stream = await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `fail over ${i}` }],
            stream: true,
          });
          let text = '';
          let id = '';
          for await (const chunk of stream) {
            text += chunk.choices[0]?.delta.content ?? '';
            id = chunk.id;
          }
          expect(text).toBe(`You said: fail over ${i}`);
          return id;
        }),
      );
      const records = await Promise.all(
        ids.map((id) => recordOf(rt.tableName, groupId, id.replace(/^chatcmpl-/, ''))),
      );
      expect(records.every((r) => r.status === 'success')).toBe(true);
      expect(records.some((r) => r.failovers.some((f) => f.failure === 'server_error'))).toBe(true);
    } finally {
      upstreamA.setMode({ kind: 'ok' });
    }
  });

  it('charges an abandoned stream only for what was delivered, and stops the upstream', async () => {
    const abandonedBefore = upstreamA.abandonedStreams() + upstreamB.abandonedStreams();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'long answer please' }],
      stream: true,
    });
    let received = '';
    let id = '';
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? '';
      id = chunk.id;
      if (received.split(' ').length > 20) break; // leaving the loop aborts the HTTP request
    }
    const record = await recordOf(rt.tableName, groupId, id.replace(/^chatcmpl-/, ''));
    expect(record.status).toBe('aborted');
    expect(record.estimated).toBe(true);
    const fullAnswerTokens = Math.ceil(LONG_ANSWER.length / 4);
    // What reached the client (a few chunks more may have been in flight), far from the whole answer.
    expect(record.completionTokens).toBeGreaterThanOrEqual(Math.floor(received.length / 4));
    expect(record.completionTokens).toBeLessThan(fullAnswerTokens / 2);
    expect(record.cost).toBe(expectedCost(record));
    // The gateway hung up on the upstream too: it stopped generating (and billing) mid-answer.
    await expect
      .poll(() => upstreamA.abandonedStreams() + upstreamB.abandonedStreams())
      .toBe(abandonedBefore + 1);
  });

  it('meters a stream the provider breaks mid-answer as an error, charged for the delivered part', async () => {
    upstreamA.setMode({ kind: 'stream_error', afterDeltas: 3 });
    upstreamB.setMode({ kind: 'stream_error', afterDeltas: 3 });
    try {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'break in the middle of this answer' }],
        stream: true,
      });
      let id = '';
      let received = '';
      await expect(
        (async () => {
          for await (const chunk of stream) {
            id = chunk.id;
            received += chunk.choices[0]?.delta.content ?? '';
          }
        })(),
      ).rejects.toThrow();
      expect(received.length).toBeGreaterThan(0);
      const record = await recordOf(rt.tableName, groupId, id.replace(/^chatcmpl-/, ''));
      expect(record).toMatchObject({ status: 'error', estimated: true });
      expect(record.completionTokens).toBe(Math.ceil(received.length / 4));
      expect(record.cost).toBe(expectedCost(record));
    } finally {
      upstreamA.setMode({ kind: 'ok' });
      upstreamB.setMode({ kind: 'ok' });
    }
  });
});
