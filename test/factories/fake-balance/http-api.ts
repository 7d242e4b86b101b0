/**
 * Fake balance APIs on 127.0.0.1 for the providers reached with plain HTTP + JSON: a generic
 * server (one documented route, a credential check, a success body written as raw JSON text so
 * number literals reach the client exactly as configured, the provider's error envelope) and one
 * preset per provider with its documented path and body:
 * - OpenRouter `GET /api/v1/credits` → `{data:{total_credits, total_usage}}` (JSON numbers);
 *   errors `{error:{code, message}}` (openrouter.ai/docs/api/api-reference/credits/get-credits).
 * - DeepSeek `GET /user/balance` → `{is_available, balance_infos:[{currency, total_balance,
 *   granted_balance, topped_up_balance}]}` (strings); errors `{error:{message, type, param, code}}`
 *   whose message quotes the key's last characters (api-docs.deepseek.com/api/get-user-balance).
 * - Moonshot `GET /v1/users/me/balance` → `{code:0, data:{available_balance, voucher_balance,
 *   cash_balance}, scode:"0x0", status:true}` (JSON numbers); errors `{error:{message, type}}`
 *   (platform.moonshot.cn/docs/api/balance).
 * - SiliconFlow `GET /v1/user/info` → `{code:20000, message:"OK", status:true, data:{…, balance,
 *   chargeBalance, totalBalance}}` (strings) (docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info);
 *   its error body is not documented, so the fake sends a bare `{code, message}` (clients read the status).
 * Every fake can be switched to 401, 403, 429 with Retry-After, 500, a hang (never answers) or a
 * malformed 200, and records every request.
 */
import type { RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';

export type FakeBalanceMode =
  | 'ok'
  | 'unauthorized'
  | 'forbidden'
  /** 429 with `Retry-After: 7`. */
  | 'rate_limited'
  | 'server_error'
  /** Reads the request and never answers. */
  | 'hang'
  /** 200 with a body in an undocumented shape. */
  | 'malformed';

export interface FakeBalanceApiOptions {
  method?: 'GET' | 'POST';
  path: string;
  /** Whether the request carries the expected credentials. */
  authorized: (request: RecordedRequest) => boolean;
  /** The 200 body, raw JSON text. */
  body: string;
  /** The provider's error body for a status. */
  errorBody: (status: number) => string;
  malformedBody?: string;
}

export interface FakeBalanceApi {
  url: string;
  requests: RecordedRequest[];
  setMode(mode: FakeBalanceMode): void;
  /** Replaces the 200 body (raw JSON text). */
  setBody(body: string): void;
  /** Back to mode 'ok', the configured body and no recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export const RETRY_AFTER_SECONDS = 7;

export async function startFakeBalanceApi(options: FakeBalanceApiOptions): Promise<FakeBalanceApi> {
  let mode: FakeBalanceMode = 'ok';
  let body = options.body;

  const server = await startRecordingServer((recorded, res) => {
    if (mode === 'hang') return;
    const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };
    if (recorded.method !== (options.method ?? 'GET') || recorded.path !== options.path) {
      return reply(404, options.errorBody(404));
    }
    if (mode === 'unauthorized' || !options.authorized(recorded)) return reply(401, options.errorBody(401));
    if (mode === 'forbidden') return reply(403, options.errorBody(403));
    if (mode === 'rate_limited') {
      return reply(429, options.errorBody(429), { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    if (mode === 'server_error') return reply(500, options.errorBody(500));
    if (mode === 'malformed') return reply(200, options.malformedBody ?? '{"data":{"unexpected":true}}');
    reply(200, body);
  });

  return {
    url: server.url,
    requests: server.requests,
    setMode: (next) => {
      mode = next;
    },
    setBody: (next) => {
      body = next;
    },
    reset: () => {
      mode = 'ok';
      body = options.body;
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}

const bearer = (apiKey: string) => (request: RecordedRequest) =>
  request.headers.authorization === `Bearer ${apiKey}`;

/** Amounts are written into the body as given: bare for JSON numbers, quoted for strings. */
export function startFakeOpenRouter(options: { apiKey: string; totalCredits: string; totalUsage: string }) {
  return startFakeBalanceApi({
    path: '/api/v1/credits',
    authorized: bearer(options.apiKey),
    body: `{"data":{"total_credits":${options.totalCredits},"total_usage":${options.totalUsage}}}`,
    errorBody: (status) =>
      JSON.stringify({
        error: { code: status, message: status === 401 ? 'No auth credentials found' : 'Error' },
      }),
  });
}

export interface DeepSeekBalanceInfo {
  currency: string;
  total_balance: string;
  granted_balance: string;
  topped_up_balance: string;
}

export function startFakeDeepSeek(options: { apiKey: string; balanceInfos: DeepSeekBalanceInfo[] }) {
  return startFakeBalanceApi({
    path: '/user/balance',
    authorized: bearer(options.apiKey),
    body: JSON.stringify({ is_available: true, balance_infos: options.balanceInfos }),
    errorBody: (status) =>
      JSON.stringify({
        error: {
          message:
            status === 401
              ? `Authentication Fails, Your api key: ****${options.apiKey.slice(-4)} is invalid`
              : 'Server error',
          type: status === 401 ? 'authentication_error' : 'server_error',
          param: null,
          code: status === 401 ? 'invalid_request_error' : null,
        },
      }),
  });
}

export function startFakeMoonshot(options: {
  apiKey: string;
  available: string;
  voucher: string;
  cash: string;
}) {
  return startFakeBalanceApi({
    path: '/v1/users/me/balance',
    authorized: bearer(options.apiKey),
    body: `{"code":0,"data":{"available_balance":${options.available},"voucher_balance":${options.voucher},"cash_balance":${options.cash}},"scode":"0x0","status":true}`,
    errorBody: (status) =>
      JSON.stringify({
        error:
          status === 401
            ? { message: 'Invalid Authentication', type: 'invalid_authentication_error' }
            : { message: 'Error', type: status === 429 ? 'rate_limit_reached_error' : 'server_error' },
      }),
  });
}

export function startFakeSiliconFlow(options: {
  apiKey: string;
  balance: string;
  chargeBalance: string;
  totalBalance: string;
}) {
  return startFakeBalanceApi({
    path: '/v1/user/info',
    authorized: bearer(options.apiKey),
    body: JSON.stringify({
      code: 20000,
      message: 'OK',
      status: true,
      data: {
        id: 'userid',
        name: 'username',
        image: 'user_avatar_image_url',
        email: 'user_email_address',
        isAdmin: false,
        balance: options.balance,
        status: 'normal',
        introduction: '',
        role: '',
        chargeBalance: options.chargeBalance,
        totalBalance: options.totalBalance,
      },
    }),
    errorBody: (status) =>
      JSON.stringify({ code: status, message: status === 401 ? 'Invalid token' : 'Error' }),
  });
}
