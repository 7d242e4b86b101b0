import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AZURE_OPENAI_DEFAULT_API_VERSION,
  OpenAiCompatibleProvider,
  upstreamRequest,
} from '../../../shared/adapters/providers/openai-compatible';
import type {
  ChatRequest,
  ChatStreamEvent,
  ProviderFailure,
  ProviderTarget,
} from '../../../shared/ports/model-provider';
import { ProviderError } from '../../../shared/ports/model-provider';
import type { FakeOpenAi } from '../../factories/fake-openai';
import { countTokens, promptTokens, startFakeOpenAi } from '../../factories/fake-openai';

const API_KEY = 'sk-test-5f1c9a7e2b4d4c0e8a6b3d2f1e0c9b8a';
const AZURE_KEY = 'azure-key-0123456789abcdef0123456789abcdef';
const provider = new OpenAiCompatibleProvider();
const signal = () => AbortSignal.timeout(5_000);

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello to the gateway, please.' },
  ],
};
const reply = 'You said: Say hello to the gateway, please.';
const expectedPrompt = promptTokens(request.messages);
const expectedCompletion = countTokens(reply);

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Runs `fn`, expects a ProviderError, and returns it. */
async function failure(fn: () => Promise<unknown>): Promise<ProviderError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

function expectFailure(err: ProviderError, kind: ProviderFailure, status?: number) {
  expect(err.failure).toBe(kind);
  expect(err.status).toBe(status);
  expect(err.message).not.toContain(API_KEY);
  expect(err.message).not.toContain(AZURE_KEY);
}

