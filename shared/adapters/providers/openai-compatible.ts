/*
 * OpenAI Chat Completions and Embeddings, as spoken by OpenAI and the services that copy its wire format.
 * Documents followed:
 * - OpenAI API reference: "Create chat completion", "The chat completion object", "The chat completion chunk
 *   object" (https://platform.openai.com/docs/api-reference/chat); `stream_options.include_usage` adds one
 *   chunk with `choices: []` and the usage before `data: [DONE]`; `usage.prompt_tokens_details.cached_tokens`
 *   (https://platform.openai.com/docs/guides/prompt-caching); `max_completion_tokens` replaces the deprecated
 *   `max_tokens`, which o-series models reject.
 * - OpenAI "Create embeddings" (https://platform.openai.com/docs/api-reference/embeddings): `data[].index`,
 *   `usage.prompt_tokens`.
 * - OpenAI error codes (https://platform.openai.com/docs/guides/error-codes): `{error:{message,type,param,code}}`,
 *   429 with `retry-after`; `retry-after-ms` as the official openai-node client honours it (client.ts retryRequest).
 *   A stream may carry `{error}` in a data line, which openai-node raises as an APIError (core/streaming.ts).
 * - Azure OpenAI inference REST reference (https://learn.microsoft.com/azure/ai-services/openai/reference):
 *   `POST {endpoint}/openai/deployments/{deployment-id}/chat/completions?api-version=2024-10-21` (latest GA),
 *   `api-key` header, errors `{error:{code,message}}`.
 * - DeepSeek (https://api-docs.deepseek.com, "Context Caching"): base `https://api.deepseek.com`, usage adds
 *   `prompt_cache_hit_tokens` + `prompt_cache_miss_tokens` (= prompt_tokens).
 * - Qwen, DashScope compatible mode (https://help.aliyun.com/zh/model-studio/compatibility-of-openai-with-dashscope),
 *   Groq (https://console.groq.com/docs/openai), OpenRouter (https://openrouter.ai/docs/api-reference/overview),
 *   Moonshot (https://platform.moonshot.cn/docs/api/chat): same paths under their base URLs, Bearer auth.
 * - vLLM (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html) and Ollama
 *   (https://github.com/ollama/ollama/blob/main/docs/openai.md): `{host}/v1`, key optional.
 */
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  ModelProvider,
  ProviderTarget,
  TokenUsage,
} from '../../ports/model-provider';
import { ProviderError } from '../../ports/model-provider';
import { postJson, readSseEvents, redactSecrets, retryAfterMs, trimSlashes } from './http';

/** Public base URLs; serviceTypes missing here (vllm, ollama, azure-openai, ...) need `target.endpoint`. */
export const OPENAI_COMPATIBLE_BASE_URLS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  deepseek: 'https://api.deepseek.com',
  qwen: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  groq: 'https://api.groq.com/openai/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  moonshot: 'https://api.moonshot.cn/v1',
};

/** Latest GA data-plane inference version in Azure's REST reference; override with `options.apiVersion`. */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

const MAX_ERROR_MESSAGE = 500;

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  prompt_cache_hit_tokens?: number;
}

interface WireChoice {
  message?: { content?: string | null };
  delta?: { content?: string | null };
  finish_reason?: string | null;
}

interface WireChat {
  id?: string;
  model?: string;
  choices?: WireChoice[] | null;
  usage?: WireUsage | null;
  error?: { message?: unknown };
}

interface WireEmbeddings {
  model?: string;
  data?: { index: number; embedding: number[] }[];
  usage?: { prompt_tokens?: number } | null;
}

export class OpenAiCompatibleProvider implements ModelProvider {
  async chat(target: ProviderTarget, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const res = await this.post(target, 'chat/completions', request.model, chatBody(target, request), signal);
    const body = await readJson<WireChat>(res, signal, target.apiKey);
    const choice = body.choices?.[0];
    if (!choice) throw new ProviderError('server_error', 'upstream returned no choices', res.status);
    return {
      id: body.id ?? '',
      model: body.model || request.model,
      content: choice.message?.content ?? '',
      finishReason: finishReason(choice.finish_reason),
      usage: tokenUsage(body.usage),
    };
  }

