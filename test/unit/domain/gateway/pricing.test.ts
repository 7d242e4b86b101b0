import { describe, expect, it } from 'vitest';
import { callCost, findPrice, shippedPrices } from '../../../../shared/domain/gateway/pricing';
import { toDecimalString } from '../../../../shared/domain/money';

const flat = { costPerToken: '0.00001', currency: 'USD' };

describe('pricing', () => {
  it('matches versioned model ids by prefix and picks the longest match', () => {
    expect(findPrice(shippedPrices, 'claude-sonnet-4-20250514', '2026-01-01')?.model).toBe('claude-sonnet-4');
    expect(findPrice(shippedPrices, 'gpt-4o-mini-2024-07-18', '2026-01-01')?.model).toBe('gpt-4o-mini');
    expect(findPrice(shippedPrices, 'gpt-4o', '2026-01-01')?.model).toBe('gpt-4o');
    expect(findPrice(shippedPrices, 'gpt-4o', '2020-01-01')).toBeUndefined();
    expect(findPrice(shippedPrices, 'gpt-4omega', '2026-01-01')).toBeUndefined();
  });

  it('prices uncached input, cached input and output separately, exactly', () => {
    // gpt-4o: 2.50 in, 1.25 cached, 10.00 out per 1M.
    const { cost, source } = callCost(
      'gpt-4o',
      { promptTokens: 1200, cachedPromptTokens: 1000, completionTokens: 350 },
      flat,
      { on: '2026-11-24' },
    );
    // 200 × 2.5e-6 + 1000 × 1.25e-6 + 350 × 1e-5 = 0.0005 + 0.00125 + 0.0035
    expect(toDecimalString(cost)).toBe('0.00525');
    expect(source).toBe('shipped');
  });

  it('prefers the account price, applies the fixed per-call cost and the enterprise discount', () => {
    const pricing = {
      ...flat,
      fixedPerCall: '0.001',
      prices: [
        {
          model: 'gpt-4o',
          currency: 'USD',
          inputPerMillion: '2',
          outputPerMillion: '8',
          cachedInputPerMillion: '1',
          effectiveFrom: '2025-01-01',
        },
      ],
    };
    const { cost, source } = callCost(
      'gpt-4o',
      { promptTokens: 1000, cachedPromptTokens: 0, completionTokens: 1000 },
      pricing,
      { on: '2026-11-24', enterpriseDiscount: '0.1' },
    );
    // (0.002 + 0.008 + 0.001) × 0.9
    expect(toDecimalString(cost)).toBe('0.0099');
    expect(source).toBe('account');
  });

  it('falls back to the flat per-token price for unknown models', () => {
    const { cost, source } = callCost(
      'gpt-oss-120b',
      { promptTokens: 700, cachedPromptTokens: 0, completionTokens: 300 },
      flat,
      { on: '2026-11-24' },
    );
    expect(toDecimalString(cost)).toBe('0.01');
    expect(source).toBe('flat');
  });

  it('rejects impossible token counts', () => {
    expect(() =>
      callCost('gpt-4o', { promptTokens: 1, cachedPromptTokens: 2, completionTokens: 0 }, flat, {
        on: '2026-11-24',
      }),
    ).toThrow(RangeError);
  });
});
