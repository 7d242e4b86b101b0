/**
 * The generic JSON webhook channel, and the HTTP delivery every webhook channel (Feishu, DingTalk,
 * WeCom, Slack, generic) shares: URL rules, one POST carrying the caller's signal, and failures
 * turned into DeliveryErrors whose messages never carry the URL (it holds the bot token) or a secret.
 *
 * Wire format followed (generic webhook): Standard Webhooks 1.0
 * (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md) through the
 * `standardwebhooks` 1.1.1 package:
 * - Body: JSON. The spec imposes no shape ("data ... can be squashed as part of the top-level
 *   object"); we send the ChannelMessage itself, its `kind` and `occurredAt` standing for the
 *   recommended `type` and `timestamp`.
 * - Headers: `webhook-id` (the same on every retry of one event, an idempotency key, no `.`),
 *   `webhook-timestamp` (integer unix seconds of this attempt) and, with a signing secret,
 *   `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` (`Webhook#sign`).
 * - Secret: `whsec_` + base64 of a random key, "at least 24 bytes (192 bits, 512 maximum)".
 * - Answers: any 2xx is delivered; 429 (with Retry-After) is rate limiting; 5xx is transient.
 */
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { ChannelMessage } from '../../domain/notifications/types';
import type { ChannelSender, ChannelTarget, DeliveryReceipt } from '../../ports/notifications';
import { DeliveryError } from '../../ports/notifications';
import { parseJson, redactSecrets, retryAfterMs } from '../providers/http';

// ---------------------------------------------------------------------------------------------
// Configuration rules
// ---------------------------------------------------------------------------------------------

/** Where webhook URLs may point. Deployed stacks use the default: https only. */
export interface UrlPolicy {
  /** Also accept `http://127.0.0.1` URLs, for local runs and tests against fake receivers. */
  allowLoopbackHttp?: boolean;
}

/** Literal addresses a public webhook must not target (the Lambda's own network, metadata service). */
const PRIVATE_ADDRESSES = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['::ffff:0:0', 96],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE_ADDRESSES.addSubnet(network, prefix, 'ipv6');
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && PRIVATE_ADDRESSES.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `value` is not an allowed webhook URL, in words that never repeat it; undefined when it is. */
function urlProblem(
  value: string,
  hosts: readonly string[] | undefined,
  policy: UrlPolicy,
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (policy.allowLoopbackHttp && url.protocol === 'http:' && url.hostname === '127.0.0.1') return undefined;
  if (url.protocol !== 'https:') return 'must use https';
  if (hosts) return hosts.includes(url.hostname) ? undefined : `host must be ${hosts.join(' or ')}`;
  return isPrivateHost(url.hostname) ? 'must point to a public host' : undefined;
}

/** Messages this module writes itself; any other (zod's own) is reported as plain `invalid`. */
const OWN_MESSAGES = new Set(['missing', 'must be text', 'is too long']);

/** A required text value; `missing` is reported as such, never with the value. */
export const requiredText = () => z.string({ error: 'missing' }).trim().min(1, { error: 'missing' });

/** A webhook URL: https to one of `hosts` (any public host when omitted), or loopback http if allowed. */
export const webhookUrlSchema = (hosts: readonly string[] | undefined, policy: UrlPolicy) =>
  requiredText().superRefine((value, ctx) => {
    const problem = urlProblem(value, hosts, policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Chat channels keep nothing but a display label in their (non-secret, returned by the API) settings. */
export const chatSettingsSchema = z
  .object({ label: z.string({ error: 'must be text' }).trim().max(100, { error: 'is too long' }).optional() })
  .strict();

/** The settings and secret a channel type accepts, checked when it is saved and again when it sends. */
export interface ChannelConfigSchemas {
  settings: z.ZodType<Record<string, string | undefined>>;
  secret: z.ZodType<Record<string, string | undefined>>;
}

const SAFE_KEY = /^[A-Za-z][\w-]{0,39}$/;

/** Problems named by field and rule; values never appear, since they may be secrets. */
export function configProblems(scope: 'settings' | 'secret', error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) =>
        SAFE_KEY.test(key) ? `${scope}.${key} is not a known field` : `${scope} has an unknown field`,
      );
    }
    const path = [scope, ...issue.path.map(String)].join('.');
    const own = issue.code === 'custom' || OWN_MESSAGES.has(issue.message);
    return [`${path} ${own ? issue.message : 'invalid'}`];
  });
}

/** The target's secret parsed for sending; a broken one is refused before anything goes out. */
export function parseSecret<T extends z.ZodType>(
  channel: string,
  schema: T,
  target: ChannelTarget,
): z.infer<T> {
  const result = schema.safeParse(target.secret);
  if (result.success) return result.data;
  const problems = configProblems('secret', result.error).join(', ');
  throw new DeliveryError('rejected', `${channel} channel is misconfigured: ${problems}`);
}

// ---------------------------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------------------------

/** What came back from one POST. */
export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

/** Platform error texts are cut to this; they only have to say what went wrong. */
const MAX_DETAIL_CHARS = 200;

/**
 * POSTs a JSON body once. Redirects are not followed (they would carry a signed body to a host
 * nobody validated). An abort becomes 'timeout'; a connection failure 'unavailable', named by its
 * code only, since fetch's own messages may quote the URL.
 */
