/**
 * What the balance adapters share: their configuration schemas' building blocks, one HTTP call over
 * global fetch whose every failure becomes a BalanceFetchError, JSON parsed with each number kept
 * as its literal text (lossless-json), and exact amounts. What a provider's wire format says (URLs,
 * fields, error codes) stays in its adapter.
 *
 * Error messages name the provider, the HTTP status and the provider's error code, never a body's
 * message or a transport error's text (either can quote a request header), and no such error is
 * attached as `cause`.
 */
import Decimal from 'decimal.js';
import { parse } from 'lossless-json';
import { z } from 'zod';
import type { BalanceFetchRequest } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import { describeIssues } from '../billing/validation';
import { retryAfterMs } from '../providers/http';

/** A source's settings and credential schemas, checked when the source is created and on each fetch. */
export interface BalanceConfigSchemas<S extends z.ZodType = z.ZodType, C extends z.ZodType = z.ZodType> {
  settings: S;
  credentials: C;
}

export const required = () => z.string({ error: 'missing' }).trim().min(1, { error: 'missing' });

/** An absolute http(s) URL without user info (which would be a credential kept in settings). */
export const httpUrl = () =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        if (!URL.canParse(value)) return false;
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
      },
      { error: 'must be an http(s) URL without user info' },
    );

/** JSON number grammar, also accepted inside strings; the exponent is bounded so it spells out short. */
const AMOUNT = /^-?\d+(\.\d+)?(?:[eE]([+-]?\d+))?$/;
const MAX_EXPONENT = 64;

/** A JSON number literal or numeric string as a plain decimal string: digits kept, exponent spelled out. */
export function exactAmount(literal: string): string | undefined {
  const match = AMOUNT.exec(literal);
  if (!match) return undefined;
  if (match[2] === undefined) return literal;
  if (Math.abs(Number(match[2])) > MAX_EXPONENT) return undefined;
  return new Decimal(literal).toFixed();
}

/** A body amount (lossless-json hands numbers over as their literal text) as a plain decimal string. */
export const amount = () =>
  z
    .string()
    .refine((value) => exactAmount(value) !== undefined)
    .transform((value) => exactAmount(value) as string);

/**
 * Settings and credentials against the source's schemas. Both were checked when the source was
 * created, so a failure here means they changed since: retrying will not help, hence 'auth' for
 * credentials and 'invalid_response' (the non-retryable kind left) for settings.
 */
export function parseConfig<S extends z.ZodType, C extends z.ZodType>(
  provider: string,
  schemas: BalanceConfigSchemas<S, C>,
  request: BalanceFetchRequest,
): { settings: z.infer<S>; credentials: z.infer<C> } {
  const credentials = schemas.credentials.safeParse(request.credentials);
  if (!credentials.success) {
    throw new BalanceFetchError(
      'auth',
      `${provider} credentials: ${describeIssues(credentials.error.issues).join(', ')}`,
    );
  }
  const settings = schemas.settings.safeParse(request.settings);
  if (!settings.success) {
    throw new BalanceFetchError(
      'invalid_response',
      `${provider} settings: ${describeIssues(settings.error.issues).join(', ')}`,
    );
  }
  return { settings: settings.data, credentials: credentials.data };
}

/** `base` (path prefix kept, trailing slash dropped) followed by the documented path. */
export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;

export interface HttpCall {
  provider: string;
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** Balance answers are a few hundred bytes; anything past this is not one. */
const MAX_BODY_BYTES = 1_000_000;

/**
 * One request; a 2xx answers its body's text, anything else throws: 401/403 'auth', 429
 * 'rate_limited' (with Retry-After), other statuses and the network 'upstream', the signal
 * 'timeout'. Redirects are not followed, so headers never travel to another origin.
 */
export async function httpText(call: HttpCall): Promise<string> {
  const { provider, signal } = call;
  try {
    const response = await fetch(call.url, {
      method: call.method ?? 'GET',
      headers: call.headers,
      body: call.body,
      redirect: 'manual',
      signal,
    });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel();
      throw statusError(provider, response.status, response.headers);
    }
    const text = await readText(response);
    if (text === undefined) {
      throw new BalanceFetchError(
        'invalid_response',
        `${provider}: response body over ${MAX_BODY_BYTES} bytes`,
      );
    }
    return text;
  } catch (err) {
    throw transportError(provider, err, signal);
  }
}

/** `GET url` with the key as a Bearer token, as the AI providers' balance endpoints all take it. */
export async function getWithBearer(
  provider: string,
  url: string,
  apiKey: string,
  signal: AbortSignal,
): Promise<unknown> {
  const text = await httpText({
    provider,
    url,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    signal,
  });
  return parseExactJson(provider, text);
}

/** The table every HTTP status follows; adapters map their documented error codes first. */
export function statusError(provider: string, status: number, headers?: Headers): BalanceFetchError {
  if (status === 401 || status === 403) {
    return new BalanceFetchError('auth', `${provider}: credentials refused (HTTP ${status})`, { status });
  }
  if (status === 429) {
    return new BalanceFetchError('rate_limited', `${provider}: rate limited (HTTP 429)`, {
      status,
      retryAfterMs: headers ? retryAfterMs(headers) : undefined,
    });
  }
  return new BalanceFetchError('upstream', `${provider}: HTTP ${status}`, { status });
}

/** A BalanceFetchError passes through; after the signal fired it is a timeout; the rest is the network. */
export function transportError(provider: string, err: unknown, signal: AbortSignal): BalanceFetchError {
  if (err instanceof BalanceFetchError) return err;
  if (signal.aborted) return timeoutError(provider);
  // undici puts the socket error in `cause`; its code (ECONNREFUSED, …) is all that is kept.
  const code = safeCode(
    (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code,
  );
  return new BalanceFetchError('upstream', `${provider}: connection failed${code ? ` (${code})` : ''}`);
}

export const timeoutError = (provider: string): BalanceFetchError =>
  new BalanceFetchError('timeout', `${provider}: no answer before the signal aborted`);

/**
 * For an SDK that takes no AbortSignal: settles as the call `start` makes does, or with 'timeout'
 * once `signal` fires (the abandoned request then runs on until the SDK's own read timeout).
 */
export function abortable<T>(provider: string, signal: AbortSignal, start: () => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(timeoutError(provider));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timeoutError(provider));
    signal.addEventListener('abort', onAbort, { once: true });
    start()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** JSON with every number kept as its literal text, so no amount ever passes through a float. */
export function parseExactJson(provider: string, text: string): unknown {
  try {
    return parse(text, null, (literal) => literal);
  } catch {
    throw new BalanceFetchError('invalid_response', `${provider}: response is not JSON`);
  }
}

/** A body in the documented shape, or 'invalid_response' naming the fields that are not. */
export function readBody<T extends z.ZodType>(provider: string, schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || 'body'))];
  throw new BalanceFetchError(
    'invalid_response',
    `${provider}: unexpected response shape (${fields.join(', ')})`,
  );
}

/** A provider's error code or request id for a message, only when it is a plain token. */
export function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.:-]{1,100}$/.test(value) ? value : undefined;
}

async function readText(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