describe('OpenAiCompatibleProvider against a fake OpenAI', () => {
  let fake: FakeOpenAi;
  let target: ProviderTarget;

  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: API_KEY, models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    target = { serviceType: 'openai', endpoint: fake.url, apiKey: API_KEY };
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.setMode({ kind: 'ok' });
    fake.requests.length = 0;
  });

  describe('chat', () => {
    it('posts a non-streaming chat completion and maps the answer and usage', async () => {
      fake.setMode({ kind: 'ok', cachedTokens: 7 });
      const result = await provider.chat(
        target,
        { ...request, maxTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END'] },
        signal(),
      );

      expect(result).toEqual({
        id: 'chatcmpl-fake1',
        model: 'gpt-4o-mini',
        content: reply,
        finishReason: 'stop',
        usage: { promptTokens: expectedPrompt, completionTokens: expectedCompletion, cachedPromptTokens: 7 },
      });
      expect(fake.requests).toHaveLength(1);
      const sent = fake.requests[0]!;
      expect(sent.method).toBe('POST');
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(sent.headers['content-type']).toBe('application/json');
      expect(sent.headers['api-key']).toBeUndefined();
      expect(sent.body).toEqual({
        model: 'gpt-4o-mini',
        messages: request.messages,
        max_completion_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
      });
    });

    it('sends max_tokens to compatible servers and maps finish_reason length', async () => {
      const result = await provider.chat(
        { ...target, serviceType: 'deepseek' },
        { ...request, maxTokens: 2 },
        signal(),
      );
      expect(fake.requests[0]!.body).toMatchObject({ max_tokens: 2 });
      expect(fake.requests[0]!.body.max_completion_tokens).toBeUndefined();
      expect(result.finishReason).toBe('length');
      expect(result.content).toBe(reply.slice(0, 8));
      expect(result.usage?.completionTokens).toBe(2);
    });

    it("reads DeepSeek's prompt_cache_hit_tokens as cached prompt tokens", async () => {
      fake.setMode({ kind: 'deepseek_cache', hitTokens: 12 });
      const result = await provider.chat({ ...target, serviceType: 'deepseek' }, request, signal());
      expect(result.usage).toEqual({
        promptTokens: expectedPrompt,
        completionTokens: expectedCompletion,
        cachedPromptTokens: 12,
      });
    });

    it('returns usage null when the server reports none', async () => {
      fake.setMode({ kind: 'no_usage' });
      const result = await provider.chat(target, request, signal());
      expect(result.usage).toBeNull();
      expect(result.content).toBe(reply);
    });
  });

  describe('chatStream', () => {
    it('streams deltas, then exactly one done with the final usage chunk', async () => {
      fake.setMode({ kind: 'ok', cachedTokens: 4 });
      const events = await collect(provider.chatStream(target, { ...request, maxTokens: 50 }, signal()));

      const deltas = events.filter((e) => e.type === 'delta');
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((d) => d.text).join('')).toBe(reply);
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(events.at(-1)).toEqual({
        type: 'done',
        id: expect.stringMatching(/^chatcmpl-fake\d+$/),
        model: 'gpt-4o-mini',
        finishReason: 'stop',
        usage: { promptTokens: expectedPrompt, completionTokens: expectedCompletion, cachedPromptTokens: 4 },
      });
      const sent = fake.requests[0]!;
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(sent.body).toMatchObject({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        max_completion_tokens: 50,
      });
    });

    it('ends with usage null when the server sends no usage chunk', async () => {
      fake.setMode({ kind: 'no_usage' });
      const events = await collect(provider.chatStream(target, request, signal()));
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: null });
    });

    it('maps DeepSeek cache fields in the final usage chunk', async () => {
      fake.setMode({ kind: 'deepseek_cache', hitTokens: 5 });
      const events = await collect(
        provider.chatStream({ ...target, serviceType: 'deepseek' }, request, signal()),
      );
      expect(events.at(-1)).toMatchObject({ type: 'done', usage: { cachedPromptTokens: 5 } });
    });

    it('throws HTTP errors from the first next(), before any delta', async () => {
      fake.setMode({ kind: 'rate_limited', retryAfter: '3' });
      const events: ChatStreamEvent[] = [];
      const err = await failure(async () => {
        for await (const e of provider.chatStream(target, request, signal())) events.push(e);
      });
      expect(events).toEqual([]);
      expectFailure(err, 'rate_limited', 429);
      expect(err.retryAfterMs).toBe(3000);
    });

    it('throws network from the iterator when the stream is cut mid-way', async () => {
      fake.setMode({ kind: 'cut_stream', afterDeltas: 2 });
      const events: ChatStreamEvent[] = [];
      const err = await failure(async () => {
        for await (const e of provider.chatStream(target, request, signal())) events.push(e);
      });
      expect(events.map((e) => e.type)).toEqual(['delta', 'delta']);
      expectFailure(err, 'network', undefined);
      expect(err.retryable).toBe(true);
    });

    it('throws server_error for an error object inside the stream', async () => {
      fake.setMode({ kind: 'stream_error', afterDeltas: 1 });
      const events: ChatStreamEvent[] = [];
      const err = await failure(async () => {
        for await (const e of provider.chatStream(target, request, signal())) events.push(e);
      });
      expect(events).toHaveLength(1);
      expectFailure(err, 'server_error', undefined);
      expect(err.message).toContain('The server had an error');
    });
  });

  describe('embed', () => {
    it('posts /embeddings and returns vectors in input order with usage', async () => {
      fake.setMode({ kind: 'embeddings_reversed' });
      const input = ['first text', 'the second, longer text', 'third'];
      const result = await provider.embed(target, { model: 'text-embedding-3-small', input }, signal());

      expect(fake.requests[0]!.path).toBe('/v1/embeddings');
      expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(fake.requests[0]!.body).toEqual({ model: 'text-embedding-3-small', input });
      expect(result.model).toBe('text-embedding-3-small');
      expect(result.vectors).toHaveLength(3);
      expect(result.usage).toEqual({ promptTokens: input.reduce((s, t) => s + countTokens(t), 0) });

      fake.setMode({ kind: 'ok' });
      const single = await Promise.all(
        input.map((t) => provider.embed(target, { model: 'text-embedding-3-small', input: [t] }, signal())),
      );
      expect(result.vectors).toEqual(single.map((s) => s.vectors[0]));
    });

    it('returns usage null when the server reports none', async () => {
      fake.setMode({ kind: 'no_usage' });
      const result = await provider.embed(
        target,
        { model: 'text-embedding-3-small', input: ['x'] },
        signal(),
      );
      expect(result.usage).toBeNull();
    });
  });

  describe('error mapping', () => {
    it('429 → rate_limited with retry-after seconds', async () => {
      fake.setMode({ kind: 'rate_limited', retryAfter: '2' });
      const err = await failure(() => provider.chat(target, request, signal()));
      expectFailure(err, 'rate_limited', 429);
      expect(err.retryAfterMs).toBe(2000);
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('Rate limit reached for gpt-4o-mini');
      expect(err.message).toContain('rate_limit_exceeded');
    });

    it('429 → retry-after-ms wins over retry-after', async () => {
      fake.setMode({ kind: 'rate_limited', retryAfter: '20', retryAfterMs: '1500' });
      const err = await failure(() => provider.chat(target, request, signal()));
      expect(err.retryAfterMs).toBe(1500);
    });

    it('429 → retry-after as an HTTP date', async () => {
      fake.setMode({ kind: 'rate_limited', retryAfter: new Date(Date.now() + 4_000).toUTCString() });
      const err = await failure(() =>
        provider.embed(target, { model: 'text-embedding-3-small', input: ['a'] }, signal()),
      );
      expectFailure(err, 'rate_limited', 429);
      expect(err.retryAfterMs).toBeGreaterThan(2_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(4_000);
    });

    it.each([500, 502, 503])('%i → server_error', async (status) => {
      fake.setMode({ kind: 'server_error', status });
      const err = await failure(() => provider.chat(target, request, signal()));
      expectFailure(err, 'server_error', status);
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('The server had an error while processing your request');
    });

    it("401 → auth with OpenAI's message and never the API key", async () => {
      fake.setMode({ kind: 'unauthorized' });
      const err = await failure(() => provider.chat(target, request, signal()));
      expectFailure(err, 'auth', 401);
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('Incorrect API key provided');
      expect(err.message).toContain('invalid_api_key');
    });

    it('a wrong key is rejected by the fake with the masked key only', async () => {
      const err = await failure(() =>
        provider.chat({ ...target, apiKey: 'sk-wrong-0000000000000000000000000000' }, request, signal()),
      );
      expect(err.failure).toBe('auth');
      expect(err.message).not.toContain('sk-wrong-0000000000000000000000000000');
      expect(err.message).toMatch(/sk-wrong\*+0000/);
    });

    it('redacts the API key when an upstream echoes it back in full', async () => {
      fake.setMode({
        kind: 'error',
        status: 403,
        body: { error: { message: `key ${API_KEY} is not allowed`, type: 'permission_error', code: null } },
      });
      const err = await failure(() => provider.chat(target, request, signal()));
      expectFailure(err, 'auth', 403);
      expect(err.message).toContain('key [redacted] is not allowed');
    });

    it('404 model_not_found → not_found', async () => {
      const err = await failure(() => provider.chat(target, { ...request, model: 'gpt-nope' }, signal()));
      expectFailure(err, 'not_found', 404);
      expect(err.message).toContain('The model `gpt-nope` does not exist');
    });

    it.each([400, 413, 422])('%i → bad_request', async (status) => {
      fake.setMode({
        kind: 'error',
        status,
        body: {
          error: {
            message: 'Invalid value for messages',
            type: 'invalid_request_error',
            param: 'messages',
            code: null,
          },
        },
      });
      const err = await failure(() => provider.chat(target, request, signal()));
      expectFailure(err, 'bad_request', status);
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('Invalid value for messages');
    });

    it("uses vLLM's top-level message and plain-text bodies too", async () => {
      fake.setMode({
        kind: 'error',
        status: 400,
        body: { object: 'error', message: 'max_tokens is too large', type: 'BadRequestError', code: 400 },
      });
      expect((await failure(() => provider.chat(target, request, signal()))).message).toContain(
        'max_tokens is too large',
      );
    });

    it('a hanging upstream → timeout when the caller aborts (chat, stream, embed)', async () => {
      fake.setMode({ kind: 'hang' });
      const started = Date.now();
      const chat = await failure(() => provider.chat(target, request, AbortSignal.timeout(150)));
      expectFailure(chat, 'timeout', undefined);
      expect(chat.retryable).toBe(true);
      const stream = await failure(() =>
        collect(provider.chatStream(target, request, AbortSignal.timeout(150))),
      );
      expectFailure(stream, 'timeout', undefined);
      const embed = await failure(() =>
        provider.embed(target, { model: 'text-embedding-3-small', input: ['a'] }, AbortSignal.timeout(150)),
      );
      expectFailure(embed, 'timeout', undefined);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('an unreachable upstream → network', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));

      const err = await failure(() =>
        provider.chat({ ...target, endpoint: `http://127.0.0.1:${port}/v1` }, request, signal()),
      );
      expectFailure(err, 'network', undefined);
      expect(err.message).toContain('ECONNREFUSED');
    });
  });

  it('reuses keep-alive connections across calls, streams included', async () => {
    for (let i = 0; i < 4; i++) {
      await provider.chat(target, request, signal());
      await collect(provider.chatStream(target, request, signal()));
      await provider.embed(target, { model: 'text-embedding-3-small', input: ['a'] }, signal());
    }
    // undici hands a finished socket back to its pool a tick later, so sequential calls may alternate
    // between two connections; a stream that dropped its connection would show up as a new port.
    const ports = new Set(fake.requests.map((r) => r.remotePort));
    expect(fake.requests).toHaveLength(12);
    expect(ports.size).toBeLessThanOrEqual(2);
  });
});

