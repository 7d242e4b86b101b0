/**
 * API Gateway (HTTP API, payload format 2.0) in front of the manifest's functions, on 127.0.0.1.
 * Routing, events, results, CORS preflight and the 10 MB payload limit follow API Gateway; the
 * error bodies it would send (`{"message":"Not Found"}`) use our envelope instead.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ErrorCode } from '../../shared/domain/errors';
import type { RouteSpec } from '../manifest';
import {
  errorMessage,
  invokeLambda,
  invokeStreamingLambda,
  LambdaTimeoutError,
  LOCAL_ACCOUNT_ID,
  type LocalFunction,
} from './lambda';
import { functionUrlSink, isStreamingHandler, LocalResponseStream } from './response-streaming';

/** API Gateway's request payload quota. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/** The HTTP API's corsPreflight in infra/stacks/api-stack.ts (kept in step by hand: that file pulls in CDK). */
export const defaultCors = (origin = process.env.CORS_ORIGIN ?? '*'): CorsSettings => ({
  allowOrigins: [origin],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'if-none-match', 'x-api-key'],
  exposeHeaders: ['etag'],
  maxAgeSeconds: 3600,
});

export interface HttpServerOptions {
  readonly functions: readonly LocalFunction[];
  /** 0 or undefined: a free port. */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly cors?: CorsSettings;
  readonly log?: (line: string) => void;
}

export interface LocalHttpServer {
  readonly url: string;
  readonly port: number;
  /** Every mounted route key (`GET /api/groups/{groupId}`), sorted. */
  mounts(): string[];
  stop(): Promise<void>;
}

// ---- routing ----

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

interface Mount {
  readonly routeKey: string;
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly fn: LocalFunction;
}

interface Match {
  readonly mount: Mount;
  readonly pathParameters: Record<string, string>;
  /** Per segment: 2 literal, 1 parameter, 0 greedy; higher wins, as API Gateway prefers the most specific route. */
  readonly score: readonly number[];
}

const splitPath = (path: string): string[] => path.split('/').slice(1);

const compile = (path: string): Segment[] =>
  splitPath(path).map((part, i, all): Segment => {
    const greedy = /^\{(\w+)\+\}$/.exec(part);
    if (greedy) {
      if (i !== all.length - 1) throw new Error(`Greedy parameter must be last: ${path}`);
      return { kind: 'greedy', name: greedy[1]! };
    }
    const param = /^\{(\w+)\}$/.exec(part);
    return param ? { kind: 'param', name: param[1]! } : { kind: 'literal', value: part };
  });

const decode = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

const matchPath = (mount: Mount, rawParts: readonly string[]): Match | undefined => {
  const pathParameters: Record<string, string> = {};
  const score: number[] = [];
  const { segments } = mount;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'greedy') {
      const rest = rawParts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      pathParameters[segment.name] = decode(rest.join('/'));
      score.push(0);
      return { mount, pathParameters, score };
    }
    const raw = rawParts[i];
    if (raw === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decode(raw) !== segment.value) return undefined;
      score.push(2);
    } else {
      if (raw === '') return undefined;
      pathParameters[segment.name] = decode(raw);
      score.push(1);
    }
  }
  return rawParts.length === segments.length ? { mount, pathParameters, score } : undefined;
};

const moreSpecific = (a: Match, b: Match): boolean => {
  for (let i = 0; i < Math.max(a.score.length, b.score.length); i++) {
    const x = a.score[i] ?? -1;
    const y = b.score[i] ?? -1;
    if (x !== y) return x > y;
  }
  return false;
};

// ---- events ----

const TEXT_TYPE =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml)\b)/i;

const isText = (contentType: string | undefined, body: Buffer): boolean => {
  if (contentType) return TEXT_TYPE.test(contentType.trim());
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
const clfTime = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/** Lower-cased, duplicates comma-joined (API Gateway's rule); the cookie header goes to `cookies`. */
const eventHeaders = (req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
};

const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  if (!rawQueryString) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    result[key] = key in result ? `${result[key]},${value}` : value;
  }
  return Object.keys(result).length ? result : undefined;
};

