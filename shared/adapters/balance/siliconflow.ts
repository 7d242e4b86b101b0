/**
 * SiliconFlow account balance.
 *
 * Wire format followed:
 * - Get user info (docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info, OpenAPI operation
 *   `user-info`): `GET https://api.siliconflow.cn/v1/user/info` with `Authorization: Bearer <key>`;
 *   200 `{code: 20000, message: "OK", status: true, data:{id, name, image, email, isAdmin, balance,
 *   status, introduction, role, chargeBalance, totalBalance}}`, amounts as strings; the example
 *   adds up as balance "0.88" + chargeBalance "88.00" = totalBalance "88.88". The quote is
 *   totalBalance, with the two parts (under their wire names) as details. The body names no
 *   currency: the China site bills in CNY; the `currency` setting overrides it.
 * - Errors: the status decides (401/403 refused key, 429 rate limited, 5xx); a 200 with
 *   `status: false` is a failure too.
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

const PROVIDER = 'siliconflow';
const DEFAULT_ENDPOINT = 'https://api.siliconflow.cn';
const PATH = '/v1/user/info';

export const siliconFlowConfig = {
  settings: z.strictObject({
    endpoint: httpUrl().optional(),
    currency: z.enum(['CNY', 'USD']).optional(),
  }),
  credentials: z.object({ apiKey: required() }),
};

// lossless-json hands integers over as their literal text, so `code` arrives as "20000".
const envelopeSchema = z.object({ code: z.string().optional(), status: z.boolean().optional() });
const bodySchema = envelopeSchema.extend({
  data: z.object({ balance: amount(), chargeBalance: amount(), totalBalance: amount() }),
});

export class SiliconFlowBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, siliconFlowConfig, request);
    const url = joinUrl(settings.endpoint ?? DEFAULT_ENDPOINT, PATH);
    const raw = await getWithBearer(PROVIDER, url, credentials.apiKey, request.signal);
    const envelope = readBody(PROVIDER, envelopeSchema, raw);
    if (envelope.status === false) {
      const code = safeCode(envelope.code) ?? 'unknown';
      throw new BalanceFetchError('upstream', `${PROVIDER}: request failed (code ${code})`);
    }
    const { data } = readBody(PROVIDER, bodySchema, raw);
    return {
      balance: data.totalBalance,
      currency: settings.currency ?? 'CNY',
      details: { balance: data.balance, chargeBalance: data.chargeBalance },
    };
  }
}
