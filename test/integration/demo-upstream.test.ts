/** The labelled demo upstream speaks OpenAI's format well enough for the real adapter, both ways. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS, startDemoUpstream, type DemoUpstream } from '../../infra/local/demo-upstream';
import { OpenAiCompatibleProvider } from '../../shared/adapters/providers/openai-compatible';
import type { ChatStreamEvent } from '../../shared/ports/model-provider';

let demo: DemoUpstream;
const provider = new OpenAiCompatibleProvider();
const target = () => ({ serviceType: 'vllm', endpoint: demo.url, apiKey: '' });
const request = { model: DEMO_MODELS[0], messages: [{ role: 'user' as const, content: 'hello demo world' }] };

beforeAll(async () => {
  demo = await startDemoUpstream();
});
afterAll(async () => demo?.close());

describe('demo upstream', () => {
  it('answers a labelled echo with usage', async () => {
    const result = await provider.chat(target(), request, AbortSignal.timeout(5_000));
    expect(result.content).toBe('[demo upstream] You said: hello demo world');
    expect(result.usage).toEqual({ promptTokens: 10, completionTokens: 11, cachedPromptTokens: 0 });
    expect(result.finishReason).toBe('stop');
  });

  it('streams deltas and a final usage chunk, honouring max tokens', async () => {
    const events: ChatStreamEvent[] = [];
    for await (const e of provider.chatStream(
      target(),
      { ...request, maxTokens: 5 },
      AbortSignal.timeout(5_000),
    ))
      events.push(e);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'length' });
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text.startsWith('[demo upstream]')).toBe(true);
    expect(done?.type === 'done' && done.usage?.completionTokens).toBeLessThanOrEqual(5);
  });

  it('refuses unknown models the way OpenAI does', async () => {
    await expect(
      provider.chat(target(), { ...request, model: 'gpt-4o' }, AbortSignal.timeout(5_000)),
    ).rejects.toMatchObject({
      failure: 'not_found',
    });
  });
});
