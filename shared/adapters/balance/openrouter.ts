/**
 * OpenRouter credits: what is left of the account's purchased credits.
 *
 * Wire format followed:
 * - Get remaining credits (openrouter.ai/docs/api/api-reference/credits/get-credits, OpenAPI
 *   operation `get-credits`): `GET https://openrouter.ai/api/v1/credits` with
 *   `Authorization: Bearer <key>` (a management key); 200 `{data:{total_credits, total_usage}}`,
 *   both JSON numbers in USD (typescript SDK model GetCreditsData: totalCredits "Total credits
 *   purchased", totalUsage "Total credits used"); errors 401 Unauthorized, 403 Forbidden, 500, with
 *   an `{error:{code, message}}` body.
 * - Remaining = total_credits − total_usage, computed exactly from the number literals (parsed with
 *   lossless-json, never as floats).
 */
import { z } from 'zod';
import { decimal, toDecimalString } from '../../domain/money';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { amount, getWithBearer, httpUrl, joinUrl, parseConfig, readBody, required } from './support';

const PROVIDER = 'openrouter';
const DEFAULT_ENDPOINT = 'https://openrouter.ai';
const PATH = '/api/v1/credits';

export const openRouterConfig = {
  settings: z.strictObject({ endpoint: httpUrl().optional() }),
  credentials: z.object({ apiKey: required() }),
};

const bodySchema = z.object({
  data: z.object({ total_credits: amount(), total_usage: amount() }),
});

export class OpenRouterBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, openRouterConfig, request);
    const url = joinUrl(settings.endpoint ?? DEFAULT_ENDPOINT, PATH);
    const body = readBody(
      PROVIDER,
      bodySchema,
      await getWithBearer(PROVIDER, url, credentials.apiKey, request.signal),
    );
    const { total_credits: totalCredits, total_usage: totalUsage } = body.data;
    return {
      balance: toDecimalString(decimal(totalCredits).minus(decimal(totalUsage))),
      currency: 'USD',
      details: { totalCredits, totalUsage },
    };
  }
}
