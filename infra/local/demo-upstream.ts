/**
 * DEMO UPSTREAM — not a real model. An OpenAI-compatible server on 127.0.0.1 that `npm start` runs
 * so the gateway can be tried with no provider keys: register an AI account with
 * `"serviceType": "vllm"` and `"endpoint": "<printed URL>"`. It echoes the last user message,
 * counts tokens like OpenAI's rule of thumb (≈ 4 characters a token) and takes a realistic time to
 * answer (a first-token delay plus a per-token delay). Asked for structured output
 * (`response_format: json_schema`), it cannot write anything: it answers with the `draft` object the
 * last user message carries as JSON (the monthly report sends its template draft so), or `{}`.
 * Real providers are used as they are.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEMO_MODELS = ['demo-echo-small', 'demo-echo-large'] as const;

const FIRST_TOKEN_MS = 40;
const PER_TOKEN_MS = 2;
const MAX_BODY_BYTES = 1024 * 1024;

const tokens = (text: string): number => (text ? Math.max(1, Math.ceil(text.length / 4)) : 0);

interface DemoChat {
  model?: string;
  response_format?: { type?: string };
  messages?: { role?: string; content?: unknown }[];
  stream?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
}

const text = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('')
      : '';

/** The `draft` of a JSON user message, or `{}`: what a structured answer echoes. */
const draftIn = (content: string): unknown => {
  try {
    const parsed = JSON.parse(content) as { draft?: unknown };
    return parsed.draft ?? {};
  } catch {
    return {};
  }
};

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

const chat = async (body: DemoChat, res: ServerResponse, paced: boolean) => {
  const messages = body.messages ?? [];
  const model = body.model ?? DEMO_MODELS[0];
  if (!(DEMO_MODELS as readonly string[]).includes(model)) {
    return send(res, 404, {
      error: {
        message: `The model '${model}' does not exist`,
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const limit = body.max_completion_tokens ?? body.max_tokens ?? 4096;
  const answer =
    body.response_format?.type === 'json_schema'
      ? JSON.stringify(draftIn(text(lastUser?.content)))
      : `[demo upstream] You said: ${text(lastUser?.content)}`;
  const words = answer.split(/(?<= )/);
  const reply: string[] = [];
  for (const word of words) if (tokens(reply.join('') + word) <= limit) reply.push(word);
  const usage = {
    prompt_tokens: messages.reduce((s, m) => s + tokens(text(m.content)) + 3, 3),
    completion_tokens: tokens(reply.join('')),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const id = `chatcmpl-demo-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const finish = reply.length < words.length ? 'length' : 'stop';
  if (paced) await sleep(FIRST_TOKEN_MS);
  if (!body.stream) {
    if (paced) await sleep(PER_TOKEN_MS * usage.completion_tokens);
    return send(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply.join('') },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage,
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: object, finishReason: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }, null));
  for (const word of reply) {
    if (paced) await sleep(PER_TOKEN_MS * tokens(word));
    res.write(chunk({ content: word }, null));
  }
  res.write(chunk({}, finish));
  res.write(
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
  );
  res.end('data: [DONE]\n\n');
};

export interface DemoUpstream {
  /** OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  close(): Promise<void>;
}

/** `paced: false` answers at once (for measuring the gateway's own overhead). */
export const startDemoUpstream = async (port = 0, { paced = true } = {}): Promise<DemoUpstream> => {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (req.method === 'GET' && path === '/v1/models') {
        return send(res, 200, {
          object: 'list',
          data: DEMO_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tollgate-demo' })),
        });
      }
      if (req.method === 'POST' && path === '/v1/chat/completions')
        return chat((await readJson(req)) as DemoChat, res, paced);
      send(res, 404, {
        error: {
          message: `Unknown path ${path}`,
          type: 'invalid_request_error',
          param: null,
          code: 'not_found',
        },
      });
    };
    handle().catch((err: Error) =>
      send(res, 400, {
        error: { message: err.message, type: 'invalid_request_error', param: null, code: 'bad_request' },
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
