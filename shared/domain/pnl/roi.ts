/**
 * Return on the AI platform: what self-hosting saves against a cloud API at a reference price, how
 * long an investment takes to pay back, and recommendations drawn from a P&L's figures.
 */
import { invalid } from '../errors';
import { decimal, type DecimalValue } from '../money';
import { moneyString, ratio, rounded } from './amounts';
import type { CostsByCategory } from './types';

/** Self-hosted cost set against what the same tokens would cost on a cloud API. */
export interface CostBenefit {
  currency: string;
  selfHostedTokens: number;
  selfHostedCost: string;
  /** tokens / 1,000,000 × reference price, rounded half-even to 2 places; null without a reference price. */
  cloudEquivalentCost: string | null;
  /** cloudEquivalentCost − selfHostedCost, exact; negative when self-hosting is dearer. */
  savings: string | null;
  /** selfHostedCost per million tokens, 12 places; null when no tokens were served. */
  selfHostedCostPerMillion: string | null;
  referencePricePerMillion: string | null;
}

/** Compares self-hosted cost with the cloud-equivalent bill of the same tokens. */
export const costBenefit = (input: {
  selfHostedTokens: number;
  selfHostedCost: string;
  referencePricePerMillion: string | null;
  currency: string;
}): CostBenefit => {
  const { selfHostedTokens: tokens, currency } = input;
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid(`"${currency}" is not a currency code`, { currency });
  if (!Number.isSafeInteger(tokens) || tokens < 0) {
    throw invalid(`selfHostedTokens must be a non-negative integer, got ${tokens}`, {
      selfHostedTokens: tokens,
    });
  }
  const cost = decimal(input.selfHostedCost);
  const price = input.referencePricePerMillion === null ? null : decimal(input.referencePricePerMillion);
  if (price?.lessThan(0)) {
    throw invalid(`referencePricePerMillion must not be negative, got ${input.referencePricePerMillion}`, {
      referencePricePerMillion: input.referencePricePerMillion,
    });
  }
  // Rounded to cents because it is booked (as cost-savings revenue); savings follow from the booked figure.
  const cloud = price && rounded(decimal(tokens).dividedBy(1_000_000).times(price), 2);
  return {
    currency,
    selfHostedTokens: tokens,
    selfHostedCost: moneyString(cost),
    cloudEquivalentCost: cloud,
    savings: cloud && moneyString(decimal(cloud).minus(cost)),
    selfHostedCostPerMillion: ratio(cost.times(1_000_000), decimal(tokens), 12),
    referencePricePerMillion: price && moneyString(price),
  };
};

/**
 * Months until an investment is paid back by a monthly net benefit, 2 places half-even; null without
 * an investment or when the benefit is not positive (it never pays back).
 */
export const paybackMonths = (investment: string | null, monthlyNetBenefit: string): string | null => {
  if (investment === null) return null;
  const amount = decimal(investment);
  if (amount.lessThan(0)) throw invalid(`investment must not be negative, got ${investment}`, { investment });
  const benefit = decimal(monthlyNetBenefit);
  return benefit.greaterThan(0) ? rounded(amount.dividedBy(benefit), 2) : null;
};

export type RecommendationSeverity = 'info' | 'warning' | 'critical';

export interface RoiRecommendation {
  code:
    | 'negative_roi'
    | 'below_roi_target'
    | 'over_budget'
    | 'under_used_budget'
    | 'self_hosted_dearer_than_cloud'
    | 'cloud_fallback_heavy'
    | 'long_payback';
  severity: RecommendationSeverity;
  message: string;
  /** The exact figures the rule used. */
  figures: Record<string, string>;
}

export interface RoiRecommendationInput {
  /** netProfit / totalCosts (PnlFigures.roi). */
  roi: string | null;
  /** Target ROI as a ratio like `roi` (0.15 = 15 %). */
  roiTarget: string | null;
  /** totalCosts / budget (PnlFigures.budgetUtilization). */
  budgetUtilization: string | null;
  costs: CostsByCategory;
  totalCosts: string;
  costBenefit: CostBenefit;
  paybackMonths: string | null;
  /** Optional: when given, the negative-ROI message states the loss in money. */
  netProfit?: string | null;
}

/** Under-used below this share of the budget. */
const UNDER_USED_BUDGET = '0.5';
/** Cloud fallback counts as heavy above this share of all costs. */
const HEAVY_CLOUD_FALLBACK = '0.3';
const LONG_PAYBACK_MONTHS = '24';

/** A ratio as a percentage for messages: `-0.125000` → `-12.5`. */
const percent = (value: string | DecimalValue): string =>
  decimal(value).times(100).toDecimalPlaces(2).toFixed();

