/** AnthropicProvider against a fake Messages API that speaks Anthropic's documented wire format. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../../shared/adapters/providers/anthropic';
import type { ChatRequest, ChatStreamEvent, ProviderTarget } from '../../../shared/ports/model-provider';
import { ProviderError } from '../../../shared/ports/model-provider';
import type { FakeAnthropic, FakeAnthropicMode } from '../../factories/fake-anthropic';
import { startFakeAnthropic } from '../../factories/fake-anthropic';
import { estimateTokens } from '../../factories/fake-upstream';

const API_KEY = 'sk-ant-test-0123456789abcdef';
const REPLY = 'Paris is the capital of France. It sits on the Seine.';

let fake: FakeAnthropic;
let target: ProviderTarget;
const provider = new AnthropicProvider();

beforeAll(async () => {
  fake = await startFakeAnthropic({ reply: REPLY });
  target = { serviceType: 'claude', endpoint: `${fake.url}/`, apiKey: API_KEY };
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok', { reply: REPLY, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 });
  fake.requests.length = 0;
});

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'system', content: 'Answer in English.' },
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

const expectedInput = estimateTokens(
  [
    'You are terse.\n\nAnswer in English.',
    'What is the capital of France?',
    'Do you mean today?',
    'Yes.',
  ].join('\n'),
);

describe('chat', () => {
  it('sends the documented request and maps content, stop reason and usage', async () => {
    const result = await provider.chat(
      target,
      request({ temperature: 0.2, topP: 0.9, stop: ['###'] }),
      signal(),
    );

    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(API_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: 'You are terse.\n\nAnswer in English.',
      messages: [
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: 'Do you mean today?' },
        { role: 'user', content: 'Yes.' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['###'],
    });

    expect(result).toEqual({
      id: expect.stringMatching(/^msg_fake\d+$/),
      model: 'claude-sonnet-4-5',
      content: REPLY,
      finishReason: 'stop',
      usage: { promptTokens: expectedInput, completionTokens: estimateTokens(REPLY), cachedPromptTokens: 0 },
    });
  });

  it('omits system and optional parameters when absent, and passes maxTokens through', async () => {
    await provider.chat(
      target,
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }], maxTokens: 300 },
      signal(),
    );
    expect(fake.requests[0]!.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 300,
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('counts cache reads and writes as prompt tokens and reports the reads as cached', async () => {
    fake.setMode('ok', { cacheReadInputTokens: 1800, cacheCreationInputTokens: 200 });
    const result = await provider.chat(target, request(), signal());
    expect(result.usage).toEqual({
      promptTokens: expectedInput + 1800 + 200,
      completionTokens: estimateTokens(REPLY),
      cachedPromptTokens: 1800,
    });
  });

  it('maps max_tokens to length and stop_sequence to stop', async () => {
    const short = await provider.chat(target, request({ maxTokens: 3 }), signal());
    expect(short.finishReason).toBe('length');
    expect(short.content).toBe(REPLY.slice(0, 12));

    const stopped = await provider.chat(target, request({ stop: ['.'] }), signal());
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.content).toBe('Paris is the capital of France');
  });
});

describe('chatStream', () => {
  it('streams text deltas, then exactly one done with usage', async () => {
    const { events, error, text } = await collect(provider.chatStream(target, request(), signal()));
    expect(error).toBeUndefined();
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, max_tokens: 1024 });
    expect(text).toBe(REPLY);
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      type: 'done',
      id: expect.stringMatching(/^msg_fake\d+$/),
      model: 'claude-sonnet-4-5',
      finishReason: 'stop',
      usage: { promptTokens: expectedInput, completionTokens: estimateTokens(REPLY), cachedPromptTokens: 0 },
    });
  });

  it('takes cache counts from message_start and the stop reason from message_delta', async () => {
    fake.setMode('ok', { cacheReadInputTokens: 50, cacheCreationInputTokens: 7 });
    const { events } = await collect(provider.chatStream(target, request({ maxTokens: 3 }), signal()));
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      finishReason: 'length',
      usage: { promptTokens: expectedInput + 57, completionTokens: 3, cachedPromptTokens: 50 },
    });
  });

  it('throws network when the stream breaks after the first delta', async () => {
    fake.setMode('cut');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([{ type: 'delta', text: 'Paris ' }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).failure).toBe('network');
  });

  it('maps an in-stream error event by its type', async () => {
    fake.setMode('stream_error');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([]);
    expect((error as ProviderError).failure).toBe('server_error');
    expect((error as ProviderError).message).toContain('overloaded_error');
  });
});

describe('errors', () => {
  const cases: [FakeAnthropicMode, string, number][] = [
    ['rate_limited', 'rate_limited', 429],
    ['overloaded', 'server_error', 529],
    ['server_error', 'server_error', 500],
    ['auth', 'auth', 401],
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

  it('reads retry-after on a 429', async () => {
    fake.setMode('rate_limited', { retryAfterSeconds: 12 });
    const err = (await provider.chat(target, request(), signal()).catch((e: unknown) => e)) as ProviderError;
    expect(err.retryAfterMs).toBe(12_000);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('rate_limit_error');
  });

  it('times out through the abort signal when the upstream hangs', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const chatError = await provider
      .chat(target, request(), AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    const { error: streamError } = await collect(
      provider.chatStream(target, request(), AbortSignal.timeout(200)),
    );
    expect(chatError).toMatchObject({ failure: 'timeout' });
    expect(streamError).toMatchObject({ failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports network when the body is cut or nothing listens', async () => {
    fake.setMode('cut');
    await expect(provider.chat(target, request(), signal())).rejects.toMatchObject({ failure: 'network' });

    const closed = await startFakeAnthropic();
    await closed.close();
    const gone = { ...target, endpoint: closed.url };
    await expect(provider.chat(gone, request(), signal())).rejects.toMatchObject({ failure: 'network' });
  });

  it('refuses embeddings', async () => {
    await expect(provider.embed(target, { model: 'x', input: ['a'] }, signal())).rejects.toMatchObject({
      failure: 'bad_request',
      message: 'Anthropic has no embeddings API',
    });
    expect(fake.requests).toHaveLength(0);
  });
});
