/**
 * A fake Gemini API (v1beta) on 127.0.0.1: `models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse` (each SSE data line one GenerateContentResponse, the last with
 * finishReason and usage) and `:batchEmbedContents`, with google.rpc-style errors
 * `{error:{code,message,status,details}}`. It checks the API key header and roles as the real API
 * does, and records every request.
 */
import type { FakeResponse, RecordedRequest } from './fake-upstream';
import { cutAfter, estimateTokens, startRecordingServer, streamPieces } from './fake-upstream';

export type FakeGeminiMode =
  | 'ok'
  /** 429 RESOURCE_EXHAUSTED with a google.rpc.RetryInfo retryDelay. */
  | 'rate_limited'
  /** 500 INTERNAL. */
  | 'server_error'
  /** 503 UNAVAILABLE (model overloaded). */
  | 'unavailable'
  /** 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, as Google answers a bad key. */
  | 'auth'
  /** 403 PERMISSION_DENIED. */
  | 'forbidden'
  /** 404 NOT_FOUND (unknown model). */
  | 'not_found'
  /** 400 INVALID_ARGUMENT. */
  | 'bad_request'
  /** The answer stops with finishReason SAFETY. */
  | 'safety'
  /** The prompt is blocked: no candidates, promptFeedback.blockReason SAFETY. */
  | 'blocked'
  /** Accepts the request and never answers. */
  | 'hang'
  /** Sends part of the answer, then drops the connection. */
  | 'cut';

export interface FakeGeminiOptions {
  mode?: FakeGeminiMode;
  /** The model's answer; default "Hello from the fake Gemini upstream." */
  reply?: string;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  /** Seconds in RetryInfo.retryDelay of a 429; default 41. */
  retryDelaySeconds?: number;
}

export interface FakeGemini {
  url: string;
  requests: RecordedRequest[];
  setMode(mode: FakeGeminiMode, options?: Omit<FakeGeminiOptions, 'mode'>): void;
  close(): Promise<void>;
}

const EMBEDDING_DIMENSIONS = 8;

export async function startFakeGemini(initial: FakeGeminiOptions = {}): Promise<FakeGemini> {
  let options: FakeGeminiOptions = { mode: 'ok', ...initial };
  let counter = 0;

  const server = await startRecordingServer((recorded, res, drop) => {
    counter += 1;
    const match = /^\/v1beta\/(.+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(
      recorded.path,
    );
    if (recorded.method !== 'POST' || !match) {
      return sendError(res, 404, 'NOT_FOUND', `${recorded.method} ${recorded.path} is not a Gemini method`);
    }
    const [, modelName = '', method] = match;
    if (!recorded.headers['x-goog-api-key'] && !recorded.query.get('key')) {
      return sendError(
        res,
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }

    const mode = options.mode ?? 'ok';
    if (mode === 'hang') return;
    if (sendModeError(res, mode, modelName, method ?? '', options)) return;

    if (method === 'batchEmbedContents') return embed(res, drop, recorded, modelName, mode);

    const body = recorded.body as WireRequest | undefined;
    const badRole = body?.contents?.find((c) => c.role !== 'user' && c.role !== 'model');
    if (!body?.contents?.length || badRole) {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'Please use a valid role: user, model.');
    }

    const promptText = [
      ...(body.systemInstruction?.parts ?? []).map((p) => p.text),
      ...body.contents.flatMap((c) => c.parts.map((p) => p.text)),
    ].join('\n');
    const cached = options.cachedContentTokenCount ?? 0;
    // promptTokenCount includes the cached part.
    const promptTokenCount = estimateTokens(promptText) + cached;
    const thoughts = options.thoughtsTokenCount ?? 0;
    const answer = compose(
      body,
      mode === 'safety' ? 'I can start, but' : (options.reply ?? 'Hello from the fake Gemini upstream.'),
    );
    const finishReason = mode === 'safety' ? 'SAFETY' : answer.finishReason;
    const responseId = `fake-response-${counter}`;
    const usage = (candidatesTokenCount: number) => ({
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount + thoughts,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
      ...(cached ? { cachedContentTokenCount: cached } : {}),
      ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
    });
    const chunk = (text: string, finish?: string, outputSoFar = estimateTokens(text)) => ({
      candidates: [
        {
          content: { parts: [{ text }], role: 'model' },
          ...(finish ? { finishReason: finish } : {}),
          index: 0,
        },
      ],
      usageMetadata: usage(outputSoFar),
      modelVersion: modelName.replace(/^models\//, ''),
      responseId,
    });

    if (mode === 'blocked') {
      const blocked = {
        promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] },
        usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
        modelVersion: modelName.replace(/^models\//, ''),
        responseId,
      };
      if (method === 'streamGenerateContent') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(blocked)}\r\n\r\n`);
        return res.end();
      }
      return sendJson(res, 200, blocked);
    }

    if (method === 'generateContent') {
      const json = JSON.stringify(chunk(answer.text, finishReason));
      if (mode === 'cut') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(json)),
        });
        return cutAfter(drop, () => res.write(json.slice(0, Math.floor(json.length / 2))));
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      return res.end(json);
    }

    const pieces = streamPieces(answer.text);
    let sent = '';
    const chunks = pieces.map((piece, i) => {
      sent += piece;
      return chunk(piece, i === pieces.length - 1 ? finishReason : undefined, estimateTokens(sent));
    });
    if (recorded.query.get('alt') !== 'sse') {
      // Without alt=sse the method answers one JSON array of the same chunks.
      return sendJson(res, 200, chunks);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (mode === 'cut') return cutAfter(drop, () => res.write(`data: ${JSON.stringify(chunks[0])}\r\n\r\n`));
    for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\r\n\r\n`);
    res.end();
  });

  return {
    url: server.url,
    requests: server.requests,
    setMode: (mode, more = {}) => {
      options = { ...options, ...more, mode };
    },
    close: server.close,
  };
}

