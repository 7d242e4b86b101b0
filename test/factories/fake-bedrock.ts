/**
 * A fake Amazon Bedrock Runtime on 127.0.0.1 for Converse and ConverseStream, speaking the REST-JSON
 * protocol the AWS SDK uses: `POST /model/{modelId}/converse` answers JSON;
 * `POST /model/{modelId}/converse-stream` answers `application/vnd.amazon.eventstream` frames
 * (`:event-type` messageStart / contentBlockDelta / contentBlockStop / messageStop / metadata, or
 * `:message-type: exception` frames); errors carry `x-amzn-errortype` and `{"message"}`. It speaks
 * cleartext HTTP/2, because the Bedrock Runtime client's default handler is NodeHttp2Handler. Like the
 * real service it refuses requests without a SigV4 `authorization` header scoped to `bedrock`, and it
 * records every request.
 */
import { randomUUID } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { FakeResponse, RecordedRequest } from './fake-upstream';
import { cutAfter, estimateTokens, startRecordingServer, streamPieces } from './fake-upstream';

export type FakeBedrockMode =
  | 'ok'
  /** 429 ThrottlingException. */
  | 'throttled'
  /** 503 ServiceUnavailableException. */
  | 'unavailable'
  /** 500 InternalServerException. */
  | 'internal'
  /** 403 AccessDeniedException (no model access). */
  | 'access_denied'
  /** 403 UnrecognizedClientException (unknown access key). */
  | 'bad_credentials'
  /** 400 ValidationException. */
  | 'validation'
  /** 404 ResourceNotFoundException. */
  | 'not_found'
  /** 408 ModelTimeoutException. */
  | 'model_timeout'
  /** The answer stops with stopReason guardrail_intervened. */
  | 'guardrail'
  /** ConverseStream: a throttlingException frame before any content. */
  | 'stream_throttled'
  /** ConverseStream: one delta, then a modelStreamErrorException frame. */
  | 'stream_model_error'
  /** Accepts the request and never answers. */
  | 'hang'
  /** Sends part of the answer, then drops the connection. */
  | 'cut';

export interface FakeBedrockOptions {
  mode?: FakeBedrockMode;
  /** The assistant's answer; default "Hello from the fake Bedrock upstream." */
  reply?: string;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface FakeBedrock {
  url: string;
  requests: RecordedRequest[];
  setMode(mode: FakeBedrockMode, options?: Omit<FakeBedrockOptions, 'mode'>): void;
  close(): Promise<void>;
}

const ERRORS: Partial<Record<FakeBedrockMode, { status: number; type: string; message: string }>> = {
  throttled: {
    status: 429,
    type: 'ThrottlingException',
    message: 'Too many requests, please wait before trying again.',
  },
  unavailable: {
    status: 503,
    type: 'ServiceUnavailableException',
    message: 'Bedrock is unable to process your request.',
  },
  internal: {
    status: 500,
    type: 'InternalServerException',
    message: 'The server encountered an internal error.',
  },
  access_denied: {
    status: 403,
    type: 'AccessDeniedException',
    message: "You don't have access to the model with the specified model ID.",
  },
  bad_credentials: {
    status: 403,
    type: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
  },
  validation: {
    status: 400,
    type: 'ValidationException',
    message: 'The provided model identifier is invalid.',
  },
  not_found: { status: 404, type: 'ResourceNotFoundException', message: 'Model not found.' },
  model_timeout: {
    status: 408,
    type: 'ModelTimeoutException',
    message: 'Model has timed out in processing the request.',
  },
};

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** Real frames carry a random-length `p` field that pads event sizes; the SDK ignores it. */
const pad = () => 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + Math.floor(Math.random() * 20));

export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  });
}