/** Money for messages: 2 places with thousands separators (`1200` → `1,200.00`). */
const amount = (value: string | DecimalValue): string => {
  const [whole, cents] = rounded(value, 2).split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents!}`;
};

/**
 * Recommendations, most pressing rules first: negative ROI (critical), ROI below target (warning),
 * over budget (critical), budget under half used (info), self-hosting dearer than the cloud
 * (warning), heavy cloud fallback while self-hosting is cheaper (info), payback beyond 24 months
 * (warning). Each rule is independent; a rule whose figures are missing does not fire.
 */
export const roiRecommendations = (input: RoiRecommendationInput): RoiRecommendation[] => {
  const result: RoiRecommendation[] = [];
  const { currency } = input.costBenefit;
  const { roi, roiTarget, budgetUtilization: utilization, paybackMonths: payback } = input;
  const savings = input.costBenefit.savings === null ? null : decimal(input.costBenefit.savings);

  if (roi !== null && decimal(roi).lessThan(0)) {
    const net = input.netProfit == null ? null : decimal(input.netProfit);
    result.push({
      code: 'negative_roi',
      severity: 'critical',
      message:
        `ROI is ${percent(roi)} %` +
        (net ? `: costs exceed revenues by ${amount(net.negated())} ${currency}` : ': costs exceed revenues'),
      figures: { roi, ...(net ? { netProfit: moneyString(net) } : {}) },
    });
  }
  if (roi !== null && roiTarget !== null && decimal(roi).lessThan(decimal(roiTarget))) {
    result.push({
      code: 'below_roi_target',
      severity: 'warning',
      message: `ROI is ${percent(roi)} %, below the target of ${percent(roiTarget)} %`,
      figures: { roi, roiTarget },
    });
  }
  if (utilization !== null && decimal(utilization).greaterThan(1)) {
    result.push({
      code: 'over_budget',
      severity: 'critical',
      message: `Costs are ${percent(utilization)} % of the budget`,
      figures: { budgetUtilization: utilization },
    });
  }
  if (utilization !== null && decimal(utilization).lessThan(UNDER_USED_BUDGET)) {
    result.push({
      code: 'under_used_budget',
      severity: 'info',
      message: `Only ${percent(utilization)} % of the budget is used: consider lowering it or reallocating it`,
      figures: { budgetUtilization: utilization },
    });
  }
  const { selfHostedCost, cloudEquivalentCost, selfHostedCostPerMillion, referencePricePerMillion } =
    input.costBenefit;
  if (savings !== null && savings.lessThan(0)) {
    result.push({
      code: 'self_hosted_dearer_than_cloud',
      severity: 'warning',
      message:
        `Self-hosting cost ${amount(selfHostedCost)} ${currency}; the same tokens would cost ` +
        `${amount(cloudEquivalentCost!)} ${currency} on the cloud (${amount(savings.negated())} ${currency} more)`,
      figures: {
        selfHostedCost,
        cloudEquivalentCost: cloudEquivalentCost!,
        savings: moneyString(savings),
        ...(selfHostedCostPerMillion !== null ? { selfHostedCostPerMillion } : {}),
        referencePricePerMillion: referencePricePerMillion!,
      },
    });
  }
  const cloudFallback = decimal(input.costs.cloud_fallback);
  const fallbackShare = ratio(cloudFallback, input.totalCosts, 6);
  if (
    savings !== null &&
    savings.greaterThan(0) &&
    fallbackShare !== null &&
    // Compare the exact share, not the rounded one.
    cloudFallback.greaterThan(decimal(input.totalCosts).times(HEAVY_CLOUD_FALLBACK))
  ) {
    result.push({
      code: 'cloud_fallback_heavy',
      severity: 'info',
      message:
        `Cloud fallback is ${percent(fallbackShare)} % of costs (${amount(cloudFallback)} ${currency}) while ` +
        `self-hosting is cheaper than the cloud: route more traffic to self-hosted models`,
      figures: {
        cloudFallback: moneyString(cloudFallback),
        totalCosts: moneyString(input.totalCosts),
        cloudFallbackShare: fallbackShare,
        savings: moneyString(savings),
      },
    });
  }
  if (payback !== null && decimal(payback).greaterThan(LONG_PAYBACK_MONTHS)) {
    result.push({
      code: 'long_payback',
      severity: 'warning',
      message: `Payback takes ${payback} months, more than ${LONG_PAYBACK_MONTHS}`,
      figures: { paybackMonths: payback },
    });
  }
  return result;
};
