/**
 * Alibaba Cloud account balance: BSS OpenAPI (2017-12-14) `QueryAccountBalance`, called through the
 * official SDK (@alicloud/bssopenapi20171214 4.1.1 on @alicloud/openapi-core 1.0.8), client set up
 * as the bill source does (shared/adapters/billing/aliyun.ts).
 *
 * Wire format followed:
 * - QueryAccountBalance reference (alibabacloud.com/help/en/user-center/developer-reference/
 *   api-bssopenapi-2017-12-14-queryaccountbalance; help.aliyun.com/en/user-center/developer-reference/
 *   api-queryaccountbalance) and the SDK (src/client.ts queryAccountBalanceWithOptions: action
 *   QueryAccountBalance, POST, RPC style, no parameters; src/models/QueryAccountBalanceResponseBody.ts):
 *   `{RequestId, Success, Code: "200", Message, Data:{AvailableAmount, AvailableCashAmount,
 *   CreditAmount, MybankCreditAmount, QuotaLimit, Currency (CNY | USD | JPY)}}`, every amount a
 *   string ("10000.00", "-11.19" when in arrears). Some accounts get AvailableAmount with thousands
 *   separators ("1,234.56"; public clients strip the commas before parsing): correctly grouped
 *   commas are removed, any other form is refused.
 * - We call the same operation with `bodyType: 'string'` and parse the text ourselves, so a number
 *   sent where the model says string is still read exactly (lossless-json), never as a float.
 * - Signing and errors as in the bill source: ACS3-HMAC-SHA256 (V3); HTTP ≥ 400 answers throw
 *   AlibabaCloudError with `code`, `statusCode`, `requestId` (ThrottlingError for `Throttling*`
 *   codes); some business errors come as HTTP 200 with Success=false. Auth codes: the common
 *   InvalidAccessKeyId.*, SignatureDoesNotMatch, IncompleteSignature, InvalidSecurityToken.*,
 *   Forbidden.*, NoPermission, and BSS's NotAuthorized / NotApplicable ("This API is not
 *   authorized / applicable for caller").
 * - The SDK takes no AbortSignal: the call is raced against it, and its own read timeout ends the
 *   abandoned request.
 * - Endpoints: business.aliyuncs.com (China site), business.ap-southeast-1.aliyuncs.com (international).
 */
import { AlibabaCloudError } from '@alicloud/openapi-core';
import { z } from 'zod';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import {
  abortable,
  exactAmount,
  httpUrl,
  parseConfig,
  parseExactJson,
  readBody,
  required,
  safeCode,
} from './support';
import { bssClient, callBssRaw, type BssClient } from '../aliyun-bss';

const PROVIDER = 'aliyun';
const ACTION = 'QueryAccountBalance';
const DEFAULT_ENDPOINT = 'https://business.aliyuncs.com';

export const aliyunConfig = {
  settings: z.strictObject({ endpoint: httpUrl().optional() }),
  credentials: z.object({ accessKeyId: required(), accessKeySecret: required() }),
};

/** Plain decimal, or thousands grouped by commas. */
const GROUPED = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;
const bssAmount = () =>
  z
    .string()
    .transform((value) => (GROUPED.test(value) ? value.replaceAll(',', '') : value))
    .refine((value) => exactAmount(value) !== undefined)
    .transform((value) => exactAmount(value) as string);

const bodySchema = z.object({
  RequestId: z.string().optional(),
  Success: z.boolean().optional(),
  Code: z.string().optional(),
  Data: z
    .object({
      AvailableAmount: bssAmount(),
      AvailableCashAmount: bssAmount().optional(),
      CreditAmount: bssAmount().optional(),
      MybankCreditAmount: bssAmount().optional(),
      Currency: z.string().regex(/^[A-Z]{3}$/),
    })
    .optional(),
});

const AUTH_CODES =
  /^(InvalidAccessKeyId|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken|Forbidden|NoPermission|NotAuthorized|NotApplicable)\b/;

export class AliyunBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, aliyunConfig, request);
    const client = bssClient(credentials, settings.endpoint ?? DEFAULT_ENDPOINT, 30_000);
    const text = await abortable(PROVIDER, request.signal, () => queryAccountBalance(client));
    const body = readBody(PROVIDER, bodySchema, parseExactJson(PROVIDER, text));
    if (body.Success === false) throw codeError(body.Code, undefined, body.RequestId);
    if (!body.Data) throw new BalanceFetchError('invalid_response', `${PROVIDER} ${ACTION}: no Data`);
    const { AvailableAmount, AvailableCashAmount, CreditAmount, MybankCreditAmount, Currency } = body.Data;
    const details: Record<string, string> = {};
    if (AvailableCashAmount !== undefined) details.availableCashAmount = AvailableCashAmount;
    if (CreditAmount !== undefined) details.creditAmount = CreditAmount;
    if (MybankCreditAmount !== undefined) details.mybankCreditAmount = MybankCreditAmount;
    return { balance: AvailableAmount, currency: Currency, details };
  }
}

async function queryAccountBalance(client: BssClient): Promise<string> {
  try {
    return await callBssRaw(client, ACTION);
  } catch (err) {
    if (err instanceof AlibabaCloudError) throw codeError(err.code, err.statusCode, err.requestId);
    const code = safeCode((err as { code?: unknown }).code);
    throw new BalanceFetchError(
      'upstream',
      `${PROVIDER} ${ACTION}: connection failed${code ? ` (${code})` : ''}`,
    );
  }
}

function codeError(
  rawCode: string | undefined,
  status: number | undefined,
  rawRequestId: string | undefined,
): BalanceFetchError {
  const code = safeCode(rawCode) ?? 'unknown';
  const message = `${PROVIDER} ${ACTION} failed: ${code} (${status ? `HTTP ${status}, ` : ''}request id ${safeCode(rawRequestId) ?? 'none'})`;
  if (code.includes('Throttling') || status === 429) {
    return new BalanceFetchError('rate_limited', message, { status });
  }
  if (status === 401 || status === 403 || AUTH_CODES.test(code)) {
    return new BalanceFetchError('auth', message, { status });
  }
  return new BalanceFetchError('upstream', message, { status });
}