export async function startFakeBedrock(initial: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  let options: FakeBedrockOptions = { mode: 'ok', ...initial };

  const server = await startRecordingServer((recorded, res, drop) => {
    const match = /^\/model\/(.+)\/(converse|converse-stream)$/.exec(recorded.path);
    if (recorded.method !== 'POST' || !match) {
      return sendError(res, 404, 'UnknownOperationException', `${recorded.method} ${recorded.path}`);
    }
    const operation = match[2];
    const authorization = String(recorded.headers.authorization ?? '');
    if (!authorization.startsWith('AWS4-HMAC-SHA256 ')) {
      return sendError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
    if (scope?.[2] !== 'bedrock') {
      return sendError(
        res,
        403,
        'InvalidSignatureException',
        "Credential should be scoped to correct service: 'bedrock'.",
      );
    }

    const mode = options.mode ?? 'ok';
    if (mode === 'hang') return;
    const error = ERRORS[mode];
    if (error) return sendError(res, error.status, error.type, error.message);

    const body = recorded.body as WireRequest | undefined;
    if (!body?.messages?.length || body.messages[0]?.role !== 'user') {
      return sendError(res, 400, 'ValidationException', 'A conversation must start with a user message.');
    }

    const inputTokens = estimateTokens(
      [
        ...(body.system ?? []).map((s) => s.text),
        ...body.messages.flatMap((m) => m.content.map((c) => c.text)),
      ].join('\n'),
    );
    const answer = compose(body, options.reply ?? 'Hello from the fake Bedrock upstream.');
    const stopReason = mode === 'guardrail' ? 'guardrail_intervened' : answer.stopReason;
    const outputTokens = estimateTokens(answer.text);
    const cacheRead = options.cacheReadInputTokens ?? 0;
    const cacheWrite = options.cacheWriteInputTokens ?? 0;
    const usage = {
      inputTokens,
      outputTokens,
      totalTokens: inputTokens + outputTokens + cacheRead + cacheWrite,
      ...(cacheRead || cacheWrite
        ? { cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite }
        : {}),
    };
    const headers = { 'x-amzn-requestid': randomUUID() };

    if (operation === 'converse') {
      const json = JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
        stopReason,
        usage,
        metrics: { latencyMs: 42 },
      });
      if (mode === 'cut') {
        res.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(json)),
        });
        return cutAfter(drop, () => res.write(json.slice(0, Math.floor(json.length / 2))));
      }
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      return res.end(json);
    }

    res.writeHead(200, { ...headers, 'content-type': 'application/vnd.amazon.eventstream' });
    if (mode === 'stream_throttled') {
      res.write(exceptionFrame('throttlingException', ERRORS.throttled!.message));
      return res.end();
    }
    const pieces = streamPieces(answer.text);
    res.write(eventFrame('messageStart', { role: 'assistant', p: pad() }));
    const delta = (text: string) =>
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text }, p: pad() });
    if (mode === 'cut') return cutAfter(drop, () => res.write(delta(pieces[0] ?? '')));
    if (mode === 'stream_model_error') {
      res.write(delta(pieces[0] ?? ''));
      res.write(exceptionFrame('modelStreamErrorException', 'The model stream failed.'));
      return res.end();
    }
    for (const piece of pieces) res.write(delta(piece));
    res.write(eventFrame('contentBlockStop', { contentBlockIndex: 0, p: pad() }));
    res.write(eventFrame('messageStop', { stopReason, p: pad() }));
    res.write(eventFrame('metadata', { usage, metrics: { latencyMs: 42 }, p: pad() }));
    res.end();
  }, 'h2c');

  return {
    url: server.url,
    requests: server.requests,
    setMode: (mode, more = {}) => {
      options = { ...options, ...more, mode };
    },
    close: server.close,
  };
}

/** The credential scope of a SigV4 `authorization` header: `{ accessKeyId, date, region, service }`. */
export function credentialScope(authorization: string | undefined) {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization ?? '',
    );
  return m
    ? { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5]?.split(';') }
    : null;
}

interface WireRequest {
  messages: { role: string; content: { text: string }[] }[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; stopSequences?: string[] };
}

/** Applies stopSequences and maxTokens to the reply as the real service would. */
function compose(body: WireRequest, reply: string): { text: string; stopReason: string } {
  for (const stop of body.inferenceConfig?.stopSequences ?? []) {
    const at = reply.indexOf(stop);
    if (at >= 0) return { text: reply.slice(0, at), stopReason: 'stop_sequence' };
  }
  const max = body.inferenceConfig?.maxTokens;
  if (max !== undefined && estimateTokens(reply) > max)
    return { text: reply.slice(0, max * 4), stopReason: 'max_tokens' };
  return { text: reply, stopReason: 'end_turn' };
}

function sendError(res: FakeResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
  res.end(JSON.stringify({ message }));
}
