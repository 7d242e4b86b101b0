/**
 * HTTP plumbing the provider adapters share: posting JSON over node:http, reading JSON and
 * server-sent-event bodies, turning transport failures and statuses into ProviderErrors, reading
 * Retry-After, and keeping credentials out of upstream messages. What a provider's wire format says
 * (URLs, headers, error bodies, stream events) stays in its adapter.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventSourceMessage } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { ProviderFailure } from '../../ports/model-provider';
import { ProviderError } from '../../ports/model-provider';

/** Maps whatever fetch or a body read threw to the adapter's ProviderError. */
export type ToProviderError = (err: unknown) => ProviderError;

/** How long a stream's body is read after its last event before giving up on reusing the connection. */
const DRAIN_AFTER_END_MS = 200;

/** Secrets shorter than this are not redacted unless the caller says otherwise. */
const MIN_SECRET_LENGTH = 8;

export const trimSlashes = (url: string): string => url.replace(/\/+$/, '');

/**
 * Kept-alive connections per upstream. Calls go through node:http rather than global fetch: fetch
 * streams every request body through a WHATWG stream and its own header handling, which cost
 * ~0.4 ms of the gateway's time per call on the benchmark machine; node:http sends the head and
 * body in one write.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/** Statuses whose response has no body (a Response with one would be invalid). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * POSTs `body` as JSON and answers with a standard Response: the body read whole, or, for a
 * server-sent-event stream, as it arrives. Anything the connection throws (refused, reset, aborted,
 * cut mid-body) becomes `toError(err)`.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
  toError: ToProviderError,
): Promise<Response> {
  const payload = Buffer.from(JSON.stringify(body));
  const target = new URL(url);
  let incoming: IncomingMessage;
  try {
    incoming = await new Promise<IncomingMessage>((resolve, reject) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(payload.length) },
          agent: target.protocol === 'https:' ? agents['https:'] : agents['http:'],
          signal,
        },
        resolve,
      );
      req.once('error', reject);
      req.end(payload);
    });
  } catch (err) {
    throw toError(err);
  }
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, one);
    }
  }
  const status = incoming.statusCode ?? 502;
  const init = { status, statusText: incoming.statusMessage ?? '', headers: responseHeaders };
  if (NULL_BODY_STATUSES.has(status)) {
    incoming.resume();
    return new Response(null, init);
  }
  if (responseHeaders.get('content-type')?.includes('text/event-stream')) {
    return new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, init);
  }
  try {
    return new Response(Buffer.concat(await incoming.toArray()), init);
  } catch (err) {
    throw toError(err);
  }
}

/**
 * The usual transport failure: a ProviderError passes through, anything after the caller's signal
 * fired is a timeout, the rest is the network (undici puts the socket error in `cause`).
 */
export function transportError(err: unknown, signal: AbortSignal, provider: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted) return new ProviderError('timeout', `${provider} request aborted before completion`);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return new ProviderError('network', `${provider} connection failed: ${detail}`);
}

/** The whole body as JSON; a body that is not JSON is the upstream's fault. */
export async function readJson(res: Response, signal: AbortSignal, provider: string): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw transportError(err, signal, provider);
  }
  const parsed = parseJson(text);
  if (parsed === undefined)
    throw new ProviderError('server_error', `${provider} returned a body that is not JSON`);
  return parsed;
}

/** An error response's body, or '' when it cannot be read: the status alone then decides. */
export async function errorBodyText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}

/** undefined for text that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Yields the server-sent events of a fetch body; read errors throw `toError(err)`. Leaving the loop
 * (early stop, error, end) cancels the body, which releases its connection. Once an event for which
 * `endsStream` is true has been yielded, the server is about to close the body, so the rest is read
 * instead (briefly): a body read to its end lets undici keep the connection alive.
 */
export async function* readSseEvents(
  body: ReadableStream<Uint8Array>,
  toError: ToProviderError,
  endsStream?: (event: EventSourceMessage) => boolean,
): AsyncGenerator<EventSourceMessage> {
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  let ended = false;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (err) {
        throw toError(err);
      }
      if (next.done) return;
      ended ||= endsStream?.(next.value) ?? false;
      yield next.value;
    }
  } finally {
    if (ended) await drain(reader);
    reader.cancel().catch(() => undefined);
  }
}

/** Reads to the end, giving up after DRAIN_AFTER_END_MS for a server that lingers. */
async function drain(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
  const timer = new AbortController();
  await Promise.race([
    (async () => {
      while (!(await reader.read()).done);
    })(),
    delay(DRAIN_AFTER_END_MS, undefined, { signal: timer.signal }),
  ]).catch(() => undefined);
  timer.abort();
}

/** The status table the documented error codes share; adapters handle their own exceptions first. */
export function failureForStatus(status: number): ProviderFailure {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** The `retry-after` header in milliseconds: delay-seconds or an HTTP date, per RFC 9110 §10.2.3. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = retryAfterSecondsMs(value);
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Retry-After's delay-seconds form only, in milliseconds. */
export function retryAfterSecondsMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

/**
 * An upstream message could echo a credential back; it must never reach logs or callers. Secrets
 * shorter than `minLength` are left alone (an empty one would split the text into characters).
 */
export function redactSecrets(
  text: string,
  secrets: readonly (string | undefined)[],
  minLength = MIN_SECRET_LENGTH,
): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= minLength) out = out.split(secret).join('[redacted]');
  }
  return out;
}
