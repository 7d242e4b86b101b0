/**
 * Fake chat-bot and webhook receivers on 127.0.0.1 that check what the real platforms check, from
 * their own copy of the token and signing secret (never the senders' code), and answer in the
 * platforms' documented shapes (sources in the senders' header comments):
 * - Feishu: token in the path (else code 19001); with a secret, `timestamp` (seconds) within one
 *   hour and `sign` = base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = "")) in the body
 *   (else HTTP 200 `{code: 19021, msg: "sign match fail or timestamp is not within one hour from
 *   current time"}`); a known msg_type with its content and a body under 20 KB (else 9499).
 * - DingTalk: `access_token` in the query (else 300001 "token is not exist"); with a secret,
 *   `timestamp` (milliseconds) within one hour and `sign` = urlencode(base64(HMAC-SHA256(key =
 *   secret, message = `${timestamp}\n${secret}`))) in the query (else 310000 "sign not match").
 * - WeCom: `key` in the query (else 93000 "invalid webhook url"); a known msgtype (else 40008).
 * - Slack: the hook path (else 404 `no_service`); a JSON body with `text` or `blocks` (else 400
 *   `invalid_payload` / `no_text`); success is 200 `ok`.
 * - Generic: with a secret, the Standard Webhooks signature checked by the `standardwebhooks`
 *   package (else 401).
 * Each can be switched to answer 500, 429 with Retry-After, the platform's rate-limit code, or
 * never answer.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { ChannelMessage } from '../../shared/domain/notifications/types';
import { DeliveryError } from '../../shared/ports/notifications';
import type { FakeResponse, RecordedRequest } from './fake-upstream';
import { startRecordingServer } from './fake-upstream';

/** A balance alert as the balance monitor raises it. */
export const notificationMessage = (over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  kind: 'balance.low',
  tone: 'alert',
  severity: 'critical',
  title: 'OpenAI balance is low',
  text: 'The balance fell below the threshold.\nTop up before requests start failing.',
  fields: [
    ['Balance', '12.30 USD'],
    ['Threshold', '50 USD'],
  ],
  subject: 'balance-source:bs_01',
  enterpriseId: 'ent_01',
  occurredAt: '2025-03-01T08:00:00.000Z',
  ...over,
});

/** The DeliveryError a send failed with; fails the test if it succeeded or threw something else. */
export async function deliveryFailure(sending: Promise<unknown>): Promise<DeliveryError> {
  const outcome = await sending.then(
    () => new Error('expected the send to fail'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof DeliveryError)) throw outcome;
  return outcome;
}

export type FakeWebhookMode =
  | 'ok'
  /** HTTP 500. */
  | 'server_error'
  /** HTTP 429 with `Retry-After: 7`. */
  | 'throttled'
  /** HTTP 200 with the platform's rate-limit code (Slack and generic receivers have none: 429). */
  | 'rate_limit_code'
  /** Never answers. */
  | 'hang';

export const FAKE_RETRY_AFTER_SECONDS = 7;

export interface FakeReceiver {
  /** The webhook URL to configure, token included. */
  webhookUrl: string;
  requests: RecordedRequest[];
  setMode(mode: FakeWebhookMode): void;
  close(): Promise<void>;
}

const ONE_HOUR_MS = 3_600_000;
const FEISHU_MAX_BODY_BYTES = 20 * 1024;

const sendJson = (res: FakeResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const sendText = (res: FakeResponse, status: number, text: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'text/html', ...headers });
  res.end(text);
};

/**
 * A receiver whose transport-level modes (hang, 500, 429) apply before any check, as a platform's
 * front end would; `handle` checks and answers everything else, 'rate_limit_code' included.
 */
