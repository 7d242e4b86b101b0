/**
 * A fake OpenAI-compatible upstream on 127.0.0.1 speaking OpenAI's documented wire format: chat completions
 * (JSON and SSE with `stream_options.include_usage` → a final `choices: []` usage chunk, then `data: [DONE]`),
 * embeddings, OpenAI's error object, and Azure OpenAI's deployment routes, `api-version` query and `api-key`
 * header with Azure's own error shapes. Every request is recorded so tests can assert exactly what was sent.
 *
 * Token counts follow OpenAI's rules of thumb: ~4 characters per token, 3 tokens of overhead per message and
 * 3 to prime the reply (OpenAI cookbook, "How to count tokens with tiktoken").
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeOpenAiMode =
  /** Normal answers; `cachedTokens` fills `usage.prompt_tokens_details.cached_tokens`. */
  | { kind: 'ok'; cachedTokens?: number }
  /** DeepSeek's usage: `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`, no `prompt_tokens_details`. */
  | { kind: 'deepseek_cache'; hitTokens: number }
  /** A server that ignores `stream_options` and reports no usage at all. */
  | { kind: 'no_usage' }
  /** Embeddings `data` in reverse order (clients must sort by `index`). */
  | { kind: 'embeddings_reversed' }
  /** 429 `rate_limit_exceeded`; `retryAfter` defaults to '2' (seconds or an HTTP date). */
  | { kind: 'rate_limited'; retryAfter?: string; retryAfterMs?: string }
  /** OpenAI's `server_error` object with status 500 (or e.g. 502/503). */
  | { kind: 'server_error'; status?: number }
  /** 401 `invalid_api_key` whatever key was sent (a revoked key). */
  | { kind: 'unauthorized' }
  /** Any status and body, verbatim. */
  | { kind: 'error'; status: number; body: unknown; headers?: Record<string, string> }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Streams `afterDeltas` content chunks, then destroys the socket. */
  | { kind: 'cut_stream'; afterDeltas?: number }
  /** Streams `afterDeltas` content chunks, then an `{error}` data line and ends (as openai-node expects). */
  | { kind: 'stream_error'; afterDeltas?: number };

export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
}

export interface FakeOpenAiOptions {
  /** Required `Authorization: Bearer` key on the OpenAI routes; omit for a keyless vLLM/Ollama-style server. */
  apiKey?: string;
  /** Serve Azure's routes too: `/openai/deployments/{deployment}/...?api-version=...` with `api-key`. */
  azure?: { apiKey: string; deployments: string[] };
  /** Known models; others get OpenAI's 404 `model_not_found`. Omit to accept any model. */
  models?: string[];
  /** The assistant's answer; default `You said: <last user message>`. */
  reply?: (request: FakeChatRequest) => string;
  /** Delay between SSE chunks, to emulate generation speed. */
  streamChunkDelayMs?: number;
  embeddingDimensions?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: any;
  remotePort: number | undefined;
}

export interface FakeOpenAi {
  /** OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** The Azure resource endpoint, `http://127.0.0.1:<port>`. */
  origin: string;
  requests: RecordedRequest[];
  /** Streams whose client hung up before the answer was complete (the gateway cancelled them). */
  abandonedStreams(): number;
  /** Switch behaviour; with `times`, fall back to `{ kind: 'ok' }` after that many requests. */
  setMode(mode: FakeOpenAiMode, times?: number): void;
  close(): Promise<void>;
}

/** OpenAI's rule of thumb: one token is about four characters of English text. */
export const countTokens = (text: string): number => (text ? Math.max(1, Math.ceil(text.length / 4)) : 0);

export const promptTokens = (messages: { content: string }[]): number =>
  messages.reduce((sum, m) => sum + 3 + countTokens(m.content), 3);

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const openAiError = (
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) => ({
  error: { message, type, param, code },
});

/** How OpenAI shows a wrong key: first 8 characters, stars, last 4. */
const maskKey = (key: string) =>
  key.length <= 12 ? '****' : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;

