/**
 * A fake Anthropic Messages API (`POST /v1/messages`) on 127.0.0.1, speaking the documented wire
 * format: JSON messages with usage, SSE streams (message_start, content_block_*, ping,
 * message_delta, message_stop), and `{type:'error', error:{type, message}}` errors. It checks the
 * required headers and `max_tokens` as the real API does, and records every request.
 */
import type { FakeResponse, RecordedRequest } from './fake-upstream';
import { cutAfter, estimateTokens, startRecordingServer, streamPieces } from './fake-upstream';

export type FakeAnthropicMode =
  | 'ok'
  /** 429 rate_limit_error with retry-after. */
  | 'rate_limited'
  /** 529 overloaded_error. */
  | 'overloaded'
  /** 500 api_error. */
  | 'server_error'
  /** 401 authentication_error. */
  | 'auth'
  /** 403 permission_error. */
  | 'forbidden'
  /** 404 not_found_error (unknown model). */
  | 'not_found'
  /** 400 invalid_request_error. */
  | 'bad_request'
  /** Accepts the request and never answers. */
  | 'hang'
  /** Sends part of the answer, then drops the connection. */
  | 'cut'
  /** Streams message_start, then an in-stream `error` event (overloaded_error). */
  | 'stream_error';

export interface FakeAnthropicOptions {
  mode?: FakeAnthropicMode;
  /** The assistant's answer; default "Hello from the fake Anthropic upstream." */
  reply?: string;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  /** Seconds in the retry-after header of a 429; default 7. */
  retryAfterSeconds?: number;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  setMode(mode: FakeAnthropicMode, options?: Omit<FakeAnthropicOptions, 'mode'>): void;
  close(): Promise<void>;
}

const ERRORS: Partial<Record<FakeAnthropicMode, { status: number; type: string; message: string }>> = {
  rate_limited: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
  },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
  server_error: { status: 500, type: 'api_error', message: 'Internal server error' },
  auth: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
  forbidden: {
    status: 403,
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  not_found: { status: 404, type: 'not_found_error', message: 'model: not found' },
  bad_request: {
    status: 400,
    type: 'invalid_request_error',
    message: 'messages: roles must alternate between "user" and "assistant"',
  },
};

export async function startFakeAnthropic(initial: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  let options: FakeAnthropicOptions = { mode: 'ok', ...initial };
  let counter = 0;

  const server = await startRecordingServer((recorded, res, drop) => {
    counter += 1;
    const requestId = `req_fake${counter}`;
    if (recorded.method !== 'POST' || recorded.path !== '/v1/messages') {
      return sendError(
        res,
        404,
        'not_found_error',
        `${recorded.method} ${recorded.path} not found`,
        requestId,
      );
    }
    if (!recorded.headers['x-api-key']) {
      return sendError(res, 401, 'authentication_error', 'x-api-key header is required', requestId);
    }
    if (!recorded.headers['anthropic-version']) {
      return sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required', requestId);
    }
    const body = recorded.body as WireRequest | undefined;
    if (!body || typeof body.max_tokens !== 'number') {
      return sendError(res, 400, 'invalid_request_error', 'max_tokens: Field required', requestId);
    }

    const mode = options.mode ?? 'ok';
    if (mode === 'hang') return;
    const error = ERRORS[mode];
    if (error) {
      const headers: Record<string, string> =
        mode === 'rate_limited' ? { 'retry-after': String(options.retryAfterSeconds ?? 7) } : {};
      return sendError(res, error.status, error.type, error.message, requestId, headers);
    }

    const answer = compose(body, options.reply ?? 'Hello from the fake Anthropic upstream.');
    const message = {
      id: `msg_fake${counter}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: answer.text }],
      stop_reason: answer.stopReason,
      stop_sequence: answer.stopSequence,
      usage: {
        input_tokens: inputTokens(body),
        cache_creation_input_tokens: options.cacheCreationInputTokens ?? 0,
        cache_read_input_tokens: options.cacheReadInputTokens ?? 0,
        output_tokens: estimateTokens(answer.text),
      },
    };

    if (!body.stream) {
      const json = JSON.stringify(message);
      const headers = { 'content-type': 'application/json', 'request-id': requestId };
      if (mode === 'cut') {
        res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(json)) });
        return cutAfter(drop, () => res.write(json.slice(0, Math.floor(json.length / 2))));
      }
      res.writeHead(200, headers);
      return res.end(json);
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'request-id': requestId,
    });
    const start = {
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    };
    const pieces = streamPieces(answer.text);
    if (mode === 'stream_error') {
      writeEvent(res, 'message_start', start);
      writeEvent(res, 'error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      return res.end();
    }
    if (mode === 'cut') {
      return cutAfter(drop, () => {
        writeEvent(res, 'message_start', start);
        writeEvent(res, 'content_block_start', blockStart);
        writeEvent(res, 'content_block_delta', textDelta(pieces[0] ?? ''));
      });
    }
    writeEvent(res, 'message_start', start);
    writeEvent(res, 'content_block_start', blockStart);
    writeEvent(res, 'ping', { type: 'ping' });
    for (const piece of pieces) writeEvent(res, 'content_block_delta', textDelta(piece));
    writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    writeEvent(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: answer.stopReason, stop_sequence: answer.stopSequence },
      usage: { output_tokens: message.usage.output_tokens },
    });
    writeEvent(res, 'message_stop', { type: 'message_stop' });
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
  model: string;
  max_tokens: number;
  system?: string;
  messages: { role: string; content: string }[];
  stop_sequences?: string[];
  stream?: boolean;
}

const blockStart = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
const textDelta = (text: string) => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'text_delta', text },
});

function inputTokens(body: WireRequest): number {
  return estimateTokens([body.system ?? '', ...body.messages.map((m) => m.content)].join('\n'));
}

/** Applies stop_sequences and max_tokens to the reply as the real API would. */
function compose(
  body: WireRequest,
  reply: string,
): { text: string; stopReason: string; stopSequence: string | null } {
  for (const stop of body.stop_sequences ?? []) {
    const at = reply.indexOf(stop);
    if (at >= 0) return { text: reply.slice(0, at), stopReason: 'stop_sequence', stopSequence: stop };
  }
  if (estimateTokens(reply) > body.max_tokens) {
    return { text: reply.slice(0, body.max_tokens * 4), stopReason: 'max_tokens', stopSequence: null };
  }
  return { text: reply, stopReason: 'end_turn', stopSequence: null };
}

function writeEvent(res: FakeResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendError(
  res: FakeResponse,
  status: number,
  type: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }));
}
