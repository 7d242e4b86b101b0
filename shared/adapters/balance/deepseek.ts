/**
 * DeepSeek account balance.
 *
 * Wire format followed:
 * - Get User Balance (api-docs.deepseek.com/api/get-user-balance, operationId `getUserBalance`):
 *   `GET https://api.deepseek.com/user/balance` with `Authorization: Bearer <key>`; 200
 *   `{is_available, balance_infos:[{currency (CNY | USD), total_balance (granted + topped up),
 *   granted_balance (unexpired grants), topped_up_balance}]}`. The amounts are strings in the
 *   current reference ("110.00") and were numbers in earlier revisions; both are read exactly.
 * - Errors (api-docs.deepseek.com/quick_start/error_codes): 401 authentication fails, 429 rate limit
 *   reached, 500 server error, 503 server overloaded.
 * - An account can hold one entry per currency: the `currency` setting picks one, else the first.
 */
import { z } from 'zod';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import { amount, getWithBearer, httpUrl, joinUrl, parseConfig, readBody, required } from './support';

const PROVIDER = 'deepseek';
const DEFAULT_ENDPOINT = 'https://api.deepseek.com';
const PATH = '/user/balance';

export const deepseekConfig = {
  settings: z.strictObject({
    endpoint: httpUrl().optional(),
    currency: z.enum(['CNY', 'USD']).optional(),
  }),
  credentials: z.object({ apiKey: required() }),
};

const bodySchema = z.object({
  balance_infos: z.array(
    z.object({
      currency: z.string().regex(/^[A-Z]{3}$/),
      total_balance: amount(),
      granted_balance: amount(),
      topped_up_balance: amount(),
    }),
  ),
});

export class DeepSeekBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, deepseekConfig, request);
    const url = joinUrl(settings.endpoint ?? DEFAULT_ENDPOINT, PATH);
    const body = readBody(
      PROVIDER,
      bodySchema,
      await getWithBearer(PROVIDER, url, credentials.apiKey, request.signal),
    );
    const info = settings.currency
      ? body.balance_infos.find((entry) => entry.currency === settings.currency)
      : body.balance_infos[0];
    if (!info) {
      const problem = settings.currency ? `has no ${settings.currency} entry` : 'is empty';
      throw new BalanceFetchError('invalid_response', `${PROVIDER}: balance_infos ${problem}`);
    }
    return {
      balance: info.total_balance,
      currency: info.currency,
      details: { grantedBalance: info.granted_balance, toppedUpBalance: info.topped_up_balance },
    };
  }
}