export async function postJson(
  channel: string,
  url: string,
  body: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      redirect: 'manual',
      signal,
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    if (signal.aborted) throw new DeliveryError('timeout', `${channel} did not answer before the deadline`);
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    throw new DeliveryError(
      'unavailable',
      `${channel} could not be reached (${typeof code === 'string' ? code : 'network error'})`,
    );
  }
}

/** Everything in a URL that may be a credential: the URL itself, its path segments, its query values. */
export function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [url, ...parsed.pathname.split('/'), ...parsed.searchParams.values()];
  } catch {
    return [url];
  }
}

/** A platform's error text, trimmed, shortened and with every known secret blanked out. */
export function detail(text: string, secrets: readonly (string | undefined)[]): string {
  const flat = redactSecrets(text.replace(/\s+/g, ' ').trim(), secrets);
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS)}…` : flat;
}

/** The failure an HTTP status other than 2xx stands for; `why` is already redacted. */
export function statusFailure(channel: string, reply: HttpReply, why: string): DeliveryError {
  const { status } = reply;
  const suffix = why ? `: ${why}` : '';
  if (status === 429) {
    return new DeliveryError('rate_limited', `${channel} is rate limiting (HTTP 429)${suffix}`, {
      status,
      retryAfterMs: retryAfterMs(reply.headers),
    });
  }
  if (status >= 500) {
    return new DeliveryError('unavailable', `${channel} answered HTTP ${status}${suffix}`, { status });
  }
  if (status >= 300 && status < 400) {
    return new DeliveryError('rejected', `${channel} answered with a redirect (HTTP ${status})`, { status });
  }
  return new DeliveryError('rejected', `${channel} refused the message (HTTP ${status})${suffix}`, {
    status,
  });
}

/** How a chat platform reports its result in the JSON body of an HTTP 200. */
export interface ResultCodes {
  codeField: string;
  messageField: string;
  /** Codes that mean "too many messages, later". */
  rateLimited: readonly number[];
  /** Codes that mean "busy, try again". */
  busy: readonly number[];
}

/**
 * Reads a chat platform's answer: transport statuses first (429, 5xx), then the result code in the
 * body (0 is success), then any other status.
 */
export function readCodedReply(
  channel: string,
  reply: HttpReply,
  codes: ResultCodes,
  secrets: readonly (string | undefined)[],
): DeliveryReceipt {
  const { status } = reply;
  if (status === 429 || status >= 500) throw statusFailure(channel, reply, detail(reply.text, secrets));
  const body = parseJson(reply.text) as Record<string, unknown> | undefined;
  const code = body?.[codes.codeField];
  if (typeof code !== 'number') {
    if (status >= 200 && status < 300) {
      throw new DeliveryError('unavailable', `${channel} answered without a result code`, { status });
    }
    throw statusFailure(channel, reply, detail(reply.text, secrets));
  }
  if (code === 0 && status >= 200 && status < 300) return { status };
  const text = body?.[codes.messageField];
  const why = `code ${code}${typeof text === 'string' && text ? ` (${detail(text, secrets)})` : ''}`;
  if (codes.rateLimited.includes(code)) {
    throw new DeliveryError('rate_limited', `${channel} is rate limiting: ${why}`, { status });
  }
  if (codes.busy.includes(code)) {
    throw new DeliveryError('unavailable', `${channel} is busy: ${why}`, { status });
  }
  throw new DeliveryError('rejected', `${channel} refused the message: ${why}`, { status });
}

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = Buffer.byteLength('…');
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return `${out}…`;
}

// ---------------------------------------------------------------------------------------------
// The generic webhook channel
// ---------------------------------------------------------------------------------------------

const WHSEC_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

const standardWebhookSecret = requiredText().superRefine((value, ctx) => {
  const key = value.slice(WHSEC_PREFIX.length);
  const size = Buffer.from(key, 'base64').length;
  if (!value.startsWith(WHSEC_PREFIX) || !BASE64.test(key) || size < MIN_KEY_BYTES || size > MAX_KEY_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message: `must be whsec_ followed by ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} base64-encoded bytes`,
    });
  }
});

export const webhookSchemas = (policy: UrlPolicy = {}) => ({
  settings: chatSettingsSchema,
  secret: z.object({
    url: webhookUrlSchema(undefined, policy),
    signingSecret: standardWebhookSecret.optional(),
  }),
});

/** One id per event, whatever the attempt: receivers use it to drop duplicates. */
export function webhookMessageId(message: ChannelMessage): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([message.enterpriseId, message.kind, message.subject, message.occurredAt]))
    .digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}

export class WebhookSender implements ChannelSender {
  private readonly schemas: ReturnType<typeof webhookSchemas>;

  constructor(
    policy: UrlPolicy = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.schemas = webhookSchemas(policy);
  }

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const secret = parseSecret('Webhook', this.schemas.secret, target);
    const body = JSON.stringify(message);
    const id = webhookMessageId(message);
    const at = this.now();
    const headers: Record<string, string> = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    };
    if (secret.signingSecret) {
      headers['webhook-signature'] = new Webhook(secret.signingSecret).sign(id, at, body);
    }

    const reply = await postJson('Webhook', secret.url, body, signal, headers);
    if (reply.status >= 200 && reply.status < 300) return { status: reply.status };
    throw statusFailure(
      'Webhook',
      reply,
      detail(reply.text, [...urlSecrets(secret.url), secret.signingSecret]),
    );
  }
}
