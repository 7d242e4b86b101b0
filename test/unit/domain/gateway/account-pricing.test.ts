/** An AI account's API pricing fields, mapped to what callCost prices with. */
import { describe, expect, it } from 'vitest';
import { accountPricing, callCost } from '../../../../shared/domain/gateway/pricing';
import { toDecimalString } from '../../../../shared/domain/money';

const tokens = { promptTokens: 1000, cachedPromptTokens: 200, completionTokens: 500 };

describe('accountPricing', () => {
  it('gives override rows the account currency and keeps the fixed per-call cost', () => {
    const pricing = accountPricing({
      costPerToken: '0.00001',
      currency: 'EUR',
      prices: [
        {
          model: 'gpt-4o',
          inputPerMillion: '2',
          outputPerMillion: '8',
          cachedInputPerMillion: '1',
          effectiveFrom: '2026-01-01',
        },
      ],
      fixedPerCall: '0.0005',
    });
    expect(pricing).toEqual({
      costPerToken: '0.00001',
      currency: 'EUR',
      prices: [
        {
          model: 'gpt-4o',
          currency: 'EUR',
          inputPerMillion: '2',
          outputPerMillion: '8',
          cachedInputPerMillion: '1',
          effectiveFrom: '2026-01-01',
        },
      ],
      fixedPerCall: '0.0005',
    });
    const { cost, source } = callCost('gpt-4o-2024-08-06', tokens, pricing, {
      on: '2026-11-24',
      enterpriseDiscount: '0.2',
    });
    // (800 × 2 + 200 × 1 + 500 × 8) / 1M + 0.0005 = 0.0063, less 20 %.
    expect(source).toBe('account');
    expect(cost.currency).toBe('EUR');
    expect(toDecimalString(cost)).toBe('0.00504');
  });

  it('leaves out what the account does not set, so the shipped table and no fixed cost apply', () => {
    const pricing = accountPricing({
      costPerToken: '0.00001',
      currency: 'USD',
      prices: [],
      fixedPerCall: null,
    });
    expect(pricing).toEqual({ costPerToken: '0.00001', currency: 'USD' });
    const { cost, source } = callCost('gpt-4o', tokens, pricing, { on: '2026-11-24' });
    // gpt-4o list prices: 800 × 2.5 + 200 × 1.25 + 500 × 10 per 1M.
    expect(source).toBe('shipped');
    expect(toDecimalString(cost)).toBe('0.00725');
  });

  it('uses an override row only from its effectiveFrom day', () => {
    const pricing = accountPricing({
      costPerToken: '0',
      currency: 'USD',
      prices: [
        {
          model: 'gpt-4o',
          inputPerMillion: '0',
          outputPerMillion: '0',
          cachedInputPerMillion: '0',
          effectiveFrom: '2026-12-01',
        },
      ],
      fixedPerCall: '0',
    });
    expect(callCost('gpt-4o', tokens, pricing, { on: '2026-11-30' }).source).toBe('shipped');
    expect(toDecimalString(callCost('gpt-4o', tokens, pricing, { on: '2026-12-01' }).cost)).toBe('0');
  });
});
