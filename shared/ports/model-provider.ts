/**
 * The gateway's one view of an AI provider. Every adapter (OpenAI-compatible, Anthropic Messages,
 * Gemini generateContent, Bedrock Converse) translates this canonical shape to and from its
 * provider's documented wire format, usage included, so routing, metering and quotas never see a
 * provider-specific field.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  /** The model as the upstream knows it (an Azure deployment name, a Bedrock model id, ...). */
  model: string;
  messages: ChatMessage[];
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  stop?: string[] | undefined;
  /** OpenAI's `response_format`, for the upstreams that speak it (OpenAI-compatible ones). */
  responseFormat?: Record<string, unknown> | undefined;
}

export interface TokenUsage {
  /** All input tokens, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  /** The part of promptTokens served from the provider's prompt cache (priced differently). */
  cachedPromptTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export interface ChatResult {
  /** The provider's response id. */
  id: string;
  /** The model that answered, as the provider reports it. */
  model: string;
  content: string;
  finishReason: FinishReason;
  /** null only when the provider reported none (the caller then estimates and flags it). */
  usage: TokenUsage | null;
}

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; id: string; model: string; finishReason: FinishReason; usage: TokenUsage | null };

export interface EmbeddingRequest {
  model: string;
  input: string[];
}

export interface EmbeddingResult {
  model: string;
  vectors: number[][];
  usage: { promptTokens: number } | null;
}

/** Where and as whom to call: resolved from an AiAccount and its credential. */
export interface ProviderTarget {
  serviceType: string;
  /** Base URL; null means the provider's public default. */
  endpoint: string | null;
  apiKey: string;
  /** Provider-specific settings, e.g. Azure `apiVersion`, Bedrock `region`. */
  options?: Readonly<Record<string, string>>;
}

/** Why a call failed, in the terms the router acts on (retry elsewhere or give up). */
export type ProviderFailure =
  'rate_limited' | 'server_error' | 'timeout' | 'network' | 'auth' | 'bad_request' | 'not_found';

export class ProviderError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly status?: number,
    /** From Retry-After (or the provider's equivalent), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** 429, 5xx, timeouts and network errors may succeed on another account. */
  get retryable(): boolean {
    return ['rate_limited', 'server_error', 'timeout', 'network'].includes(this.failure);
  }
}

export interface ModelProvider {
  chat(target: ProviderTarget, request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /** Yields deltas, then exactly one `done`; throws ProviderError before the first delta on failure. */
  chatStream(
    target: ProviderTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): AsyncIterable<ChatStreamEvent>;
  embed(target: ProviderTarget, request: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult>;
}
