/** GeminiProvider against a fake Gemini API that speaks its documented wire format. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GeminiProvider } from '../../../shared/adapters/providers/gemini';
import type { ChatRequest, ChatStreamEvent, ProviderTarget } from '../../../shared/ports/model-provider';
import { ProviderError } from '../../../shared/ports/model-provider';
import type { FakeGemini, FakeGeminiMode } from '../../factories/fake-gemini';
import { startFakeGemini, vectorFor } from '../../factories/fake-gemini';
import { estimateTokens } from '../../factories/fake-upstream';

const API_KEY = 'AIzaSyFAKE-0123456789abcdefghij';
const REPLY = 'Paris is the capital of France. It sits on the Seine.';

let fake: FakeGemini;
let target: ProviderTarget;
const provider = new GeminiProvider();

beforeAll(async () => {
  fake = await startFakeGemini({ reply: REPLY });
  target = { serviceType: 'gemini', endpoint: fake.url, apiKey: API_KEY };
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok', { reply: REPLY, cachedContentTokenCount: 0, thoughtsTokenCount: 0 });
  fake.requests.length = 0;
});

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: 'Do you mean today?' },
    { role: 'user', content: 'Yes.' },
  ],
  ...over,
});

const signal = () => AbortSignal.timeout(5_000);

async function collect(stream: AsyncIterable<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = [];
  let error: unknown;
  try {
    for await (const event of stream) events.push(event);
  } catch (err) {
    error = err;
  }
  return { events, error, text: events.map((e) => (e.type === 'delta' ? e.text : '')).join('') };
}

const promptTokens = estimateTokens(
  ['You are terse.', 'What is the capital of France?', 'Do you mean today?', 'Yes.'].join('\n'),
);

describe('chat', () => {
  it('sends generateContent with roles, systemInstruction and generationConfig, and maps the answer', async () => {
    const result = await provider.chat(
      target,
      request({ maxTokens: 200, temperature: 0.3, topP: 0.8, stop: ['###'] }),
      signal(),
    );

    const sent = fake.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.query.get('key')).toBeNull();
    expect(sent.headers['x-goog-api-key']).toBe(API_KEY);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
        { role: 'model', parts: [{ text: 'Do you mean today?' }] },
        { role: 'user', parts: [{ text: 'Yes.' }] },
      ],
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      generationConfig: { maxOutputTokens: 200, temperature: 0.3, topP: 0.8, stopSequences: ['###'] },
    });

    expect(result).toEqual({
      id: expect.stringMatching(/^fake-response-\d+$/),
      model: 'gemini-2.5-flash',
      content: REPLY,
      finishReason: 'stop',
      usage: { promptTokens, completionTokens: estimateTokens(REPLY), cachedPromptTokens: 0 },
    });
  });

  it('omits systemInstruction and generationConfig when there is nothing to send', async () => {
    await provider.chat(
      target,
      { model: 'models/gemini-2.5-pro', messages: [{ role: 'user', content: 'Hi' }] },
      signal(),
    );
    expect(fake.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
    expect(fake.requests[0]!.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('keeps cached tokens inside promptTokens and bills thoughts as completion', async () => {
    fake.setMode('ok', { cachedContentTokenCount: 1000, thoughtsTokenCount: 40 });
    const result = await provider.chat(target, request(), signal());
    expect(result.usage).toEqual({
      promptTokens: promptTokens + 1000,
      completionTokens: estimateTokens(REPLY) + 40,
      cachedPromptTokens: 1000,
    });
  });

  it('maps MAX_TOKENS to length, SAFETY and a blocked prompt to content_filter', async () => {
    const short = await provider.chat(target, request({ maxTokens: 2 }), signal());
    expect(short).toMatchObject({ finishReason: 'length', content: REPLY.slice(0, 8) });

    fake.setMode('safety');
    expect((await provider.chat(target, request(), signal())).finishReason).toBe('content_filter');

    fake.setMode('blocked');
    const blocked = await provider.chat(target, request(), signal());
    expect(blocked).toMatchObject({
      content: '',
      finishReason: 'content_filter',
      usage: { promptTokens, completionTokens: 0 },
    });
  });
});

describe('chatStream', () => {
  it('streams with alt=sse, then exactly one done with the final usage', async () => {
    const { events, error, text } = await collect(provider.chatStream(target, request(), signal()));
    expect(error).toBeUndefined();
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(sent.query.get('alt')).toBe('sse');
    expect(sent.headers['x-goog-api-key']).toBe(API_KEY);
    expect(text).toBe(REPLY);
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      type: 'done',
      id: expect.stringMatching(/^fake-response-\d+$/),
      model: 'gemini-2.5-flash',
      finishReason: 'stop',
      usage: { promptTokens, completionTokens: estimateTokens(REPLY), cachedPromptTokens: 0 },
    });
  });

  it('ends a blocked prompt with content_filter and no deltas', async () => {
    fake.setMode('blocked');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(error).toBeUndefined();
    expect(events).toEqual([
      expect.objectContaining({
        type: 'done',
        finishReason: 'content_filter',
        usage: expect.objectContaining({ promptTokens }),
      }),
    ]);
  });

  it('throws network when the stream breaks after the first delta', async () => {
    fake.setMode('cut');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([{ type: 'delta', text: 'Paris ' }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).failure).toBe('network');
  });
});

describe('embed', () => {
  it('sends batchEmbedContents with one request per input and returns vectors in order', async () => {
    const result = await provider.embed(
      target,
      { model: 'gemini-embedding-001', input: ['alpha', 'beta'] },
      signal(),
    );
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(sent.headers['x-goog-api-key']).toBe(API_KEY);
    expect(sent.body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'alpha' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'beta' }] } },
      ],
    });
    expect(result).toEqual({
      model: 'gemini-embedding-001',
      vectors: [vectorFor('alpha'), vectorFor('beta')],
      usage: null,
    });
  });

  it('maps embedding errors like chat errors', async () => {
    fake.setMode('rate_limited');
    await expect(
      provider.embed(target, { model: 'gemini-embedding-001', input: ['a'] }, signal()),
    ).rejects.toMatchObject({
      failure: 'rate_limited',
      retryAfterMs: 41_000,
    });
    fake.setMode('cut');
    await expect(
      provider.embed(target, { model: 'gemini-embedding-001', input: ['a'] }, signal()),
    ).rejects.toMatchObject({
      failure: 'network',
    });
  });
});

describe('errors', () => {
  const cases: [FakeGeminiMode, string, number][] = [
    ['rate_limited', 'rate_limited', 429],
    ['server_error', 'server_error', 500],
    ['unavailable', 'server_error', 503],
    ['auth', 'auth', 400],
    ['forbidden', 'auth', 403],
    ['not_found', 'not_found', 404],
    ['bad_request', 'bad_request', 400],
  ];

  it.each(cases)('%s → %s (chat and before the first delta)', async (mode, failure, status) => {
    fake.setMode(mode);
    const chatError = await provider.chat(target, request(), signal()).catch((e: unknown) => e);
    const { events, error: streamError } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([]);
    for (const err of [chatError, streamError]) {
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ failure, status });
      expect((err as ProviderError).message).not.toContain(API_KEY);
    }
  });

  it('takes retryAfterMs from RetryInfo on a 429', async () => {
    fake.setMode('rate_limited', { retryDelaySeconds: 3 });
    const err = (await provider.chat(target, request(), signal()).catch((e: unknown) => e)) as ProviderError;
    expect(err.retryAfterMs).toBe(3_000);
    expect(err.message).toContain('RESOURCE_EXHAUSTED');
  });

  it('maps the 403 Google sends when no key is given to auth', async () => {
    const noKey = { ...target, apiKey: '' };
    await expect(provider.chat(noKey, request(), signal())).rejects.toMatchObject({
      failure: 'auth',
      status: 403,
    });
  });

  it('times out through the abort signal when the upstream hangs', async () => {
    fake.setMode('hang');
    const chatError = await provider
      .chat(target, request(), AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    const { error: streamError } = await collect(
      provider.chatStream(target, request(), AbortSignal.timeout(200)),
    );
    const embedError = await provider
      .embed(target, { model: 'gemini-embedding-001', input: ['a'] }, AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    for (const err of [chatError, streamError, embedError]) expect(err).toMatchObject({ failure: 'timeout' });
  });

  it('reports network when the body is cut or nothing listens', async () => {
    fake.setMode('cut');
    await expect(provider.chat(target, request(), signal())).rejects.toMatchObject({ failure: 'network' });

    const closed = await startFakeGemini();
    await closed.close();
    await expect(
      provider.chat({ ...target, endpoint: closed.url }, request(), signal()),
    ).rejects.toMatchObject({
      failure: 'network',
    });
  });
});
