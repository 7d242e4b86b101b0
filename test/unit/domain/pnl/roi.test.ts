import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../shared/domain/errors';
import {
  costBenefit,
  paybackMonths,
  roiRecommendations,
  type RoiRecommendationInput,
} from '../../../../shared/domain/pnl/roi';
import type { CostsByCategory } from '../../../../shared/domain/pnl/types';

describe('costBenefit', () => {
  it('prices the tokens at the reference price and takes the difference', () => {
    // 500M tokens × 15 per million = 7500.00; saved 7500.00 − 6317.87; 6317.87 / 500 per million.
    expect(
      costBenefit({
        selfHostedTokens: 500_000_000,
        selfHostedCost: '6317.87',
        referencePricePerMillion: '15',
        currency: 'USD',
      }),
    ).toEqual({
      currency: 'USD',
      selfHostedTokens: 500_000_000,
      selfHostedCost: '6317.87',
      cloudEquivalentCost: '7500.00',
      savings: '1182.13',
      selfHostedCostPerMillion: '12.635740000000',
      referencePricePerMillion: '15.00',
    });
  });

  it('rounds the cloud equivalent to cents and allows negative savings', () => {
    // 1.234567 million × 0.6 = 0.7407402 → 0.74; 0.74 − 1 = −0.26.
    expect(
      costBenefit({
        selfHostedTokens: 1_234_567,
        selfHostedCost: '1',
        referencePricePerMillion: '0.6',
        currency: 'EUR',
      }),
    ).toMatchObject({ cloudEquivalentCost: '0.74', savings: '-0.26', selfHostedCost: '1.00' });
    // 0.125 → 0.12 half-even: 125,000 tokens × 1 per million.
    expect(
      costBenefit({
        selfHostedTokens: 125_000,
        selfHostedCost: '0',
        referencePricePerMillion: '1',
        currency: 'EUR',
      }).cloudEquivalentCost,
    ).toBe('0.12');
  });

  it('has no cloud figures without a reference price, no unit cost without tokens', () => {
    expect(
      costBenefit({
        selfHostedTokens: 100,
        selfHostedCost: '5',
        referencePricePerMillion: null,
        currency: 'USD',
      }),
    ).toMatchObject({ cloudEquivalentCost: null, savings: null, referencePricePerMillion: null });
    expect(
      costBenefit({
        selfHostedTokens: 0,
        selfHostedCost: '5',
        referencePricePerMillion: '2',
        currency: 'USD',
      }),
    ).toMatchObject({ cloudEquivalentCost: '0.00', savings: '-5.00', selfHostedCostPerMillion: null });
  });

  it('refuses bad input', () => {
    const base = { selfHostedTokens: 1, selfHostedCost: '1', referencePricePerMillion: '1', currency: 'USD' };
    expect(() => costBenefit({ ...base, selfHostedTokens: -1 })).toThrow(DomainError);
    expect(() => costBenefit({ ...base, referencePricePerMillion: '-1' })).toThrow(/must not be negative/);
    expect(() => costBenefit({ ...base, currency: 'dollars' })).toThrow(/currency code/);
  });
});

describe('paybackMonths', () => {
  it('is investment / monthly benefit, 2 places', () => {
    expect(paybackMonths('100000', '3000')).toBe('33.33');
    expect(paybackMonths('1000', '400')).toBe('2.50');
    // 1 / 8 = 0.125 → 0.12 (half-even).
    expect(paybackMonths('1', '8')).toBe('0.12');
    expect(paybackMonths('0', '8')).toBe('0.00');
  });

  it('is null without an investment or a positive benefit', () => {
    expect(paybackMonths(null, '100')).toBeNull();
    expect(paybackMonths('100', '0')).toBeNull();
    expect(paybackMonths('100', '-5')).toBeNull();
    expect(() => paybackMonths('-1', '5')).toThrow(DomainError);
  });
});