describe('OpenAiCompatibleProvider on a slow stream', () => {
  let fake: FakeOpenAi;
  let target: ProviderTarget;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ apiKey: API_KEY, streamChunkDelayMs: 60 });
    target = { serviceType: 'openai', endpoint: fake.url, apiKey: API_KEY };
  });
  afterAll(() => fake.close());

  it('an abort after the first delta → timeout from the iterator', async () => {
    const events: ChatStreamEvent[] = [];
    const err = await failure(async () => {
      for await (const e of provider.chatStream(target, request, AbortSignal.timeout(200))) events.push(e);
    });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'delta')).toBe(true);
    expectFailure(err, 'timeout', undefined);
  });

  it('a caller that stops early releases the stream at once', async () => {
    const started = Date.now();
    for await (const e of provider.chatStream(target, request, signal())) {
      expect(e.type).toBe('delta');
      break;
    }
    expect(Date.now() - started).toBeLessThan(500);
    expect((await provider.chat(target, request, signal())).content).toBe(reply);
  });
});

describe('OpenAiCompatibleProvider without a key (vLLM / Ollama style)', () => {
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
  });
  afterAll(() => fake.close());

  it.each(['vllm', 'ollama'])(
    '%s: sends no Authorization header when the key is empty',
    async (serviceType) => {
      fake.requests.length = 0;
      const target = { serviceType, endpoint: `${fake.url}/`, apiKey: '' };
      const result = await provider.chat(target, request, signal());
      expect(result.content).toBe(reply);
      expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
      expect(fake.requests[0]!.headers.authorization).toBeUndefined();
    },
  );

  it.each(['vllm', 'ollama', 'azure-openai', 'something-new'])(
    '%s without an endpoint → bad_request, nothing sent',
    async (serviceType) => {
      const target = { serviceType, endpoint: null, apiKey: 'k' };
      const err = await failure(() => provider.chat(target, request, signal()));
      expect(err.failure).toBe('bad_request');
      expect(err.message).toContain(serviceType);
      // The request cannot even be built, so nothing is sent.
      expect(() => upstreamRequest(target, 'chat/completions', 'm')).toThrow(ProviderError);
    },
  );
});

