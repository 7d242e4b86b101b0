/**
 * Moonshot AI (Kimi open platform) account balance.
 *
 * Wire format followed:
 * - Check Balance, China site (platform.moonshot.cn/docs/api/balance): `GET
 *   https://api.moonshot.cn/v1/users/me/balance` with `Authorization: Bearer <key>`; 200 `{code: 0,
 *   data:{available_balance, voucher_balance, cash_balance}, scode: "0x0", status: true}`, amounts
 *   JSON numbers (float) in CNY. available_balance includes cash and vouchers (≤ 0 blocks inference);
 *   voucher_balance is never negative; cash_balance can be (arrears).
 * - The international site (platform.moonshot.ai/docs/api/balance): same call on
 *   `https://api.moonshot.ai`, same body, amounts in USD. Keys of one site do not work on the other,
 *   so the `region` setting picks both the host and the currency.
 * - Errors (kimi.com/help/kimi-api/api-error-codes): 401 invalid key, 403 forbidden, 429 rate limit,
 *   500; body `{error:{message, type}}`. A 200 whose `code` is not 0 or whose `status` is false is
 *   a failure too.
 */
import { z } from 'zod';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import {
  amount,
  getWithBearer,
  httpUrl,
  joinUrl,
  parseConfig,
  readBody,
  required,
  safeCode,
} from './support';

const PROVIDER = 'moonshot';
const PATH = '/v1/users/me/balance';
const REGIONS = {
  cn: { endpoint: 'https://api.moonshot.cn', currency: 'CNY' },
  global: { endpoint: 'https://api.moonshot.ai', currency: 'USD' },
} as const;

export const moonshotConfig = {
  settings: z.strictObject({
    endpoint: httpUrl().optional(),
    region: z.enum(['cn', 'global']).optional(),
  }),
  credentials: z.object({ apiKey: required() }),
};

// lossless-json hands integers over as their literal text, so `code` arrives as "0".
const envelopeSchema = z.object({
  code: z.string().optional(),
  scode: z.string().optional(),
  status: z.boolean().optional(),
});
const bodySchema = envelopeSchema.extend({
  data: z.object({ available_balance: amount(), voucher_balance: amount(), cash_balance: amount() }),
});

export class MoonshotBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, moonshotConfig, request);
    const region = REGIONS[settings.region ?? 'cn'];
    const url = joinUrl(settings.endpoint ?? region.endpoint, PATH);
    const raw = await getWithBearer(PROVIDER, url, credentials.apiKey, request.signal);
    const envelope = readBody(PROVIDER, envelopeSchema, raw);
    if (envelope.status === false || (envelope.code ?? '0') !== '0') {
      const code = safeCode(envelope.scode ?? envelope.code) ?? 'unknown';
      throw new BalanceFetchError('upstream', `${PROVIDER}: request failed (code ${code})`);
    }
    const { data } = readBody(PROVIDER, bodySchema, raw);
    return {
      balance: data.available_balance,
      currency: region.currency,
      details: { voucherBalance: data.voucher_balance, cashBalance: data.cash_balance },
    };
  }
}
