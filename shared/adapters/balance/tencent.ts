/**
 * Tencent Cloud account balance: Billing API (2018-07-09) `DescribeAccountBalance`, signed
 * TC3-HMAC-SHA256 by tencentcloud-sdk-nodejs-common 4.1.220.
 *
 * Wire format followed:
 * - DescribeAccountBalance reference (cloud.tencent.com/document/api/555/20253;
 *   tencentcloud.com/document/product/555/50284): no business parameter (POST `{}`), at most 20
 *   requests a second. Response `Response{Balance (Integer), Uin, RealBalance (Float),
 *   CashAccountBalance, IncomeIntoAccountBalance, PresentAccountBalance, FreezeAmount, OweAmount
 *   (Float), IsAllowArrears, IsCreditLimited, CreditAmount, CreditBalance, RealCreditBalance,
 *   TempCredit (Float), RequestId}`; every amount is in cents (分). Balance "is the same as
 *   RealBalance, kept for older callers", so RealBalance is read and Balance is the fallback. Amounts
 *   are divided by 100 exactly from their number literals (lossless-json), never as floats.
 * - The SDK's `CommonClient.request` ends by parsing the body with JSON.parse, which would turn the
 *   Float amounts into binary floats. We make the very call it makes, `HttpConnection
 *   .doRequestWithSign3` (node_modules/tencentcloud-sdk-nodejs-common/tencentcloud/common/
 *   abstract_client.js doRequestWithSign3, http/http_connection.js, sign.js: canonical headers
 *   `content-type;host`, scope `date/billing/tc3_request`), and read the text it answers. Its parse
 *   step is reproduced: a non-200 status fails on the status, `Response.Error{Code, Message}` on
 *   the code.
 * - Errors (the common error codes every Tencent Cloud API lists, e.g.
 *   tencentcloud.com/document/api/1131/45350): AuthFailure.* (signature, SecretId, expired, not
 *   authorized) and UnauthorizedOperation* are refused credentials; RequestLimitExceeded* is
 *   throttling (no retry hint is sent); anything else (InternalError, …) is the upstream's.
 * - Currency: the answer names none. CNY for the China site; the international one
 *   (billing.intl.tencentcloudapi.com) bills in USD cents; the `currency` setting overrides both.
 * - Tests dial a fake through `connectTo` while the endpoint host stays the signed Host, as the bill
 *   source does (shared/adapters/billing/tencent.ts).
 */
import type { Agent } from 'node:http';
import { HttpConnection } from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/http/http_connection.js';
import { sdkVersion } from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sdk_version.js';
import { z } from 'zod';
import { decimal, toDecimalString } from '../../domain/money';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import { FixedAddressAgent } from '../billing/tencent';
import {
  amount,
  httpUrl,
  parseConfig,
  parseExactJson,
  readBody,
  required,
  safeCode,
  statusError,
  transportError,
} from './support';

const PROVIDER = 'tencent';
const ACTION = 'DescribeAccountBalance';
const SERVICE = 'billing';
const DEFAULT_ENDPOINT = 'https://billing.tencentcloudapi.com';

export const tencentConfig = {
  settings: z.strictObject({
    endpoint: httpUrl().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  }),
  credentials: z.object({ secretId: required(), secretKey: required() }),
};

const cents = () => amount().optional();
const bodySchema = z.object({
  Response: z.object({
    Error: z.object({ Code: z.string(), Message: z.string().optional() }).optional(),
    RequestId: z.string().optional(),
    Balance: cents(),
    RealBalance: cents(),
    CashAccountBalance: cents(),
    PresentAccountBalance: cents(),
    FreezeAmount: cents(),
    OweAmount: cents(),
    CreditBalance: cents(),
  }),
});

/** The part of the node-fetch Response HttpConnection answers that is read here. */
interface SignedResponse {
  status: number;
  text(): Promise<string>;
}