async function startReceiver(
  path: string,
  handle: (recorded: RecordedRequest, res: FakeResponse, mode: FakeWebhookMode) => void,
): Promise<FakeReceiver> {
  let mode: FakeWebhookMode = 'ok';
  const server = await startRecordingServer((recorded, res) => {
    if (mode === 'hang') return;
    if (mode === 'server_error') return sendText(res, 500, 'Internal Server Error');
    if (mode === 'throttled') {
      return sendText(res, 429, 'rate_limited', { 'retry-after': String(FAKE_RETRY_AFTER_SECONDS) });
    }
    handle(recorded, res, mode);
  });
  return {
    webhookUrl: `${server.url}${path}`,
    requests: server.requests,
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}

const withinOneHour = (timestampMs: number, now: number): boolean =>
  Number.isFinite(timestampMs) && Math.abs(now - timestampMs) <= ONE_HOUR_MS;

export async function startFakeFeishu(options: {
  token: string;
  signingSecret?: string;
}): Promise<FakeReceiver> {
  const hookPath = `/open-apis/bot/v2/hook/${options.token}`;
  return startReceiver(hookPath, (recorded, res, mode) => {
    if (recorded.method !== 'POST' || recorded.path !== hookPath) {
      return sendJson(res, 200, {
        code: 19001,
        data: {},
        msg: 'param invalid: incoming webhook access token invalid',
      });
    }
    const body = recorded.body as Record<string, unknown> | undefined;
    if (options.signingSecret) {
      const timestamp = String(body?.timestamp ?? '');
      const expected = createHmac('sha256', `${timestamp}\n${options.signingSecret}`)
        .update('')
        .digest('base64');
      const fresh = /^\d+$/.test(timestamp) && withinOneHour(Number(timestamp) * 1000, Date.now());
      if (!fresh || body?.sign !== expected) {
        return sendJson(res, 200, {
          code: 19021,
          msg: 'sign match fail or timestamp is not within one hour from current time',
        });
      }
    }
    const wellFormed =
      body !== undefined &&
      Buffer.byteLength(recorded.rawBody) <= FEISHU_MAX_BODY_BYTES &&
      (body.msg_type === 'interactive'
        ? typeof body.card === 'object' && body.card !== null
        : ['text', 'post', 'image', 'share_chat'].includes(String(body.msg_type)) &&
          typeof body.content === 'object');
    if (!wellFormed) return sendJson(res, 200, { code: 9499, msg: 'Bad Request', data: {} });
    if (mode === 'rate_limit_code') {
      return sendJson(res, 200, {
        code: 11232,
        data: {},
        msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1500]',
      });
    }
    sendJson(res, 200, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' });
  });
}

export async function startFakeDingTalk(options: {
  accessToken: string;
  signingSecret?: string;
}): Promise<FakeReceiver> {
  return startReceiver(`/robot/send?access_token=${options.accessToken}`, (recorded, res, mode) => {
    if (recorded.path !== '/robot/send' || recorded.query.get('access_token') !== options.accessToken) {
      return sendJson(res, 200, { errcode: 300001, errmsg: 'token is not exist' });
    }
    if (options.signingSecret) {
      const timestamp = recorded.query.get('timestamp') ?? '';
      if (!/^\d+$/.test(timestamp) || !withinOneHour(Number(timestamp), Date.now())) {
        return sendJson(res, 200, { errcode: 310000, errmsg: 'invalid timestamp' });
      }
      const secret = options.signingSecret;
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
      // URLSearchParams has already undone the sender's urlEncode step.
      if (recorded.query.get('sign') !== expected) {
        return sendJson(res, 200, {
          errcode: 310000,
          errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
        });
      }
    }
    if (mode === 'rate_limit_code') {
      return sendJson(res, 200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    }
    sendJson(res, 200, { errcode: 0, errmsg: 'ok' });
  });
}

const WECOM_MSG_TYPES = ['text', 'markdown', 'image', 'news', 'file', 'voice', 'template_card'];

export async function startFakeWeCom(options: { key: string }): Promise<FakeReceiver> {
  return startReceiver(`/cgi-bin/webhook/send?key=${options.key}`, (recorded, res, mode) => {
    if (recorded.path !== '/cgi-bin/webhook/send' || recorded.query.get('key') !== options.key) {
      return sendJson(res, 200, {
        errcode: 93000,
        errmsg:
          'invalid webhook url, hint: [1708397705432012366598976], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=93000',
      });
    }
    const body = recorded.body as Record<string, unknown> | undefined;
    if (!WECOM_MSG_TYPES.includes(String(body?.msgtype))) {
      return sendJson(res, 200, { errcode: 40008, errmsg: 'invalid message type' });
    }
    if (mode === 'rate_limit_code') {
      return sendJson(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
    }
    sendJson(res, 200, { errcode: 0, errmsg: 'ok' });
  });
}

export async function startFakeSlack(options: { hookPath: string }): Promise<FakeReceiver> {
  return startReceiver(options.hookPath, (recorded, res, mode) => {
    if (recorded.path !== options.hookPath) return sendText(res, 404, 'no_service');
    if (mode === 'rate_limit_code') {
      return sendText(res, 429, 'rate_limited', { 'retry-after': String(FAKE_RETRY_AFTER_SECONDS) });
    }
    const body = recorded.body as Record<string, unknown> | undefined;
    if (body === undefined || typeof body !== 'object') return sendText(res, 400, 'invalid_payload');
    if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return sendText(res, 400, 'no_text');
    sendText(res, 200, 'ok');
  });
}

export interface FakeGenericReceiver extends FakeReceiver {
  /** Payloads whose signature verified (all of them when no secret is set). */
  verified: unknown[];
}

export async function startFakeGenericWebhook(options: {
  signingSecret?: string;
}): Promise<FakeGenericReceiver> {
  const verified: unknown[] = [];
  const receiver = await startReceiver('/hooks/tollgate', (recorded, res, mode) => {
    if (mode === 'rate_limit_code') {
      return sendText(res, 429, 'rate_limited', { 'retry-after': String(FAKE_RETRY_AFTER_SECONDS) });
    }
    let payload: unknown = recorded.body;
    if (options.signingSecret) {
      try {
        payload = new Webhook(options.signingSecret).verify(
          recorded.rawBody,
          recorded.headers as Record<string, string>,
        );
      } catch (err) {
        return sendJson(res, 401, { error: (err as Error).message });
      }
    }
    verified.push(payload);
    sendJson(res, 200, { received: true });
  });
  return { ...receiver, verified };
}
