/**
 * The API client. It speaks only through the route contracts of shared/contracts: a request is
 * checked against the route's params, query and body schemas before anything is sent, and the
 * answer's envelope is unwrapped into its data or a CliError.
 */
import type { z } from 'zod';
import { ErrorEnvelope } from '../shared/contracts/common';
import type { RouteContract } from '../shared/contracts/route';
import type { ResponseCache } from './cache';
import { CliError, cliCodeOfApiCode, cliCodeOfStatus, fromZodError } from './errors';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  cache?: ResponseCache;
}

/**
 * A route's inputs: the compiler checks their keys, the route's schema their values at run time
 * (they come from the command line as text).
 */
type Loose<S> = { [K in keyof z.input<NonNullable<S>>]?: unknown };

export interface RouteInput<R extends RouteContract> {
  params?: Loose<R['params']>;
  query?: Loose<R['query']>;
  body?: Loose<R['body']>;
}

export interface ApiClient {
  /** Calls a route and returns its `data`. */
  call<R extends RouteContract>(route: R, input?: RouteInput<R>): Promise<z.output<R['response']>>;
  /** When the oldest answer served from the cache was stored; null when all came from the API. */
  cachedAt(): string | null;
}

const checked = (part: string, schema: z.ZodType | undefined, value: unknown): unknown => {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw fromZodError(`Invalid request ${part}`, parsed.error);
  return parsed.data;
};

const urlOf = (baseUrl: string, route: RouteContract, params: unknown, query: unknown): string => {
  const values = (params ?? {}) as Record<string, unknown>;
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String(values[name])),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>))
    if (value !== undefined) search.set(key, String(value));
  const qs = search.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${qs ? `?${qs}` : ''}`;
};

/** A failed fetch: no answer in time, or no connection at all (refused, unknown host, reset). */
const unreachable = (err: unknown, url: string, timeoutMs: number): CliError => {
  const origin = new URL(url).origin;
  if ((err as Error)?.name === 'TimeoutError') {
    const message = `No answer from the Tollgate API at ${origin} within ${timeoutMs / 1000} s`;
    return new CliError('TIMEOUT', message, { url, hint: 'retry, or raise --timeout' });
  }
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error)?.message ?? 'connection failed';
  return new CliError('TIMEOUT', `Cannot connect to the Tollgate API at ${origin} (${reason})`, {
    url,
    reason,
    hint: 'is the API running? check the URL with `tollgate config get url`',
  });
};

const parseJson = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return undefined;
  }
};

const isSuccess = (body: unknown): body is { success: true; data: unknown } =>
  typeof body === 'object' && body !== null && (body as { success?: unknown }).success === true;

/** The envelope's data, or the error it (or the bare HTTP status) stands for. */
const unwrap = (res: Response, text: string, url: string): unknown => {
  const body = parseJson(text);
  if (res.ok && isSuccess(body)) return body.data;
  const retryAfter = res.headers.get('retry-after');
  const status = { httpStatus: res.status, ...(retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {}) };
  const envelope = ErrorEnvelope.safeParse(body);
  if (envelope.success) {
    const { code, message, details } = envelope.data.error;
    const cliCode = cliCodeOfApiCode(code);
    throw new CliError(cliCode, message, {
      ...status,
      apiCode: code,
      ...(details === undefined ? {} : { apiDetails: details }),
      ...(cliCode === 'UNAUTHORIZED' ? { hint: 'log in with `tollgate auth login --api-key <key>`' } : {}),
    });
  }
  // A 2xx without the envelope is the server's fault, like a 500.
  throw new CliError(
    cliCodeOfStatus(res.ok ? 500 : res.status),
    `Unexpected answer from ${url}: HTTP ${res.status}`,
    status,
  );
};

/** A client for one API and key; every call gives up after `timeoutMs`. */
export const createClient = ({ baseUrl, apiKey, timeoutMs, cache }: ClientOptions): ApiClient => {
  let oldestCached: string | null = null;

  const send = async (route: RouteContract, url: string, body: unknown): Promise<unknown> => {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: route.method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw unreachable(err, url, timeoutMs);
    }
    return unwrap(res, text, url);
  };

  const call = async <R extends RouteContract>(
    route: R,
    input: RouteInput<R> = {},
  ): Promise<z.output<R['response']>> => {
    const params = checked('params', route.params, input.params);
    const query = checked('query', route.query, input.query);
    const body = checked('body', route.body, input.body);
    const url = urlOf(baseUrl, route, params, query);
    const cacheable = cache && route.method === 'GET';
    if (cacheable) {
      const hit = await cache.read(apiKey, url);
      if (hit) {
        if (oldestCached === null || hit.storedAt < oldestCached) oldestCached = hit.storedAt;
        return hit.data as z.output<R['response']>;
      }
    }
    const data = await send(route, url, body);
    if (cacheable) await cache.write(apiKey, url, data);
    return data as z.output<R['response']>;
  };

  return { call, cachedAt: () => oldestCached };
};