const AZURE_ACCESS_DENIED = {
  error: {
    code: '401',
    message:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  let abandoned = 0;
  let mode: FakeOpenAiMode = { kind: 'ok' };
  let remaining: number | undefined;
  let sequence = 0;

  const reply = options.reply ?? ((r: FakeChatRequest) => `You said: ${lastUser(r)}`);
  const dimensions = options.embeddingDimensions ?? 8;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, openAiError(String(err), 'server_error'));
        else res.destroy();
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* keep raw */
    }
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      remotePort: req.socket.remotePort,
    });

    const route = resolveRoute(req, res, url);
    if (!route) return;

    const current = mode;
    if (remaining !== undefined && --remaining <= 0) {
      mode = { kind: 'ok' };
      remaining = undefined;
    }
    if (failBeforeAnswer(res, current, body?.model)) return;

    if (typeof body !== 'object' || body === null) {
      return json(
        res,
        400,
        openAiError('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
    }
    if (options.models && !route.azure && !options.models.includes(body.model)) {
      return json(
        res,
        404,
        openAiError(
          `The model \`${body.model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          'model_not_found',
        ),
      );
    }
    if (route.operation === 'embeddings') return embeddings(res, body, current, route.model);
    return chat(res, body, current, route.model, route.azure);
  }

  /** Auth and routing, answering errors the way OpenAI and Azure do. */
  function resolveRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): { operation: 'chat' | 'embeddings'; model?: string; azure: boolean } | undefined {
    const azure = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(url.pathname);
    if (options.azure && (azure || url.pathname.startsWith('/openai/'))) {
      if (!azure || req.method !== 'POST' || !url.searchParams.get('api-version')) {
        json(res, 404, { error: { code: '404', message: 'Resource not found' } });
        return undefined;
      }
      const key = req.headers['api-key'];
      if (!key && req.headers.authorization) {
        json(res, 401, {
          statusCode: 401,
          message:
            'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or has expired.',
        });
        return undefined;
      }
      if (key !== options.azure.apiKey) {
        json(res, 401, AZURE_ACCESS_DENIED);
        return undefined;
      }
      const deployment = decodeURIComponent(azure[1] ?? '');
      if (!options.azure.deployments.includes(deployment)) {
        json(res, 404, {
          error: {
            code: 'DeploymentNotFound',
            message:
              'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
          },
        });
        return undefined;
      }
      return { operation: azure[2] === 'embeddings' ? 'embeddings' : 'chat', model: deployment, azure: true };
    }

    const operation =
      url.pathname === '/v1/chat/completions'
        ? 'chat'
        : url.pathname === '/v1/embeddings'
          ? 'embeddings'
          : undefined;
    if (!operation || req.method !== 'POST') {
      json(
        res,
        404,
        openAiError(`Invalid URL (${req.method} ${url.pathname})`, 'invalid_request_error', null, null),
      );
      return undefined;
    }
    if (options.apiKey) {
      const auth = req.headers.authorization;
      if (!auth) {
        json(
          res,
          401,
          openAiError(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
            'invalid_request_error',
          ),
        );
        return undefined;
      }
      if (auth !== `Bearer ${options.apiKey}`) {
        json(res, 401, invalidKey(auth.replace(/^Bearer\s+/i, '')));
        return undefined;
      }
    }
    return { operation, azure: false };
  }

  function failBeforeAnswer(res: ServerResponse, current: FakeOpenAiMode, model: unknown): boolean {
    switch (current.kind) {
      case 'hang':
        return true;
      case 'rate_limited': {
        const headers: Record<string, string> = {
          'retry-after': current.retryAfter ?? '2',
          'x-ratelimit-limit-requests': '3',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '20s',
        };
        if (current.retryAfterMs) headers['retry-after-ms'] = current.retryAfterMs;
        json(
          res,
          429,
          openAiError(
            `Rate limit reached for ${String(model)} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'requests',
            'rate_limit_exceeded',
          ),
          headers,
        );
        return true;
      }
      case 'server_error':
        json(
          res,
          current.status ?? 500,
          openAiError(
            'The server had an error while processing your request. Sorry about that!',
            'server_error',
          ),
        );
        return true;
      case 'unauthorized':
        json(res, 401, invalidKey(String(res.req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')));
        return true;
      case 'error':
        json(res, current.status, current.body, current.headers);
        return true;
      default:
        return false;
    }
  }

  async function chat(
    res: ServerResponse,
    body: any,
    current: FakeOpenAiMode,
    deployment: string | undefined,
    azure: boolean,
  ): Promise<void> {
    if (!Array.isArray(body.messages)) {
      return json(
        res,
        400,
        openAiError(
          "Missing required parameter: 'messages'.",
          'invalid_request_error',
          'missing_required_parameter',
          'messages',
        ),
      );
    }
    if (body.stream_options !== undefined && body.stream !== true) {
      return json(
        res,
        400,
        openAiError(
          "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
          'invalid_request_error',
          null,
          'stream_options',
        ),
      );
    }
    const request: FakeChatRequest = { model: deployment ?? body.model, messages: body.messages };
    const limit: number | undefined = body.max_completion_tokens ?? body.max_tokens;
    let text = reply(request);
    let finish = 'stop';
    if (limit !== undefined && countTokens(text) > limit) {
      text = text.slice(0, limit * 4);
      finish = 'length';
    }
    const id = `chatcmpl-fake${++sequence}`;
    const model = azure ? 'gpt-4o-2024-08-06' : request.model;
    const created = Math.floor(Date.now() / 1000);
    const usage = usageFor(current, promptTokens(request.messages), countTokens(text));

    if (body.stream !== true) {
      return json(
        res,
        200,
        {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text, refusal: null },
              logprobs: null,
              finish_reason: finish,
              ...(azure && { content_filter_results: {} }),
            },
          ],
          ...(usage && { usage }),
          system_fingerprint: 'fp_fake',
          ...(azure && { prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] }),
        },
        { 'x-request-id': `req_fake${sequence}`, 'openai-processing-ms': '1' },
      );
    }

    const includeUsage = body.stream_options?.include_usage === true && usage !== undefined;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_fake${sequence}`,
    });
    const send = async (data: unknown) => {
      const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
      await new Promise<void>((resolve) => res.write(line, () => resolve()));
      if (options.streamChunkDelayMs) await sleep(options.streamChunkDelayMs);
    };
    const chunk = (delta: object, finishReason: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage && { usage: null }),
    });

    // Azure opens with the prompt's content-filter results in a chunk with no choices, id or model.
    if (azure) {
      await send({
        id: '',
        object: '',
        created: 0,
        model: '',
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
        choices: [],
      });
    }
    await send(chunk({ role: 'assistant', content: '', refusal: null }, null));
    const pieces = text.match(/\S+\s*|\s+/g) ?? [];
    for (const [i, piece] of pieces.entries()) {
      if (res.destroyed) {
        abandoned += 1;
        return;
      }
      if (
        (current.kind === 'cut_stream' || current.kind === 'stream_error') &&
        i === (current.afterDeltas ?? 2)
      ) {
        break;
      }
      await send(chunk({ content: piece }, null));
    }
    if (current.kind === 'cut_stream') {
      res.socket?.destroy();
      return;
    }
    if (current.kind === 'stream_error') {
      await send(
        openAiError(
          'The server had an error while processing your request. Sorry about that!',
          'server_error',
        ),
      );
      res.end();
      return;
    }
    await send(chunk({}, finish));
    if (includeUsage) {
      await send({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices: [],
        usage,
      });
    }
    await send('[DONE]');
    res.end();
  }

  function embeddings(res: ServerResponse, body: any, current: FakeOpenAiMode, deployment?: string): void {
    const inputs: string[] = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0) {
      return json(
        res,
        400,
        openAiError("'input' is a required property", 'invalid_request_error', null, 'input'),
      );
    }
    const data = inputs.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: vector(text, dimensions),
    }));
    if (current.kind === 'embeddings_reversed') data.reverse();
    const tokens = inputs.reduce((sum, t) => sum + countTokens(t), 0);
    json(res, 200, {
      object: 'list',
      data,
      model: deployment ? 'text-embedding-3-small' : body.model,
      ...(current.kind !== 'no_usage' && { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    requests,
    abandonedStreams: () => abandoned,
    setMode(next, times) {
      mode = next;
      remaining = times;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function usageFor(mode: FakeOpenAiMode, prompt: number, completion: number) {
  if (mode.kind === 'no_usage') return undefined;
  const total = prompt + completion;
  if (mode.kind === 'deepseek_cache') {
    const hit = Math.min(mode.hitTokens, prompt);
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: total,
      prompt_cache_hit_tokens: hit,
      prompt_cache_miss_tokens: prompt - hit,
    };
  }
  const cached = mode.kind === 'ok' ? Math.min(mode.cachedTokens ?? 0, prompt) : 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: total,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function invalidKey(key: string) {
  return openAiError(
    `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

function lastUser(request: FakeChatRequest): string {
  return [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** A deterministic unit-length vector derived from the text. */
function vector(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: dimensions }, (_, i) => (digest[i % digest.length]! - 127.5) / 127.5);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Number((v / norm).toFixed(6)));
}
