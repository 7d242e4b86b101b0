/**
 * Anthropic Messages API (`POST /v1/messages`), plain and streaming, over global fetch.
 *
 * Wire format followed (request, response, SSE events, errors):
 * - Messages API reference (docs.anthropic.com/en/api/messages; the CreateMessageRequest schema as
 *   published in api-evangelist/claude): headers `x-api-key`, `anthropic-version: 2023-06-01`,
 *   `content-type`; top-level `system`; required `max_tokens`; `stop_sequences`, `temperature`,
 *   `top_p`; response `content[]` text blocks, `stop_reason`, `usage`.
 * - Streaming Messages (platform.claude.com/docs/en/build-with-claude/streaming): `message_start`
 *   (message with usage), `content_block_start/delta/stop` (`text_delta`), `message_delta`
 *   (stop_reason, cumulative usage), `message_stop`, `ping`, and in-stream `error` events
 *   (e.g. overloaded_error); unknown event types must be ignored.
 * - Errors (docs.claude.com/en/api/errors; the same table on learn.microsoft.com's Dev Proxy page
 *   "Anthropic 529 overloaded_error"): `{type:'error', error:{type, message}, request_id}`; 400
 *   invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 *   413 request_too_large, 429 rate_limit_error with `retry-after`, 500 api_error, 529
 *   overloaded_error.
 * - The official TypeScript SDK in node_modules (@anthropic-ai/sdk 1.13: `Usage`,
 *   `MessageDeltaUsage`, `StopReason`, `ErrorType` in resources/messages, the status → error class
 *   table in core/error.js, retry-after parsing in client.js) for exact field and enum names.
 */
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  ModelProvider,
  ProviderFailure,
  ProviderTarget,
  TokenUsage,
} from '../../ports/model-provider';
import { ProviderError } from '../../ports/model-provider';
import {
  errorBodyText,
  failureForStatus,
  parseJson,
  postJson,
  readJson,
  readSseEvents,
  redactSecrets,
  retryAfterMs,
  transportError,
  trimSlashes,
} from './http';

const PROVIDER = 'Anthropic';
const DEFAULT_BASE_URL = 'https://api.anthropic.com';
const API_VERSION = '2023-06-01';
/** Anthropic requires max_tokens; used when the caller sets none. */
const DEFAULT_MAX_TOKENS = 1024;

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

interface AnthropicMessage {
  id: string;
  model: string;
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

interface AnthropicErrorBody {
  type?: string;
  error?: { type?: string; message?: string };
}

type StreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_delta'; index: number; delta: { type: string; text?: string } }
  | { type: 'message_delta'; delta: { stop_reason?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'error'; error?: { type?: string; message?: string } }
  | { type: 'ping' | 'content_block_start' | 'content_block_stop' };

/** Speaks Anthropic's Messages API; Anthropic offers no embeddings endpoint. */
export class AnthropicProvider implements ModelProvider {
  async chat(target: ProviderTarget, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const res = await post(target, toWire(request, false), signal);
    const body = (await readJson(res, signal, PROVIDER)) as AnthropicMessage;
    const content = (body.content ?? [])
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    return {
      id: body.id,
      model: body.model,
      content,
      finishReason: finishReason(body.stop_reason),
      usage: toUsage(body.usage),
    };
  }

  async *chatStream(
    target: ProviderTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): AsyncIterable<ChatStreamEvent> {
    const res = await post(target, toWire(request, true), signal);
    if (!res.body) throw new ProviderError('network', 'Anthropic stream has no body');
    let id = '';
    let model = request.model;
    let stopReason: string | null | undefined;
    let usage: AnthropicUsage | undefined;
    for await (const sse of readSseEvents(res.body, (err) => transportError(err, signal, PROVIDER))) {
      const event = parseJson(sse.data) as StreamEvent | undefined;
      if (!event) continue;
      switch (event.type) {
        case 'message_start':
          id = event.message.id;
          model = event.message.model;
          usage = event.message.usage ? { ...event.message.usage } : undefined;
          break;
        case 'content_block_delta': {
          const text = event.delta.type === 'text_delta' ? event.delta.text : undefined;
          if (text) yield { type: 'delta', text };
          break;
        }
        case 'message_delta':
          stopReason = event.delta.stop_reason ?? stopReason;
          // message_delta usage is cumulative; newer API versions also repeat input counts here.
          if (event.usage) usage = { ...usage, ...definedFields(event.usage) };
          break;
        case 'message_stop':
          yield { type: 'done', id, model, finishReason: finishReason(stopReason), usage: toUsage(usage) };
          return;
        case 'error':
          throw streamError(event.error, target);
        default:
          break; // ping, content_block_start/stop and future event types are ignored, as documented
      }
    }
    throw new ProviderError('network', 'Anthropic stream ended before message_stop');
  }

  embed(_target: ProviderTarget, _request: EmbeddingRequest, _signal: AbortSignal): Promise<EmbeddingResult> {
    return Promise.reject(new ProviderError('bad_request', 'Anthropic has no embeddings API'));
  }
}

function toWire(request: ChatRequest, stream: boolean): Record<string, unknown> {
  const system = request.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(system ? { system } : {}),
    messages: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role, content: m.content })),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.stop?.length ? { stop_sequences: request.stop } : {}),
    ...(stream ? { stream: true } : {}),
  };
}

