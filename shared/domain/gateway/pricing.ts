/**
 * Token prices and the cost of one call, in exact decimals (ARCHITECTURE §6).
 *
 * The shipped table holds list prices per 1M tokens as the providers published them on
 * `effectiveFrom`; an account's own pricing overrides it (negotiated rates, self-hosted models),
 * and an account's flat `costPerToken` (the seed's field) prices models the table does not know.
 */
import { add, money, multiply, tokenCost, zero, type Money } from '../money';

export interface ModelPrice {
  /** Matches the model id exactly or as a prefix (`claude-sonnet-4` matches `claude-sonnet-4-20250514`). */
  model: string;
  currency: string;
  inputPerMillion: string;
  outputPerMillion: string;
  /** Prompt tokens served from the provider's cache. */
  cachedInputPerMillion: string;
  effectiveFrom: string;
}

/** List prices (USD per 1M tokens). Update by adding rows with a later effectiveFrom. */
export const shippedPrices: readonly ModelPrice[] = [
  {
    model: 'gpt-4o-mini',
    currency: 'USD',
    inputPerMillion: '0.15',
    outputPerMillion: '0.60',
    cachedInputPerMillion: '0.075',
    effectiveFrom: '2024-07-18',
  },
  {
    model: 'gpt-4o',
    currency: 'USD',
    inputPerMillion: '2.50',
    outputPerMillion: '10.00',
    cachedInputPerMillion: '1.25',
    effectiveFrom: '2024-10-01',
  },
  {
    model: 'gpt-4.1-mini',
    currency: 'USD',
    inputPerMillion: '0.40',
    outputPerMillion: '1.60',
    cachedInputPerMillion: '0.10',
    effectiveFrom: '2025-04-14',
  },
  {
    model: 'gpt-4.1',
    currency: 'USD',
    inputPerMillion: '2.00',
    outputPerMillion: '8.00',
    cachedInputPerMillion: '0.50',
    effectiveFrom: '2025-04-14',
  },
  {
    model: 'text-embedding-3-small',
    currency: 'USD',
    inputPerMillion: '0.02',
    outputPerMillion: '0',
    cachedInputPerMillion: '0.02',
    effectiveFrom: '2024-01-25',
  },
  {
    model: 'text-embedding-3-large',
    currency: 'USD',
    inputPerMillion: '0.13',
    outputPerMillion: '0',
    cachedInputPerMillion: '0.13',
    effectiveFrom: '2024-01-25',
  },
  {
    model: 'claude-sonnet-4',
    currency: 'USD',
    inputPerMillion: '3.00',
    outputPerMillion: '15.00',
    cachedInputPerMillion: '0.30',
    effectiveFrom: '2025-05-22',
  },
  {
    model: 'claude-opus-4',
    currency: 'USD',
    inputPerMillion: '15.00',
    outputPerMillion: '75.00',
    cachedInputPerMillion: '1.50',
    effectiveFrom: '2025-05-22',
  },
  {
    model: 'claude-3-5-haiku',
    currency: 'USD',
    inputPerMillion: '0.80',
    outputPerMillion: '4.00',
    cachedInputPerMillion: '0.08',
    effectiveFrom: '2024-11-04',
  },
  {
    model: 'gemini-2.5-pro',
    currency: 'USD',
    inputPerMillion: '1.25',
    outputPerMillion: '10.00',
    cachedInputPerMillion: '0.31',
    effectiveFrom: '2025-06-17',
  },
  {
    model: 'gemini-2.5-flash',
    currency: 'USD',
    inputPerMillion: '0.30',
    outputPerMillion: '2.50',
    cachedInputPerMillion: '0.075',
    effectiveFrom: '2025-06-17',
  },
  {
    model: 'deepseek-chat',
    currency: 'USD',
    inputPerMillion: '0.28',
    outputPerMillion: '0.42',
    cachedInputPerMillion: '0.028',
    effectiveFrom: '2025-09-29',
  },
  {
    model: 'deepseek-reasoner',
    currency: 'USD',
    inputPerMillion: '0.28',
    outputPerMillion: '0.42',
    cachedInputPerMillion: '0.028',
    effectiveFrom: '2025-09-29',
  },
];

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
}

export interface AccountPricing {
  /** Per-model prices negotiated for this account; checked before the shipped table. */
  prices?: readonly ModelPrice[];
  /** Flat price per token (any kind) for models no table knows, e.g. the seed's 0.00001. */
  costPerToken: string;
  currency: string;
  /** Added to every successful call, in `currency`. */
  fixedPerCall?: string;
}

/** The row in force on `on` (YYYY-MM-DD) for `model`: the longest matching prefix, latest effective date. */
export const findPrice = (table: readonly ModelPrice[], model: string, on: string): ModelPrice | undefined =>
  table
    .filter((p) => (model === p.model || model.startsWith(`${p.model}-`)) && p.effectiveFrom <= on)
    .sort((a, b) => b.model.length - a.model.length || b.effectiveFrom.localeCompare(a.effectiveFrom))[0];

export interface CostBreakdown {
  cost: Money;
  /** Which price was used, for the usage record. */
  source: 'account' | 'shipped' | 'flat';
}

/**
 * Cost of one call: uncached input, cached input and output at their prices, plus the fixed
 * per-call cost, less the enterprise discount (a fraction such as "0.15"). Exact; never rounded.
 */
export const callCost = (
  model: string,
  tokens: TokenCounts,
  pricing: AccountPricing,
  options: { on: string; enterpriseDiscount?: string; table?: readonly ModelPrice[] },
): CostBreakdown => {
  if (tokens.cachedPromptTokens > tokens.promptTokens) {
    throw new RangeError('cachedPromptTokens cannot exceed promptTokens');
  }
  const accountPrice = pricing.prices && findPrice(pricing.prices, model, options.on);
  const price = accountPrice ?? findPrice(options.table ?? shippedPrices, model, options.on);
  let cost: Money;
  if (price) {
    const per = (amount: string) => money(amount, price.currency);
    cost = [
      tokenCost(tokens.promptTokens - tokens.cachedPromptTokens, per(price.inputPerMillion)),
      tokenCost(tokens.cachedPromptTokens, per(price.cachedInputPerMillion)),
      tokenCost(tokens.completionTokens, per(price.outputPerMillion)),
    ].reduce(add, zero(price.currency));
  } else {
    cost = multiply(
      money(pricing.costPerToken, pricing.currency),
      tokens.promptTokens + tokens.completionTokens,
    );
  }
  if (pricing.fixedPerCall) cost = add(cost, money(pricing.fixedPerCall, pricing.currency));
  if (options.enterpriseDiscount)
    cost = multiply(cost, money(1, cost.currency).amount.minus(options.enterpriseDiscount));
  return { cost, source: accountPrice ? 'account' : price ? 'shipped' : 'flat' };
};

/** The pricing fields of an AI account, as stored and returned by the admin API. */
export interface PricedAccount {
  costPerToken: string;
  currency: string;
  prices: readonly Omit<ModelPrice, 'currency'>[];
  fixedPerCall: string | null;
}

/**
 * An account's own pricing for {@link callCost}: its override rows take the account's currency
 * (the API stores them without one), and a missing fixed per-call cost is left out.
 */
export const accountPricing = (account: PricedAccount): AccountPricing => ({
  costPerToken: account.costPerToken,
  currency: account.currency,
  ...(account.prices.length > 0
    ? { prices: account.prices.map((p) => ({ ...p, currency: account.currency })) }
    : {}),
  ...(account.fixedPerCall === null ? {} : { fixedPerCall: account.fixedPerCall }),
});