/** HttpConnection.doRequestWithSign3 as CommonClient calls it: region, token and language optional. */
type SignedRequest = (options: {
  method: 'POST';
  url: string;
  data: Record<string, never>;
  service: string;
  action: string;
  version: string;
  secretId: string;
  secretKey: string;
  requestClient: string;
  timeout: number;
  headers: Record<string, string>;
  agent?: Agent;
  signal: AbortSignal;
}) => Promise<SignedResponse>;
const signedRequest = HttpConnection.doRequestWithSign3.bind(HttpConnection) as unknown as SignedRequest;

export interface TencentBalanceSourceOptions {
  /**
   * `http://host:port` to dial instead of the endpoint host, keeping the endpoint as the signed
   * Host (tests point it at a fake on 127.0.0.1).
   */
  connectTo?: string;
}

export class TencentBalanceSource implements BalanceSource {
  private readonly agent?: Agent;

  constructor(options: TencentBalanceSourceOptions = {}) {
    if (options.connectTo) {
      const target = new URL(options.connectTo);
      if (target.protocol !== 'http:') throw new Error('tencent connectTo: only http:// is supported');
      this.agent = new FixedAddressAgent(target.hostname, Number(target.port || 80));
    }
  }

  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, tencentConfig, request);
    const endpoint = new URL(settings.endpoint ?? DEFAULT_ENDPOINT);
    // The fixed-address agent speaks plain HTTP; the signed Host stays the endpoint's.
    const protocol = this.agent ? 'http:' : endpoint.protocol;
    let response: SignedResponse;
    let text: string;
    try {
      response = await signedRequest({
        method: 'POST',
        url: `${protocol}//${endpoint.host}/`,
        data: {},
        service: SERVICE,
        action: ACTION,
        version: '2018-07-09',
        secretId: credentials.secretId,
        secretKey: credentials.secretKey,
        requestClient: `SDK_NODEJS_${sdkVersion}`,
        timeout: 30_000,
        headers: {},
        ...(this.agent ? { agent: this.agent } : {}),
        signal: request.signal,
      });
      text = await response.text();
    } catch (err) {
      throw transportError(`${PROVIDER} ${ACTION}`, err, request.signal);
    }
    if (response.status !== 200) throw statusError(`${PROVIDER} ${ACTION}`, response.status);

    const { Response: answer } = readBody(PROVIDER, bodySchema, parseExactJson(PROVIDER, text));
    if (answer.Error) throw codeError(answer.Error.Code, answer.RequestId);
    const balanceCents = answer.RealBalance ?? answer.Balance;
    if (balanceCents === undefined) {
      throw new BalanceFetchError('invalid_response', `${PROVIDER} ${ACTION}: no RealBalance or Balance`);
    }
    const details: Record<string, string> = {};
    const parts = {
      cashAccountBalance: answer.CashAccountBalance,
      presentAccountBalance: answer.PresentAccountBalance,
      freezeAmount: answer.FreezeAmount,
      oweAmount: answer.OweAmount,
      creditBalance: answer.CreditBalance,
    };
    for (const [name, value] of Object.entries(parts)) if (value !== undefined) details[name] = yuan(value);
    return {
      balance: yuan(balanceCents),
      currency: settings.currency ?? (endpoint.hostname.includes('.intl.') ? 'USD' : 'CNY'),
      details,
    };
  }
}

/** Cents (分) to yuan (or dollars), exactly. */
const yuan = (cents: string): string => toDecimalString(decimal(cents).dividedBy(100));

function codeError(rawCode: string, rawRequestId: string | undefined): BalanceFetchError {
  const code = safeCode(rawCode) ?? 'unknown';
  const message = `${PROVIDER} ${ACTION} failed: ${code} (request id ${safeCode(rawRequestId) ?? 'none'})`;
  if (code.startsWith('RequestLimitExceeded')) return new BalanceFetchError('rate_limited', message);
  if (code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation')) {
    return new BalanceFetchError('auth', message);
  }
  return new BalanceFetchError('upstream', message);
}
