/**
 * Google Gemini API (Generative Language API, v1beta), plain, streaming and batch embeddings, over
 * global fetch.
 *
 * Wire format followed:
 * - `models.generateContent` reference (ai.google.dev/api/generate-content):
 *   `POST {base}/v1beta/{model=models/*}:generateContent` with the `x-goog-api-key` header;
 *   `contents[{role:'user'|'model', parts:[{text}]}]`, `systemInstruction{parts}`,
 *   `generationConfig{maxOutputTokens,temperature,topP,stopSequences}`; response
 *   `candidates[].content.parts[].text`, `candidates[].finishReason`, `promptFeedback.blockReason`
 *   (only when no candidate was produced), `responseId`, `modelVersion` (GenerateContentResponse JSON
 *   representation, also in the Vertex AI REST reference).
 * - `FinishReason` (googleapis.github.io/js-genai, enum types.FinishReason): STOP, MAX_TOKENS, SAFETY,
 *   RECITATION, LANGUAGE, OTHER, BLOCKLIST, PROHIBITED_CONTENT, SPII, MALFORMED_FUNCTION_CALL,
 *   IMAGE_SAFETY, UNEXPECTED_TOOL_CALL, FINISH_REASON_UNSPECIFIED.
 * - `UsageMetadata` (js-genai GenerateContentResponseUsageMetadata): promptTokenCount ("when
 *   cached_content is set, this also includes the number of tokens in the cached content"),
 *   cachedContentTokenCount, candidatesTokenCount, thoughtsTokenCount, totalTokenCount.
 * - `models.streamGenerateContent` with `?alt=sse`: each SSE `data:` is one whole
 *   GenerateContentResponse; there is no end sentinel, the last chunk carries finishReason and usage.
 * - `models.batchEmbedContents` reference (developers.generativeai.google/api/rest/v1beta/models/
 *   batchEmbedContents): body `{requests:[{model:'models/…', content:{parts:[{text}]}}]}`, response
 *   `{embeddings:[{values}]}` in request order; the documented response carries no token usage.
 * - Errors (ai.google.dev/gemini-api/docs/troubleshooting; the google.rpc error model
 *   `{error:{code,message,status,details}}`): 400 INVALID_ARGUMENT / FAILED_PRECONDITION, 403
 *   PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED, 500 INTERNAL, 503 UNAVAILABLE, 504
 *   DEADLINE_EXCEEDED. A bad key is a 400 whose details hold ErrorInfo reason API_KEY_INVALID (as
 *   reported in google-gemini/gemini-cli#25198 and others); a 429 may hold
 *   `google.rpc.RetryInfo.retryDelay` ("41s").
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

const PROVIDER = 'Gemini';
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

interface GeminiPart {
  text?: string;
  thought?: boolean;
}

interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

interface GeminiResponse {
  candidates?: { content?: { parts?: GeminiPart[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
}

interface GeminiError {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; reason?: string; retryDelay?: string }[];
}

/** Speaks the Gemini API's generateContent family. */
export class GeminiProvider implements ModelProvider {
  async chat(target: ProviderTarget, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const res = await post(target, `${modelPath(request.model)}:generateContent`, toWire(request), signal);
    const body = (await readJson(res, signal, PROVIDER)) as GeminiResponse;
    const candidate = body.candidates?.[0];
    return {
      id: body.responseId ?? '',
      model: body.modelVersion ?? request.model,
      content: textOf(candidate?.content?.parts),
      finishReason: candidate ? finishReason(candidate.finishReason) : blockedOrOther(body),
      usage: toUsage(body.usageMetadata),
    };
  }

  async *chatStream(
    target: ProviderTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): AsyncIterable<ChatStreamEvent> {
    const res = await post(
      target,
      `${modelPath(request.model)}:streamGenerateContent?alt=sse`,
      toWire(request),
      signal,
    );
    if (!res.body) throw new ProviderError('network', 'Gemini stream has no body');
    let id = '';
    let model = request.model;
    let finish: FinishReason | null = null;
    let usage: GeminiUsage | undefined;
    for await (const sse of readSseEvents(res.body, (err) => transportError(err, signal, PROVIDER))) {
      const chunk = parseJson(sse.data) as GeminiResponse | undefined;
      if (!chunk) continue;
      if (chunk.responseId) id = chunk.responseId;
      if (chunk.modelVersion) model = chunk.modelVersion;
      // Every chunk may carry usageMetadata; counts are running totals, the last one is final.
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      const candidate = chunk.candidates?.[0];
      const text = textOf(candidate?.content?.parts);
      if (text) yield { type: 'delta', text };
      if (candidate?.finishReason) finish = finishReason(candidate.finishReason);
      else if (!candidate && chunk.promptFeedback?.blockReason) finish = 'content_filter';
    }
    // The stream has no end sentinel: an answer without a finishReason was cut off.
    if (finish === null) throw new ProviderError('network', 'Gemini stream ended before a finishReason');
    yield { type: 'done', id, model, finishReason: finish, usage: toUsage(usage) };
  }

