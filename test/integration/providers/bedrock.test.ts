/** BedrockProvider (AWS SDK Converse/ConverseStream) against a fake Bedrock Runtime speaking REST-JSON + event streams. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockProvider } from '../../../shared/adapters/providers/bedrock';
import type { ChatRequest, ChatStreamEvent, ProviderTarget } from '../../../shared/ports/model-provider';
import { ProviderError } from '../../../shared/ports/model-provider';
import type { FakeBedrock, FakeBedrockMode } from '../../factories/fake-bedrock';
import { credentialScope, startFakeBedrock } from '../../factories/fake-bedrock';
import { estimateTokens } from '../../factories/fake-upstream';

const ACCESS_KEY_ID = 'FAKEACCESSKEY0123456';
const SECRET = 'fakeSecretKey/0123456789abcdefghijklmnopqr';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const REPLY = 'Paris is the capital of France. It sits on the Seine.';

let fake: FakeBedrock;
let target: ProviderTarget;
const provider = new BedrockProvider();

beforeAll(async () => {
  fake = await startFakeBedrock({ reply: REPLY });
  target = {
    serviceType: 'bedrock',
    endpoint: fake.url,
    apiKey: '',
    options: { region: 'us-west-2', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
  };
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok', { reply: REPLY, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 });
  fake.requests.length = 0;
});

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
    { role: 'assistant', content: 'Do you mean today?' },
    { role: 'user', content: 'Yes.' },
  ],
  ...over,
});

const signal = () => AbortSignal.timeout(5_000);
const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);

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

const inputTokens = estimateTokens(
  ['You are terse.', 'What is the capital of France?', 'Do you mean today?', 'Yes.'].join('\n'),
);

describe('chat (Converse)', () => {
  it('sends a SigV4-signed Converse request and maps the answer', async () => {
    const result = await provider.chat(
      target,
      request({ maxTokens: 200, temperature: 0.1, topP: 0.7, stop: ['###'] }),
      signal(),
    );

    const sent = fake.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.rawUrl).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(sent.path).toBe(`/model/${MODEL}/converse`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(credentialScope(sent.headers.authorization as string)).toMatchObject({
      accessKeyId: ACCESS_KEY_ID,
      region: 'us-west-2',
      service: 'bedrock',
      signedHeaders: expect.arrayContaining(['x-amz-date', 'x-amz-content-sha256', 'content-type']),
    });
    expect(JSON.stringify(sent.headers)).not.toContain(SECRET);
    expect(sent.body).toEqual({
      messages: [
        { role: 'user', content: [{ text: 'What is the capital of France?' }] },
        { role: 'assistant', content: [{ text: 'Do you mean today?' }] },
        { role: 'user', content: [{ text: 'Yes.' }] },
      ],
      system: [{ text: 'You are terse.' }],
      inferenceConfig: { maxTokens: 200, temperature: 0.1, topP: 0.7, stopSequences: ['###'] },
    });

    expect(result).toEqual({
      id: uuid,
      model: MODEL,
      content: REPLY,
      finishReason: 'stop',
      usage: { promptTokens: inputTokens, completionTokens: estimateTokens(REPLY), cachedPromptTokens: 0 },
    });
  });

  it('omits system and inferenceConfig when absent and defaults the region to us-east-1', async () => {
    const noRegion = { ...target, options: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } };
    await provider.chat(noRegion, { model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }, signal());
    const sent = fake.requests[0]!;
    expect(sent.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
    expect(credentialScope(sent.headers.authorization as string)).toMatchObject({
      region: 'us-east-1',
      service: 'bedrock',
    });
  });

  it('counts cache reads and writes into promptTokens and reports the reads as cached', async () => {
    fake.setMode('ok', { cacheReadInputTokens: 900, cacheWriteInputTokens: 100 });
    const result = await provider.chat(target, request(), signal());
    expect(result.usage).toEqual({
      promptTokens: inputTokens + 1000,
      completionTokens: estimateTokens(REPLY),
      cachedPromptTokens: 900,
    });
  });

  it('maps max_tokens to length, stop_sequence to stop and guardrail_intervened to content_filter', async () => {
    expect(await provider.chat(target, request({ maxTokens: 2 }), signal())).toMatchObject({
      finishReason: 'length',
      content: REPLY.slice(0, 8),
    });
    expect(await provider.chat(target, request({ stop: ['.'] }), signal())).toMatchObject({
      finishReason: 'stop',
      content: 'Paris is the capital of France',
    });
    fake.setMode('guardrail');
    expect((await provider.chat(target, request(), signal())).finishReason).toBe('content_filter');
  });

  it('uses the default credential chain when the target has no static keys', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'FAKEKEYFROMENVIRON01';
    process.env.AWS_SECRET_ACCESS_KEY = 'secretFromTheEnvironment0123456789';
    try {
      const roleTarget = { ...target, options: { region: 'eu-central-1' } };
      await provider.chat(roleTarget, request(), signal());
      expect(credentialScope(fake.requests[0]!.headers.authorization as string)).toMatchObject({
        accessKeyId: 'FAKEKEYFROMENVIRON01',
        region: 'eu-central-1',
      });
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('keeps one client per region, endpoint and access key', async () => {
    const fresh = new BedrockProvider();
    await fresh.chat(target, request(), signal());
    await fresh.chat({ ...target }, request(), signal());
    expect(fresh['clients'].size).toBe(1);
    await fresh.chat({ ...target, options: { ...target.options, region: 'eu-west-1' } }, request(), signal());
    expect(fresh['clients'].size).toBe(2);
  });
});

describe('chatStream (ConverseStream)', () => {
  it('streams contentBlockDelta text, then one done with the metadata usage', async () => {
    fake.setMode('ok', { cacheReadInputTokens: 30 });
    const { events, error, text } = await collect(provider.chatStream(target, request(), signal()));
    expect(error).toBeUndefined();
    const sent = fake.requests[0]!;
    expect(sent.rawUrl).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
    expect(credentialScope(sent.headers.authorization as string)).toMatchObject({
      region: 'us-west-2',
      service: 'bedrock',
    });
    expect(text).toBe(REPLY);
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      type: 'done',
      id: uuid,
      model: MODEL,
      finishReason: 'stop',
      usage: {
        promptTokens: inputTokens + 30,
        completionTokens: estimateTokens(REPLY),
        cachedPromptTokens: 30,
      },
    });
  });

  it('maps a throttlingException frame before any content to rate_limited', async () => {
    fake.setMode('stream_throttled');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ failure: 'rate_limited' });
  });

  it('maps a modelStreamErrorException after a delta to server_error', async () => {
    fake.setMode('stream_model_error');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([{ type: 'delta', text: 'Paris ' }]);
    expect(error).toMatchObject({ failure: 'server_error' });
  });

  it('throws network when the stream breaks after the first delta', async () => {
    fake.setMode('cut');
    const { events, error } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([{ type: 'delta', text: 'Paris ' }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).failure).toBe('network');
  });
});

describe('errors', () => {
  const cases: [FakeBedrockMode, string, number][] = [
    ['throttled', 'rate_limited', 429],
    ['unavailable', 'server_error', 503],
    ['internal', 'server_error', 500],
    ['access_denied', 'auth', 403],
    ['bad_credentials', 'auth', 403],
    ['validation', 'bad_request', 400],
    ['not_found', 'not_found', 404],
    ['model_timeout', 'timeout', 408],
  ];

  it.each(cases)('%s → %s (Converse and before the first delta)', async (mode, failure, status) => {
    fake.setMode(mode);
    const chatError = await provider.chat(target, request(), signal()).catch((e: unknown) => e);
    const { events, error: streamError } = await collect(provider.chatStream(target, request(), signal()));
    expect(events).toEqual([]);
    for (const err of [chatError, streamError]) {
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ failure, status });
      expect((err as ProviderError).message).not.toContain(SECRET);
    }
    // One attempt only: the router, not the SDK, decides about retries.
    expect(fake.requests).toHaveLength(2);
  });

  it('times out through the abort signal when the upstream hangs', async () => {
    fake.setMode('hang');
    const chatError = await provider
      .chat(target, request(), AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    const { error: streamError } = await collect(
      provider.chatStream(target, request(), AbortSignal.timeout(200)),
    );
    expect(chatError).toMatchObject({ failure: 'timeout' });
    expect(streamError).toMatchObject({ failure: 'timeout' });
  });

  it('reports network when the body is cut or nothing listens', async () => {
    fake.setMode('cut');
    await expect(provider.chat(target, request(), signal())).rejects.toMatchObject({ failure: 'network' });

    const closed = await startFakeBedrock();
    await closed.close();
    await expect(
      provider.chat({ ...target, endpoint: closed.url }, request(), signal()),
    ).rejects.toMatchObject({
      failure: 'network',
    });
  });

  it('refuses embeddings', async () => {
    await expect(
      provider.embed(target, { model: 'amazon.titan-embed-text-v2:0', input: ['a'] }, signal()),
    ).rejects.toMatchObject({
      failure: 'bad_request',
    });
    expect(fake.requests).toHaveLength(0);
  });
});