describe('roiRecommendations', () => {
  const costs = (over: Partial<CostsByCategory> = {}): CostsByCategory => ({
    hardware: '0.00',
    infrastructure: '0.00',
    power: '0.00',
    personnel: '0.00',
    maintenance: '0.00',
    software: '0.00',
    cloud_fallback: '0.00',
    other: '0.00',
    ...over,
  });
  const saving = costBenefit({
    selfHostedTokens: 500_000_000,
    selfHostedCost: '6317.87',
    referencePricePerMillion: '15',
    currency: 'USD',
  });
  const quiet: RoiRecommendationInput = {
    roi: '0.2',
    roiTarget: '0.1',
    budgetUtilization: '0.8',
    costs: costs({ hardware: '1000.00' }),
    totalCosts: '1000.00',
    costBenefit: saving,
    paybackMonths: '12',
  };
  const codes = (input: Partial<RoiRecommendationInput>) =>
    roiRecommendations({ ...quiet, ...input }).map((r) => r.code);

  it('says nothing when every figure is healthy or missing', () => {
    expect(roiRecommendations(quiet)).toEqual([]);
    expect(
      codes({
        roi: null,
        roiTarget: null,
        budgetUtilization: null,
        paybackMonths: null,
        totalCosts: '0',
        costs: costs(),
      }),
    ).toEqual([]);
  });

  it('negative_roi: critical, with the loss in money when given', () => {
    expect(roiRecommendations({ ...quiet, roi: '-0.125000', roiTarget: null, netProfit: '-1200' })).toEqual([
      {
        code: 'negative_roi',
        severity: 'critical',
        message: 'ROI is -12.5 %: costs exceed revenues by 1,200.00 USD',
        figures: { roi: '-0.125000', netProfit: '-1200.00' },
      },
    ]);
    expect(roiRecommendations({ ...quiet, roi: '-0.5', roiTarget: null })[0]!.message).toBe(
      'ROI is -50 %: costs exceed revenues',
    );
    expect(codes({ roi: '0', roiTarget: null })).toEqual([]);
  });

  it('below_roi_target: warning when ROI is under the target', () => {
    expect(roiRecommendations({ ...quiet, roi: '0.05', roiTarget: '0.15' })).toEqual([
      {
        code: 'below_roi_target',
        severity: 'warning',
        message: 'ROI is 5 %, below the target of 15 %',
        figures: { roi: '0.05', roiTarget: '0.15' },
      },
    ]);
    expect(codes({ roi: '0.15', roiTarget: '0.15' })).toEqual([]);
    // Negative and below target: both rules fire, most pressing first.
    expect(codes({ roi: '-0.01' })).toEqual(['negative_roi', 'below_roi_target']);
  });

  it('over_budget above 100 %, under_used_budget below 50 %', () => {
    expect(roiRecommendations({ ...quiet, budgetUtilization: '1.125000' })).toEqual([
      {
        code: 'over_budget',
        severity: 'critical',
        message: 'Costs are 112.5 % of the budget',
        figures: { budgetUtilization: '1.125000' },
      },
    ]);
    expect(codes({ budgetUtilization: '1' })).toEqual([]);
    expect(codes({ budgetUtilization: '0.5' })).toEqual([]);
    const under = roiRecommendations({ ...quiet, budgetUtilization: '0.499999' });
    expect(under.map((r) => [r.code, r.severity])).toEqual([['under_used_budget', 'info']]);
    expect(under[0]!.message).toMatch(/^Only 50 % of the budget is used/);
  });

  it('self_hosted_dearer_than_cloud: warning when savings are negative', () => {
    const dearer = costBenefit({
      selfHostedTokens: 100_000_000,
      selfHostedCost: '2500',
      referencePricePerMillion: '15',
      currency: 'USD',
    });
    expect(roiRecommendations({ ...quiet, costBenefit: dearer })).toEqual([
      {
        code: 'self_hosted_dearer_than_cloud',
        severity: 'warning',
        message:
          'Self-hosting cost 2,500.00 USD; the same tokens would cost 1,500.00 USD on the cloud (1,000.00 USD more)',
        figures: {
          selfHostedCost: '2500.00',
          cloudEquivalentCost: '1500.00',
          savings: '-1000.00',
          selfHostedCostPerMillion: '25.000000000000',
          referencePricePerMillion: '15.00',
        },
      },
    ]);
    const even = costBenefit({
      selfHostedTokens: 100_000_000,
      selfHostedCost: '1500',
      referencePricePerMillion: '15',
      currency: 'USD',
    });
    expect(codes({ costBenefit: even })).toEqual([]);
  });

  it('cloud_fallback_heavy: info when fallback is over 30 % of costs and self-hosting is cheaper', () => {
    expect(
      roiRecommendations({ ...quiet, costs: costs({ hardware: '699', cloud_fallback: '301' }) }),
    ).toEqual([
      {
        code: 'cloud_fallback_heavy',
        severity: 'info',
        message:
          'Cloud fallback is 30.1 % of costs (301.00 USD) while self-hosting is cheaper than the cloud: ' +
          'route more traffic to self-hosted models',
        figures: {
          cloudFallback: '301.00',
          totalCosts: '1000.00',
          cloudFallbackShare: '0.301000',
          savings: '1182.13',
        },
      },
    ]);
    // Exactly 30 % is not over 30 %; heavy fallback without cheaper self-hosting is no advice to route more.
    expect(codes({ costs: costs({ hardware: '700', cloud_fallback: '300' }) })).toEqual([]);
    expect(codes({ costs: costs({ hardware: '699.99', cloud_fallback: '300.01' }) })).toEqual([
      'cloud_fallback_heavy',
    ]);
    const noReference = costBenefit({
      selfHostedTokens: 1,
      selfHostedCost: '1',
      referencePricePerMillion: null,
      currency: 'USD',
    });
    expect(codes({ costs: costs({ cloud_fallback: '1000' }), costBenefit: noReference })).toEqual([]);
  });

  it('long_payback: warning beyond 24 months', () => {
    expect(roiRecommendations({ ...quiet, paybackMonths: '30.50' })).toEqual([
      {
        code: 'long_payback',
        severity: 'warning',
        message: 'Payback takes 30.50 months, more than 24',
        figures: { paybackMonths: '30.50' },
      },
    ]);
    expect(codes({ paybackMonths: '24' })).toEqual([]);
    expect(codes({ paybackMonths: '24.01' })).toEqual(['long_payback']);
  });
});