  async embed(
    target: ProviderTarget,
    request: EmbeddingRequest,
    signal: AbortSignal,
  ): Promise<EmbeddingResult> {
    const name = modelName(request.model);
    const body = {
      requests: request.input.map((text) => ({ model: name, content: { parts: [{ text }] } })),
    };
    const res = await post(target, `${modelPath(request.model)}:batchEmbedContents`, body, signal);
    const parsed = (await readJson(res, signal, PROVIDER)) as { embeddings?: { values?: number[] }[] };
    const vectors = (parsed.embeddings ?? []).map((e) => e.values ?? []);
    if (vectors.length !== request.input.length) {
      throw new ProviderError(
        'server_error',
        `Gemini returned ${vectors.length} embeddings for ${request.input.length} inputs`,
      );
    }
    // batchEmbedContents documents no token counts; null lets the caller estimate and flag it.
    return { model: request.model, vectors, usage: null };
  }
}

/** `gemini-2.5-flash` → `models/gemini-2.5-flash`; already-qualified names (`tunedModels/…`) pass through. */
function modelName(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

function modelPath(model: string): string {
  return modelName(model).split('/').map(encodeURIComponent).join('/');
}

function toWire(request: ChatRequest): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system');
  const generationConfig = {
    ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.stop?.length ? { stopSequences: request.stop } : {}),
  };
  return {
    contents: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
    ...(system.length ? { systemInstruction: { parts: system.map((m) => ({ text: m.content })) } } : {}),
    ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
  };
}

/** Thought summaries (`thought: true`) are not part of the answer. */
function textOf(parts: GeminiPart[] | undefined): string {
  return (parts ?? [])
    .filter((p) => !p.thought && typeof p.text === 'string')
    .map((p) => p.text)
    .join('');
}

/**
 * promptTokenCount already includes cachedContentTokenCount. Thinking tokens are billed as output,
 * so completionTokens counts candidates plus thoughts.
 */
function toUsage(usage: GeminiUsage | undefined): TokenUsage | null {
  if (!usage || typeof usage.promptTokenCount !== 'number') return null;
  return {
    promptTokens: usage.promptTokenCount,
    completionTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
    cachedPromptTokens: usage.cachedContentTokenCount ?? 0,
  };
}

const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'MODEL_ARMOR',
]);

function finishReason(reason: string | undefined): FinishReason {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  return 'other';
}

/** No candidates at all means the prompt itself was blocked (promptFeedback.blockReason). */
function blockedOrOther(body: GeminiResponse): FinishReason {
  return body.promptFeedback?.blockReason ? 'content_filter' : 'other';
}

async function post(
  target: ProviderTarget,
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<Response> {
  const base = trimSlashes(target.endpoint ?? DEFAULT_BASE_URL);
  const headers = { 'x-goog-api-key': target.apiKey, 'content-type': 'application/json' };
  const res = await postJson(`${base}/v1beta/${path}`, headers, body, signal, (err) =>
    transportError(err, signal, PROVIDER),
  );
  if (res.ok) return res;
  const text = await errorBodyText(res);
  const parsed = parseJson(text) as { error?: GeminiError } | undefined;
  const error = parsed?.error ?? { message: text.slice(0, 200) || res.statusText };
  throw errorFromBody(error, res.status, res.headers, target.apiKey);
}

function errorFromBody(error: GeminiError, status: number, headers: Headers, apiKey: string): ProviderError {
  const invalidKey = error.details?.some((d) => d.reason === 'API_KEY_INVALID') ?? false;
  const failure = invalidKey ? 'auth' : failureForStatus(status);
  const detail = redactSecrets(error.message ?? '', [apiKey]);
  const message = `Gemini ${status} ${error.status ?? 'UNKNOWN'}: ${detail}`;
  const retryAfter =
    failure === 'rate_limited' ? (retryAfterMs(headers) ?? retryInfoDelay(error)) : undefined;
  return new ProviderError(failure, message, status, retryAfter);
}

/** google.rpc.RetryInfo.retryDelay is a protobuf Duration in JSON: "41s" or "0.5s". */
function retryInfoDelay(error: GeminiError): number | undefined {
  const info = error.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  const match = /^(\d+(?:\.\d+)?)s$/.exec(info?.retryDelay ?? '');
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