/**
 * Anthropic's input_tokens excludes prompt-cache reads and writes, which it reports separately;
 * the canonical promptTokens is every input token, so it is the sum of all three, and
 * cachedPromptTokens is the cache reads (cache writes are billed as input, at a premium).
 */
function toUsage(usage: AnthropicUsage | undefined): TokenUsage | null {
  if (!usage || typeof usage.input_tokens !== 'number') return null;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: usage.input_tokens + cacheRead + cacheWrite,
    completionTokens: usage.output_tokens ?? 0,
    cachedPromptTokens: cacheRead,
  };
}

function finishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

function definedFields(usage: AnthropicUsage): AnthropicUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => typeof v === 'number'));
}

async function post(target: ProviderTarget, body: unknown, signal: AbortSignal): Promise<Response> {
  const base = trimSlashes(target.endpoint ?? DEFAULT_BASE_URL);
  const headers = {
    'x-api-key': target.apiKey,
    'anthropic-version': API_VERSION,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const res = await postJson(`${base}/v1/messages`, headers, body, signal, (err) =>
    transportError(err, signal, PROVIDER),
  );
  if (res.ok) return res;
  const text = await errorBodyText(res);
  const parsed = parseJson(text) as AnthropicErrorBody | undefined;
  const type = parsed?.error?.type ?? 'unknown_error';
  const message = redactSecrets(parsed?.error?.message ?? (text.slice(0, 200) || res.statusText), [
    target.apiKey,
  ]);
  throw new ProviderError(
    // 402 billing_error is the account's fault, not the request's (529 overloaded_error is a 5xx).
    res.status === 402 ? 'auth' : failureForStatus(res.status),
    `Anthropic ${res.status} ${type}: ${message}`,
    res.status,
    res.status === 429 || res.status === 529 ? retryAfterMs(res.headers) : undefined,
  );
}

function streamError(
  error: { type?: string; message?: string } | undefined,
  target: ProviderTarget,
): ProviderError {
  const type = error?.type ?? 'unknown_error';
  const failure: ProviderFailure = ERROR_TYPE_FAILURE[type] ?? 'server_error';
  return new ProviderError(
    failure,
    `Anthropic stream error ${type}: ${redactSecrets(error?.message ?? '', [target.apiKey])}`,
  );
}

/** In-stream errors carry only the error type; these are the statuses the errors page pairs them with. */
const ERROR_TYPE_FAILURE: Record<string, ProviderFailure> = {
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  not_found_error: 'not_found',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
  api_error: 'server_error',
  overloaded_error: 'server_error',
};