/** X-Ray's `Root=1-<epoch s hex>-<24 hex>`; the random part from randomUUID, which draws from a cached pool. */
const traceId = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(8)}`;

interface RequestParts {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly body: Buffer;
}

const toEvent = (
  req: IncomingMessage,
  parts: RequestParts,
  match: Match,
  requestId: string,
): APIGatewayProxyEventV2 => {
  const { headers, cookies } = eventHeaders(req);
  const now = new Date();
  const host = headers['host'] ?? '127.0.0.1';
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-amzn-trace-id'] ??= traceId();
  const text = parts.body.length === 0 || isText(headers['content-type'], parts.body);
  const queryStringParameters = queryParameters(parts.rawQueryString);
  return {
    version: '2.0',
    routeKey: match.mount.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!.split(':')[0]!,
      http: {
        method: parts.method,
        path: parts.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.mount.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(parts.body.length > 0 && {
      body: text ? parts.body.toString('utf8') : parts.body.toString('base64'),
    }),
    isBase64Encoded: !text,
  };
};

// ---- responses ----

interface Reply {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const envelope = (
  statusCode: number,
  code: ErrorCode,
  message: string,
  extra: Record<string, string> = {},
): Reply => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...extra },
  body: Buffer.from(JSON.stringify({ success: false, error: { code, message } })),
});

const isStructured = (
  result: unknown,
): result is APIGatewayProxyStructuredResultV2 & {
  multiValueHeaders?: Record<string, readonly (string | number | boolean)[]>;
} => typeof result === 'object' && result !== null && 'statusCode' in result;

/** API Gateway's payload 2.0 result rules: a `statusCode` makes it structured, anything else is a 200 JSON body. */
export const toReply = (result: unknown): Reply => {
  if (!isStructured(result)) {
    const body = typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const headers: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    const existing = headers[key];
    headers[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  };
  for (const [name, value] of Object.entries(result.headers ?? {})) add(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    for (const value of values) add(name, String(value));
  }
  for (const cookie of result.cookies ?? []) add('set-cookie', cookie);
  const raw = result.body ?? '';
  const statusCode = Number(result.statusCode);
  return {
    statusCode: Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? statusCode : 502,
    headers,
    body: result.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8'),
  };
};

/** API Gateway ignores CORS headers from the integration and adds its own for allowed origins. */
const applyCors = (headers: Reply['headers'], origin: string | undefined, cors: CorsSettings): void => {
  for (const name of Object.keys(headers)) if (name.startsWith('access-control-')) delete headers[name];
  const allowed =
    origin &&
    (cors.allowOrigins.includes('*') ? '*' : cors.allowOrigins.includes(origin) ? origin : undefined);
  if (!allowed) return;
  headers['access-control-allow-origin'] = allowed;
  if (cors.exposeHeaders.length) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  if (allowed !== '*') headers['vary'] = 'Origin';
};

const preflight = (req: IncomingMessage, cors: CorsSettings): Reply => {
  const reply: Reply = { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
  const origin = req.headers.origin;
  applyCors(reply.headers, origin, cors);
  if (reply.headers['access-control-allow-origin']) {
    delete reply.headers['access-control-expose-headers'];
    reply.headers['access-control-allow-methods'] = cors.allowMethods.join(',');
    reply.headers['access-control-allow-headers'] = cors.allowHeaders.join(',');
    reply.headers['access-control-max-age'] = String(cors.maxAgeSeconds);
  }
  return reply;
};

class BodyTooLarge extends Error {}

/** Reads the body, failing as soon as it passes `limit` bytes (never buffering more). */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });

/** Mounts every route of `functions` and listens on 127.0.0.1. */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const log = options.log ?? (() => undefined);
  const cors = options.cors ?? defaultCors();
  const maxBodyBytes = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;

  const mounts: Mount[] = [];
  for (const fn of options.functions) {
    for (const route of fn.spec.routes ?? ([] as readonly RouteSpec[])) {
      const routeKey = `${route.method} ${route.path}`;
      const clash = mounts.find((m) => m.routeKey === routeKey);
      if (clash)
        throw new Error(`Route ${routeKey} is declared by both ${clash.fn.spec.name} and ${fn.spec.name}`);
      mounts.push({ routeKey, method: route.method, segments: compile(route.path), fn });
    }
  }

  /**
   * A streaming function (a Function URL in RESPONSE_STREAM mode in AWS): its bytes reach the client
   * as they are written. Before the first byte a failure is an error reply; after it the connection
   * is cut, as Lambda does. A client that goes away destroys the handler's stream.
   */
  const stream = async (
    req: IncomingMessage,
    res: ServerResponse,
    fn: LocalFunction,
    event: unknown,
    requestId: string,
  ): Promise<{ reply: Reply; fn: string } | { streamed: number; fn: string }> => {
    const responseStream = new LocalResponseStream(
      functionUrlSink(res, (headers) => {
        applyCors(headers, req.headers.origin, cors);
        headers['x-amzn-requestid'] = requestId;
      }),
    );
    res.once('close', () => {
      if (!res.writableFinished) responseStream.destroy(new Error('The client closed the connection'));
    });
    // The client has its answer once the stream ends, even if the handler still works (as in Lambda).
    const finished = new Promise<void>((resolve, reject) => {
      responseStream.once('finish', () => {
        res.end();
        resolve();
      });
      responseStream.once('error', reject);
    });
    // Awaited only on success; a destroyed stream's error is the handler's to report.
    finished.catch(() => undefined);
    try {
      await invokeStreamingLambda(fn, event, responseStream, requestId);
      if (!responseStream.writableEnded) responseStream.end();
      await finished;
      return { streamed: res.statusCode, fn: fn.spec.name };
    } catch (err) {
      log(`[http] ${fn.spec.name} stream failed: ${errorMessage(err)}`);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return { streamed: res.statusCode, fn: fn.spec.name };
      }
      const reply =
        err instanceof LambdaTimeoutError
          ? envelope(504, 'TIMEOUT', `The function did not answer within ${fn.spec.timeoutSeconds}s`)
          : envelope(500, 'SERVER_ERROR', 'Internal server error');
      return { reply, fn: fn.spec.name };
    }
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ reply: Reply; fn?: string; close?: boolean } | { streamed: number; fn: string }> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = (q === -1 ? url : url.slice(0, q)) || '/';
    const rawQueryString = q === -1 ? '' : url.slice(q + 1);
    const parts = splitPath(rawPath);

    const candidates = mounts.map((m) => matchPath(m, parts)).filter((m): m is Match => m !== undefined);
    const notFound = `No route for ${method} ${rawPath}`;
    if (candidates.length === 0) return { reply: envelope(404, 'NOT_FOUND', notFound) };
    if (method === 'OPTIONS') return { reply: preflight(req, cors) };
    const best = candidates
      .filter((m) => m.mount.method === method)
      .reduce<Match | undefined>((a, b) => (!a || moreSpecific(b, a) ? b : a), undefined);
    if (!best) {
      const allow = [...new Set(candidates.map((m) => m.mount.method)), 'OPTIONS'].join(', ');
      return { reply: envelope(405, 'NOT_FOUND', notFound, { allow }) };
    }

    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      const reply = envelope(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBodyBytes} bytes`);
      return { reply, close: true };
    }

    const requestId = randomUUID();
    const event = toEvent(req, { method, rawPath, rawQueryString, body }, best, requestId);
    if (isStreamingHandler(best.mount.fn.handler)) return stream(req, res, best.mount.fn, event, requestId);
    const fn = best.mount.fn.spec.name;
    let reply: Reply;
    try {
      reply = toReply(await invokeLambda(best.mount.fn, event, requestId));
    } catch (err) {
      if (err instanceof LambdaTimeoutError) {
        log(`[http] ${fn}: ${err.message}`);
        reply = envelope(
          504,
          'TIMEOUT',
          `The function did not answer within ${best.mount.fn.spec.timeoutSeconds}s`,
        );
      } else {
        log(`[http] ${fn} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        reply = envelope(500, 'SERVER_ERROR', 'Internal server error');
      }
    }
    reply.headers['apigw-requestid'] = requestId;
    return { reply, fn };
  };

  const write = (req: IncomingMessage, res: ServerResponse, reply: Reply, close: boolean) => {
    if (req.method !== 'OPTIONS') applyCors(reply.headers, req.headers.origin, cors);
    if (close) reply.headers['connection'] = 'close';
    reply.headers['content-length'] = String(reply.body.length);
    res.writeHead(reply.statusCode, reply.headers);
    res.end(reply.body);
    if (close) res.once('finish', () => req.socket.destroySoon());
  };

  const respond = (req: IncomingMessage, res: ServerResponse, started: number) => {
    handle(req, res)
      .catch((err: unknown) => {
        log(`[http] adapter error: ${errorMessage(err)}`);
        return { reply: envelope(500, 'SERVER_ERROR', 'Internal server error'), fn: undefined, close: true };
      })
      .then((outcome) => {
        const took = () => `${Date.now() - started} ms${outcome.fn ? ` (${outcome.fn})` : ''}`;
        if ('streamed' in outcome) {
          log(`[http] ${req.method} ${req.url} -> ${outcome.streamed} streamed ${took()}`);
          return;
        }
        const { reply, fn } = outcome;
        let status = reply.statusCode;
        try {
          write(req, res, reply, ('close' in outcome && outcome.close) || false);
        } catch (err) {
          // e.g. a header value with a newline: API Gateway answers a malformed response with 502.
          log(`[http] ${fn ?? 'adapter'}: malformed response: ${errorMessage(err)}`);
          status = 502;
          if (!res.headersSent)
            write(req, res, envelope(502, 'SERVER_ERROR', 'Malformed function response'), true);
          else res.destroy();
        }
        log(`[http] ${req.method} ${req.url} -> ${status} ${took()}`);
      });
  };

  const server = createServer((req, res) => respond(req, res, Date.now()));
  // Bounded: slow or stalled uploads cannot hold a connection forever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.port} on 127.0.0.1 is in use: stop the other process or choose another port (PORT / --port)`,
            )
          : err,
      ),
    );
    server.listen({ port: options.port ?? 0, host: '127.0.0.1' }, resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    mounts: () => mounts.map((m) => m.routeKey).sort(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