interface WireRequest {
  contents: { role: string; parts: { text: string }[] }[];
  systemInstruction?: { parts: { text: string }[] };
  generationConfig?: { maxOutputTokens?: number; stopSequences?: string[] };
}

/** Applies stopSequences and maxOutputTokens to the reply as the real API would. */
function compose(body: WireRequest, reply: string): { text: string; finishReason: string } {
  for (const stop of body.generationConfig?.stopSequences ?? []) {
    const at = reply.indexOf(stop);
    if (at >= 0) return { text: reply.slice(0, at), finishReason: 'STOP' };
  }
  const max = body.generationConfig?.maxOutputTokens;
  if (max !== undefined && estimateTokens(reply) > max)
    return { text: reply.slice(0, max * 4), finishReason: 'MAX_TOKENS' };
  return { text: reply, finishReason: 'STOP' };
}

function embed(
  res: FakeResponse,
  drop: () => void,
  recorded: RecordedRequest,
  modelName: string,
  mode: FakeGeminiMode,
): void {
  const body = recorded.body as
    { requests?: { model?: string; content?: { parts?: { text?: string }[] } }[] } | undefined;
  const requests = body?.requests ?? [];
  const mismatch = requests.find((r) => r.model !== modelName);
  if (!requests.length || mismatch) {
    return sendError(
      res,
      400,
      'INVALID_ARGUMENT',
      `Model name in the request (${mismatch?.model ?? 'none'}) does not match the model in the URL (${modelName}).`,
    );
  }
  const json = JSON.stringify({
    embeddings: requests.map((r) => ({
      values: vectorFor((r.content?.parts ?? []).map((p) => p.text ?? '').join('')),
    })),
  });
  if (mode === 'cut') {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(json)),
    });
    return cutAfter(drop, () => res.write(json.slice(0, 10)));
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(json);
}

/** A deterministic unit-length vector from the text, so equal inputs embed equally. */
export function vectorFor(text: string): number[] {
  const values = Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => {
    let h = 2166136261 ^ i;
    for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    return ((h >>> 0) % 2000) / 1000 - 1;
  });
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

/** Answers the error modes; returns whether it did. */
function sendModeError(
  res: FakeResponse,
  mode: FakeGeminiMode,
  modelName: string,
  method: string,
  options: FakeGeminiOptions,
): boolean {
  switch (mode) {
    case 'rate_limited':
      sendError(
        res,
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaMetric: 'generate_content_free_tier_requests' }],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.RetryInfo',
            retryDelay: `${options.retryDelaySeconds ?? 41}s`,
          },
        ],
      );
      return true;
    case 'server_error':
      sendError(
        res,
        500,
        'INTERNAL',
        'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
      );
      return true;
    case 'unavailable':
      sendError(res, 503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
      return true;
    case 'auth':
      sendError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
      return true;
    case 'forbidden':
      sendError(res, 403, 'PERMISSION_DENIED', 'You do not have permission to access the tuned model.');
      return true;
    case 'not_found':
      sendError(
        res,
        404,
        'NOT_FOUND',
        `${modelName} is not found for API version v1beta, or is not supported for ${method}.`,
      );
      return true;
    case 'bad_request':
      sendError(
        res,
        400,
        'INVALID_ARGUMENT',
        'Invalid value at \'generation_config.temperature\' (TYPE_FLOAT), "hot"',
      );
      return true;
    default:
      return false;
  }
}

function sendJson(res: FakeResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function sendError(
  res: FakeResponse,
  code: number,
  status: string,
  message: string,
  details?: unknown[],
): void {
  sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}
