/**
 * Cost anomaly rules (`cost_anomalies`, seed 001). Each rule reads a period's snapshots, daily totals
 * or budget states and returns findings; a finding's dedupeKey names its kind, provider, scope and
 * period, so re-running the rules after every sync updates one anomaly instead of adding another.
 *
 * Thresholds are compared exactly (cross-multiplied decimals); rounded percentages appear only in
 * titles and evidence.
 *
 * Severity (defaults, all configurable):
 * - month-over-month spike: high when the rise is ≥ 100 % or ≥ 10 × the minimum amount (≥ 1000),
 *   medium when ≥ 50 %, low otherwise. A rise from exactly 0 is an unbounded rate, so high.
 * - daily spike: high when the day is ≥ 4 × its trailing mean or its excess is ≥ 10 × the minimum
 *   amount, medium when ≥ 3 ×, low otherwise (2 × is already needed to be a spike at all).
 * - budget overrun: high once the actual reaches the budget, medium when only the forecast does.
 * - untagged cost: high when ≥ 40 % of the total is untagged, medium when ≥ 20 %, low from 10 %.
 */

import { z } from 'zod';
import { decimal } from '../money';
import type { DecimalValue } from '../money';
import type { BudgetUtilization, CostBudget } from './budgets';
import { DIMENSION_TYPES, UNTAGGED_PROJECT, percentOf } from './snapshots';
import type { MonthlyCostSnapshot, ProviderDailyCosts, SnapshotProvider, DailyCost } from './snapshots';
import { CLOUD_PROVIDERS } from './types';

export type AnomalyType = 'spike' | 'budget_overrun' | 'untagged_cost';
export type Severity = 'low' | 'medium' | 'high';

export interface AnomalyFinding {
  anomalyType: AnomalyType;
  periodMonth: string;
  provider: SnapshotProvider;
  /** What the anomaly is about within the provider, e.g. `service:compute`, `daily`, `project:(untagged)`. */
  scopeKey: string;
  severity: Severity;
  title: string;
  /** Structured, JSON-serializable data the finding rests on. */
  evidence: Record<string, unknown>;
  /** `${anomalyType}#${provider}#${scopeKey}#${periodMonth}`: one anomaly per kind, scope and period. */
  dedupeKey: string;
}

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal string');

export const anomalyConfigSchema = z.object({
  spike: z
    .object({
      minChangeRatePercent: decimalString.default('30'),
      /** In the reporting currency. */
      minChangeAmount: decimalString.default('100'),
      mediumChangeRatePercent: decimalString.default('50'),
      highChangeRatePercent: decimalString.default('100'),
      /** A rise of this many times minChangeAmount is high whatever its rate. */
      highAmountMultiple: decimalString.default('10'),
      dimensionTypes: z.array(z.enum(DIMENSION_TYPES)).default([...DIMENSION_TYPES]),
    })
    .prefault({}),
  dailySpike: z
    .object({
      /** A day is a spike at this multiple of its trailing mean... */
      factor: decimalString.default('2'),
      /** ...and this much above it, in the reporting currency. */
      minIncreaseAmount: decimalString.default('100'),
      mediumFactor: decimalString.default('3'),
      highFactor: decimalString.default('4'),
      highAmountMultiple: decimalString.default('10'),
      baselineDays: z.number().int().positive().default(7),
      minHistoryDays: z.number().int().positive().default(3),
    })
    .prefault({})
    .refine((c) => c.minHistoryDays <= c.baselineDays, 'minHistoryDays cannot exceed baselineDays'),
  untaggedCost: z
    .object({
      minSharePercent: decimalString.default('10'),
      mediumSharePercent: decimalString.default('20'),
      highSharePercent: decimalString.default('40'),
    })
    .prefault({}),
});
export type AnomalyConfig = z.infer<typeof anomalyConfigSchema>;

export const defaultAnomalyConfig: AnomalyConfig = anomalyConfigSchema.parse({});

export const anomalyDedupeKey = (
  anomalyType: AnomalyType,
  provider: SnapshotProvider,
  scopeKey: string,
  periodMonth: string,
): string => `${anomalyType}#${provider}#${scopeKey}#${periodMonth}`;

const finding = (fields: Omit<AnomalyFinding, 'dedupeKey'>): AnomalyFinding => ({
  ...fields,
  dedupeKey: anomalyDedupeKey(fields.anomalyType, fields.provider, fields.scopeKey, fields.periodMonth),
});

/** `part / whole ≥ percent %`, exactly. */
const atLeastPercent = (part: DecimalValue, whole: DecimalValue, percent: string): boolean =>
  part.times(100).gte(whole.times(decimal(percent)));

const money2 = (amount: DecimalValue, currency: string): string => `${amount.toFixed(2)} ${currency}`;

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

/**
 * Month over month, per snapshot row of the configured dimensions: a rise of at least
 * minChangeRatePercent of |previous| and at least minChangeAmount. Rows without a previous month
 * (a new account, the first synced month) have no baseline and are skipped.
 */