  async *chatStream(
    target: ProviderTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): AsyncIterable<ChatStreamEvent> {
    const body = { ...chatBody(target, request), stream: true, stream_options: { include_usage: true } };
    const res = await this.post(target, 'chat/completions', request.model, body, signal);
    if (!res.body) throw new ProviderError('server_error', 'upstream stream has no body', res.status);

    // The body ends right after [DONE]; reading that end lets undici keep the connection alive, while
    // cancelling a body mid-flight (an early stop, an error) closes the connection.
    const events = readSseEvents(
      res.body,
      (err) => transportError(err, signal, target.apiKey, 'stream broke'),
      (event) => event.data === '[DONE]',
    );
    let id = '';
    let model = request.model;
    let finish: FinishReason | null = null;
    let usage: TokenUsage | null = null;
    const done = (): ChatStreamEvent => ({ type: 'done', id, model, finishReason: finish ?? 'other', usage });
    for await (const { data } of events) {
      if (data === '[DONE]') {
        // Yielded before the loop lets go of the body, so the drain never delays the answer.
        yield done();
        return;
      }
      const chunk = parseChunk(data, target.apiKey);
      // Azure opens with a content-filter chunk whose id and model are empty.
      if (chunk.id) id = chunk.id;
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = tokenUsage(chunk.usage);
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) yield { type: 'delta', text: choice.delta.content };
      if (choice?.finish_reason) finish = finishReason(choice.finish_reason);
    }
    // A server that closes cleanly after the finish chunk but skips [DONE] still finished the answer.
    if (finish === null) {
      throw new ProviderError('network', 'upstream stream ended before the answer finished');
    }
    yield done();
  }

  async embed(
    target: ProviderTarget,
    request: EmbeddingRequest,
    signal: AbortSignal,
  ): Promise<EmbeddingResult> {
    const res = await this.post(
      target,
      'embeddings',
      request.model,
      { model: request.model, input: request.input },
      signal,
    );
    const body = await readJson<WireEmbeddings>(res, signal, target.apiKey);
    const data = [...(body.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== request.input.length) {
      throw new ProviderError(
        'server_error',
        `upstream returned ${data.length} embeddings for ${request.input.length} inputs`,
        res.status,
      );
    }
    const promptTokens = body.usage?.prompt_tokens;
    return {
      model: body.model || request.model,
      vectors: data.map((d) => d.embedding),
      usage: typeof promptTokens === 'number' ? { promptTokens } : null,
    };
  }

  /** The one request sender: URL and auth from {@link upstreamRequest}, error mapping for every call. */
  private async post(
    target: ProviderTarget,
    operation: 'chat/completions' | 'embeddings',
    model: string,
    body: object,
    signal: AbortSignal,
  ): Promise<Response> {
    const { url, headers } = upstreamRequest(target, operation, model);
    const res = await postJson(url, headers, body, signal, (err) =>
      transportError(err, signal, target.apiKey, 'request failed'),
    );
    if (!res.ok) throw await httpError(res, signal, target.apiKey);
    return res;
  }
}

/** Where a call goes and how it authenticates: Azure's deployment routes and `api-key`, else Bearer. */
export function upstreamRequest(
  target: ProviderTarget,
  operation: 'chat/completions' | 'embeddings',
  model: string,
): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.serviceType === 'azure-openai') {
    const endpoint = requireEndpoint(target).replace(/\/openai$/, '');
    const apiVersion = target.options?.apiVersion ?? AZURE_OPENAI_DEFAULT_API_VERSION;
    headers['api-key'] = target.apiKey;
    return {
      url: `${endpoint}/openai/deployments/${encodeURIComponent(model)}/${operation}?api-version=${encodeURIComponent(apiVersion)}`,
      headers,
    };
  }
  const base = target.endpoint
    ? trimSlashes(target.endpoint)
    : (OPENAI_COMPATIBLE_BASE_URLS[target.serviceType] ?? requireEndpoint(target));
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return { url: `${base}/${operation}`, headers };
}