describe('OpenAiCompatibleProvider against a fake Azure OpenAI', () => {
  let fake: FakeOpenAi;
  let target: ProviderTarget;
  beforeAll(async () => {
    fake = await startFakeOpenAi({ azure: { apiKey: AZURE_KEY, deployments: ['chat-prod', 'embed-prod'] } });
    target = { serviceType: 'azure-openai', endpoint: `${fake.origin}/`, apiKey: AZURE_KEY };
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.setMode({ kind: 'ok' });
    fake.requests.length = 0;
  });

  it('calls the deployment path with api-version and the api-key header', async () => {
    const result = await provider.chat(target, { ...request, model: 'chat-prod', maxTokens: 64 }, signal());
    expect(result).toMatchObject({ content: reply, finishReason: 'stop', model: 'gpt-4o-2024-08-06' });
    expect(result.usage?.promptTokens).toBe(expectedPrompt);

    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/deployments/chat-prod/chat/completions');
    expect(sent.query).toEqual({ 'api-version': AZURE_OPENAI_DEFAULT_API_VERSION });
    expect(sent.headers['api-key']).toBe(AZURE_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toMatchObject({ max_tokens: 64 });
  });

  it('takes api-version from target.options and accepts an endpoint ending in /openai', async () => {
    await provider.chat(
      { ...target, endpoint: `${fake.origin}/openai`, options: { apiVersion: '2025-04-01-preview' } },
      { ...request, model: 'chat-prod' },
      signal(),
    );
    expect(fake.requests[0]!.path).toBe('/openai/deployments/chat-prod/chat/completions');
    expect(fake.requests[0]!.query['api-version']).toBe('2025-04-01-preview');
  });

  it("streams past Azure's empty content-filter chunk", async () => {
    const events = await collect(provider.chatStream(target, { ...request, model: 'chat-prod' }, signal()));
    expect(
      events
        .filter((e) => e.type === 'delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe(reply);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      id: expect.stringMatching(/^chatcmpl-fake\d+$/),
      model: 'gpt-4o-2024-08-06',
      finishReason: 'stop',
      usage: { promptTokens: expectedPrompt, completionTokens: expectedCompletion },
    });
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('embeds through the embeddings deployment', async () => {
    const result = await provider.embed(target, { model: 'embed-prod', input: ['a', 'b'] }, signal());
    expect(result.vectors).toHaveLength(2);
    expect(fake.requests[0]!.path).toBe('/openai/deployments/embed-prod/embeddings');
    expect(fake.requests[0]!.query['api-version']).toBe(AZURE_OPENAI_DEFAULT_API_VERSION);
  });

  it("a wrong api-key → auth with Azure's message, key not leaked", async () => {
    const err = await failure(() =>
      provider.chat(
        { ...target, apiKey: 'wrong-key-1234567890' },
        { ...request, model: 'chat-prod' },
        signal(),
      ),
    );
    expectFailure(err, 'auth', 401);
    expect(err.message).toContain('Access denied due to invalid subscription key or wrong API endpoint');
    expect(err.message).not.toContain('wrong-key-1234567890');
  });

  it('an unknown deployment → not_found (DeploymentNotFound)', async () => {
    const err = await failure(() => provider.chat(target, { ...request, model: 'gpt-4o' }, signal()));
    expectFailure(err, 'not_found', 404);
    expect(err.message).toContain('DeploymentNotFound');
  });

  it('rejects what Azure rejects: Bearer instead of api-key, and no api-version', async () => {
    const bearer = await fetch(
      `${fake.origin}/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${AZURE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: request.messages }),
      },
    );
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toMatchObject({
      statusCode: 401,
      message: expect.stringContaining('Access token'),
    });

    const noVersion = await fetch(`${fake.origin}/openai/deployments/chat-prod/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': AZURE_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: request.messages }),
    });
    expect(noVersion.status).toBe(404);
    expect(await noVersion.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
  });
});

describe('OpenAiCompatibleProvider default base URLs', () => {
  it.each([
    ['openai', 'https://api.openai.com/v1/chat/completions'],
    ['deepseek', 'https://api.deepseek.com/chat/completions'],
    ['qwen', 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions'],
    ['groq', 'https://api.groq.com/openai/v1/chat/completions'],
    ['openrouter', 'https://openrouter.ai/api/v1/chat/completions'],
    ['moonshot', 'https://api.moonshot.cn/v1/chat/completions'],
  ])('%s → %s with Bearer auth', (serviceType, url) => {
    expect(
      upstreamRequest({ serviceType, endpoint: null, apiKey: API_KEY }, 'chat/completions', 'm'),
    ).toEqual({
      url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    });
  });
});