export const monthOverMonthSpikes = (
  snapshots: readonly MonthlyCostSnapshot[],
  config: AnomalyConfig = defaultAnomalyConfig,
): AnomalyFinding[] => {
  const rules = config.spike;
  const minAmount = decimal(rules.minChangeAmount);
  return snapshots.flatMap((snapshot) => {
    if (!rules.dimensionTypes.includes(snapshot.dimensionType) || snapshot.previousAmount === null) return [];
    const base = decimal(snapshot.previousAmount).abs();
    const change = decimal(snapshot.totalAmount).minus(decimal(snapshot.previousAmount));
    if (!change.greaterThan(0) || change.lessThan(minAmount)) return [];
    if (!atLeastPercent(change, base, rules.minChangeRatePercent)) return [];

    const severity: Severity =
      atLeastPercent(change, base, rules.highChangeRatePercent) ||
      change.gte(minAmount.times(decimal(rules.highAmountMultiple)))
        ? 'high'
        : atLeastPercent(change, base, rules.mediumChangeRatePercent)
          ? 'medium'
          : 'low';
    const rate = percentOf(change, base, 1);
    const scope = `${snapshot.dimensionType} ${snapshot.dimensionKey}`;
    return [
      finding({
        anomalyType: 'spike',
        periodMonth: snapshot.periodMonth,
        provider: snapshot.provider,
        scopeKey: `${snapshot.dimensionType}:${snapshot.dimensionKey}`,
        severity,
        title:
          `${snapshot.provider} ${scope} cost rose ${rate === null ? 'from zero' : `${rate}%`} month over month ` +
          `(+${money2(change, snapshot.currency)})`,
        evidence: {
          rule: 'month_over_month',
          dimensionType: snapshot.dimensionType,
          dimensionKey: snapshot.dimensionKey,
          currency: snapshot.currency,
          totalAmount: snapshot.totalAmount,
          previousAmount: snapshot.previousAmount,
          changeAmount: change.toFixed(),
          changeRate: snapshot.changeRate,
          thresholds: {
            minChangeRatePercent: rules.minChangeRatePercent,
            minChangeAmount: rules.minChangeAmount,
          },
        },
      }),
    ];
  });
};

interface SpikeDay {
  date: string;
  amount: string;
  baselineTotal: string;
  baselineDays: number;
  /** Trailing mean rounded to 4 places, for reading; the rule compares baselineTotal exactly. */
  baselineMean: string;
  severity: Severity;
}

const dailySpikeDay = (
  day: DailyCost,
  history: readonly DailyCost[],
  rules: AnomalyConfig['dailySpike'],
): SpikeDay | null => {
  const count = decimal(history.length);
  const baselineTotal = history.reduce((total, d) => total.plus(decimal(d.amount)), decimal(0));
  // Scaled by the number of days so the mean is never divided out: amount ≥ factor × total / count.
  const scaledAmount = decimal(day.amount).times(count);
  const scaledIncrease = scaledAmount.minus(baselineTotal);
  const reaches = (factor: string): boolean => scaledAmount.gte(baselineTotal.times(decimal(factor)));
  const minIncrease = decimal(rules.minIncreaseAmount);
  if (!scaledIncrease.greaterThan(0) || scaledIncrease.lessThan(minIncrease.times(count))) return null;
  if (!reaches(rules.factor)) return null;

  const severity: Severity =
    reaches(rules.highFactor) ||
    scaledIncrease.gte(minIncrease.times(decimal(rules.highAmountMultiple)).times(count))
      ? 'high'
      : reaches(rules.mediumFactor)
        ? 'medium'
        : 'low';
  return {
    date: day.date,
    amount: day.amount,
    baselineTotal: baselineTotal.toFixed(),
    baselineDays: history.length,
    baselineMean: baselineTotal.dividedBy(count).toFixed(4),
    severity,
  };
};

/**
 * Per provider series, each day of `periodMonth` against the mean of the `baselineDays` entries before
 * it (at least `minHistoryDays` of them). Series must hold one entry per day, ascending; prepend the
 * previous month's last days to judge the first days of the month. All spiking days of a provider form
 * one finding (scope `daily`) with the worst day's severity.
 */
export const dailySpikes = (
  periodMonth: string,
  series: readonly ProviderDailyCosts[],
  config: AnomalyConfig = defaultAnomalyConfig,
): AnomalyFinding[] => {
  const rules = config.dailySpike;
  return series.flatMap(({ provider, days }) => {
    const spikes = days.flatMap((day, index) => {
      const history = days.slice(Math.max(0, index - rules.baselineDays), index);
      if (!day.date.startsWith(`${periodMonth}-`) || history.length < rules.minHistoryDays) return [];
      return dailySpikeDay(day, history, rules) ?? [];
    });
    const worst = spikes.reduce<SpikeDay | undefined>(
      (a, b) => (a && SEVERITY_RANK[a.severity] >= SEVERITY_RANK[b.severity] ? a : b),
      undefined,
    );
    if (!worst) return [];
    return [
      finding({
        anomalyType: 'spike',
        periodMonth,
        provider,
        scopeKey: 'daily',
        severity: worst.severity,
        title:
          `${provider} daily cost spiked on ${spikes.length === 1 ? worst.date : `${spikes.length} days, worst ${worst.date}`}: ` +
          `${worst.amount} against a trailing mean of ${worst.baselineMean}`,
        evidence: {
          rule: 'daily',
          factor: rules.factor,
          minIncreaseAmount: rules.minIncreaseAmount,
          days: spikes,
        },
      }),
    ];
  });
};