function chatBody(target: ProviderTarget, request: ChatRequest): Record<string, unknown> {
  // OpenAI's own API wants max_completion_tokens; Azure's GA version and the compatible servers document max_tokens.
  const maxTokensField = target.serviceType === 'openai' ? 'max_completion_tokens' : 'max_tokens';
  return {
    model: request.model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    ...(request.maxTokens !== undefined && { [maxTokensField]: request.maxTokens }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.stop?.length && { stop: request.stop }),
    ...(request.responseFormat && { response_format: request.responseFormat }),
  };
}

function requireEndpoint(target: ProviderTarget): string {
  if (!target.endpoint) {
    throw new ProviderError('bad_request', `serviceType '${target.serviceType}' needs an endpoint`);
  }
  return trimSlashes(target.endpoint);
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

function tokenUsage(usage: WireUsage | null | undefined): TokenUsage | null {
  if (!usage || typeof usage.prompt_tokens !== 'number') return null;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens ?? 0,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
  };
}

function parseChunk(data: string, apiKey: string): WireChat {
  let chunk: WireChat;
  try {
    chunk = JSON.parse(data) as WireChat;
  } catch {
    throw new ProviderError('server_error', `upstream sent a malformed stream chunk: ${clip(data, apiKey)}`);
  }
  if (chunk.error) {
    throw new ProviderError('server_error', `upstream stream error: ${clip(errorText(chunk.error), apiKey)}`);
  }
  return chunk;
}

async function readJson<T>(res: Response, signal: AbortSignal, apiKey: string): Promise<T> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw transportError(err, signal, apiKey, 'reading the response failed');
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderError(
      'server_error',
      `upstream sent malformed JSON: ${clip(text, apiKey)}`,
      res.status,
    );
  }
}

/** The one error mapper for HTTP failures. */
async function httpError(res: Response, signal: AbortSignal, apiKey: string): Promise<ProviderError> {
  let text = '';
  try {
    text = await res.text();
  } catch (err) {
    if (signal.aborted) return transportError(err, signal, apiKey, 'reading the error failed');
  }
  let message = text || res.statusText;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    // OpenAI/Azure nest it under `error`; vLLM and Azure's gateway 401 put `message` at the top.
    message = errorText(body.error ?? body.message ?? text);
  } catch {
    /* not JSON: keep the text */
  }
  const status = res.status;
  const failure =
    status === 429
      ? 'rate_limited'
      : status >= 500
        ? 'server_error'
        : status === 401 || status === 403
          ? 'auth'
          : status === 404
            ? 'not_found'
            : status >= 400
              ? 'bad_request'
              : 'server_error';
  return new ProviderError(
    failure,
    `upstream ${status}: ${clip(message, apiKey)}`,
    status,
    retryAfter(res.headers),
  );
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const { message, code } = error as { message?: unknown; code?: unknown };
    const text = typeof message === 'string' ? message : JSON.stringify(message ?? error);
    return typeof code === 'string' && code ? `${text} (${code})` : text;
  }
  return JSON.stringify(error);
}

function transportError(err: unknown, signal: AbortSignal, apiKey: string, what: string): ProviderError {
  if (signal.aborted) {
    const reason = signal.reason instanceof Error ? signal.reason.name : 'aborted';
    return new ProviderError('timeout', `${what}: aborted by caller (${reason})`);
  }
  const cause =
    err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new ProviderError('network', `${what}: ${clip(cause, apiKey)}`);
}

/** `retry-after-ms` (honoured by the official openai-node client) wins over the standard header. */
function retryAfter(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : retryAfterMs(headers);
}

/** Shortens upstream text and removes the caller's API key, which some servers echo back. */
function clip(text: string, apiKey: string): string {
  // Any non-empty key, however short: self-hosted servers (vLLM, Ollama) accept whatever key they are given.
  const safe = redactSecrets(text, [apiKey], 1);
  return safe.length > MAX_ERROR_MESSAGE ? `${safe.slice(0, MAX_ERROR_MESSAGE)}…` : safe;
}