export interface BudgetStatus {
  budget: CostBudget;
  utilization: BudgetUtilization;
}

const budgetProvider = (budget: CostBudget): SnapshotProvider =>
  budget.scopeType === 'provider' ? (CLOUD_PROVIDERS.find((p) => p === budget.scopeKey) ?? 'all') : 'all';

/** High once a budget's actual reaches it, medium when only the month-end forecast does. */
export const budgetOverruns = (periodMonth: string, statuses: readonly BudgetStatus[]): AnomalyFinding[] =>
  statuses.flatMap(({ budget, utilization }) => {
    if (!utilization.overBudget && !utilization.forecastOverBudget) return [];
    const amount = `${budget.budgetAmount} ${budget.currency}`;
    return [
      finding({
        anomalyType: 'budget_overrun',
        periodMonth,
        provider: budgetProvider(budget),
        // The table allows one budget per scope and currency.
        scopeKey: `${budget.scopeType}:${budget.scopeKey}:${budget.currency}`,
        severity: utilization.overBudget ? 'high' : 'medium',
        title: utilization.overBudget
          ? `${budget.scopeType} ${budget.scopeKey} spent ${utilization.utilizationPercent}% of its ${amount} budget`
          : `${budget.scopeType} ${budget.scopeKey} is forecast to exceed its ${amount} budget`,
        evidence: {
          budgetId: budget.budgetId,
          budgetAmount: budget.budgetAmount,
          currency: budget.currency,
          actual: utilization.actual,
          forecast: utilization.forecast,
          utilizationPercent: utilization.utilizationPercent,
          remaining: utilization.remaining,
        },
      }),
    ];
  });

/** Per provider (and `all`): the untagged share of a positive period total reaches minSharePercent. */
export const untaggedCosts = (
  snapshots: readonly MonthlyCostSnapshot[],
  config: AnomalyConfig = defaultAnomalyConfig,
): AnomalyFinding[] => {
  const rules = config.untaggedCost;
  return snapshots.flatMap((total) => {
    if (total.dimensionType !== 'provider') return [];
    const untagged = snapshots.find(
      (s) =>
        s.provider === total.provider && s.dimensionType === 'project' && s.dimensionKey === UNTAGGED_PROJECT,
    );
    const totalAmount = decimal(total.totalAmount);
    const untaggedAmount = decimal(untagged?.totalAmount ?? 0);
    if (!totalAmount.greaterThan(0) || !untaggedAmount.greaterThan(0)) return [];
    if (!atLeastPercent(untaggedAmount, totalAmount, rules.minSharePercent)) return [];

    const severity: Severity = atLeastPercent(untaggedAmount, totalAmount, rules.highSharePercent)
      ? 'high'
      : atLeastPercent(untaggedAmount, totalAmount, rules.mediumSharePercent)
        ? 'medium'
        : 'low';
    const share = percentOf(untaggedAmount, totalAmount, 1);
    return [
      finding({
        anomalyType: 'untagged_cost',
        periodMonth: total.periodMonth,
        provider: total.provider,
        scopeKey: `project:${UNTAGGED_PROJECT}`,
        severity,
        title: `${share}% of ${total.provider} cost (${money2(untaggedAmount, total.currency)}) has no project tag`,
        evidence: {
          currency: total.currency,
          untaggedAmount: untaggedAmount.toFixed(),
          totalAmount: total.totalAmount,
          sharePercent: percentOf(untaggedAmount, totalAmount),
          untaggedItemCount: untagged?.itemCount ?? 0,
          minSharePercent: rules.minSharePercent,
        },
      }),
    ];
  });
};

export interface AnomalyInput {
  periodMonth: string;
  snapshots: readonly MonthlyCostSnapshot[];
  dailyTotals: readonly ProviderDailyCosts[];
  budgets: readonly BudgetStatus[];
}

/** Every rule over one period; dedupe keys are unique by construction (each rule owns its scopes). */
export const detectAnomalies = (
  input: AnomalyInput,
  config: AnomalyConfig = defaultAnomalyConfig,
): AnomalyFinding[] => [
  ...monthOverMonthSpikes(input.snapshots, config),
  ...dailySpikes(input.periodMonth, input.dailyTotals, config),
  ...budgetOverruns(input.periodMonth, input.budgets),
  ...untaggedCosts(input.snapshots, config),
];
