/**
 * Monthly cost budgets (`cost_budgets`, seed 001): what a budget's scope spent this period, the
 * month-end forecast, and which alert thresholds that crosses.
 *
 * Currency: a budget is compared only with snapshots in its own currency, the enterprise's reporting
 * currency. A budget in another currency is refused (VALIDATION_ERROR) rather than converted: a
 * converted actual would move with the exchange rate, so a threshold could be crossed and uncrossed
 * without any change in spend, and the alert history would not be reproducible.
 */

import { z } from 'zod';
import { DomainError } from '../errors';
import { decimal, toDecimalString } from '../money';
import type { DecimalValue } from '../money';
import { daysInMonth, elapsedDays } from './periods';
import { ALL_PROVIDERS, percentOf } from './snapshots';
import type { DimensionType, MonthlyCostSnapshot, SnapshotProvider } from './snapshots';
import { CLOUD_PROVIDERS } from './types';

export const BUDGET_SCOPE_TYPES = ['all', 'provider', 'project', 'department'] as const;
export type BudgetScopeType = (typeof BUDGET_SCOPE_TYPES)[number];

const positiveDecimal = z
  .string()
  .refine(
    (value) => /^\d+(\.\d+)?$/.test(value) && decimal(value).greaterThan(0),
    'must be a positive decimal string',
  );

export const costBudgetSchema = z.object({
  budgetId: z.string().min(1),
  enterpriseId: z.string().min(1),
  scopeType: z.enum(BUDGET_SCOPE_TYPES),
  /** Provider name, project code or department name; ignored (conventionally "all") for scope `all`. */
  scopeKey: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Monthly budget, exact decimal string. */
  budgetAmount: positiveDecimal,
  /** Percents of the budget that alert, e.g. [50, 80, 100]. */
  alertThresholds: z.array(z.number().positive().max(1000)),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CostBudget = z.infer<typeof costBudgetSchema>;

/**
 * Department → the project codes it owns. Snapshots know projects, not departments, so a department
 * budget's actual is the sum of its projects' `project` snapshots under provider `all`.
 */
export type DepartmentProjects = Readonly<Record<string, readonly string[]>>;

const snapshotAmount = (
  snapshots: readonly MonthlyCostSnapshot[],
  provider: SnapshotProvider,
  dimensionType: DimensionType,
  dimensionKey: string,
): DecimalValue => {
  const row = snapshots.find(
    (s) => s.provider === provider && s.dimensionType === dimensionType && s.dimensionKey === dimensionKey,
  );
  // No row: nothing was billed to the scope this period.
  return decimal(row?.totalAmount ?? 0);
};

const departmentProjects = (department: string, departments: DepartmentProjects): readonly string[] => {
  const projects = Object.hasOwn(departments, department) ? departments[department] : undefined;
  if (!projects) {
    throw new DomainError('VALIDATION_ERROR', `Department "${department}" has no project mapping`, {
      department,
    });
  }
  return projects;
};

/**
 * What the budget's scope spent, from one period's snapshots:
 * - `all` → (all, provider, all), the grand total;
 * - `provider` → (<scopeKey>, provider, <scopeKey>), that provider's total;
 * - `project` → (all, project, <scopeKey>), the project across providers;
 * - `department` → the sum of (all, project, p) for every project p the department owns.
 */
export const budgetActual = (
  budget: CostBudget,
  snapshots: readonly MonthlyCostSnapshot[],
  departments: DepartmentProjects = {},
): DecimalValue => {
  const foreign = snapshots.find((s) => s.currency !== budget.currency);
  if (foreign) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `Budget ${budget.budgetId} is in ${budget.currency} but costs are reported in ${foreign.currency}`,
      { budgetCurrency: budget.currency, reportingCurrency: foreign.currency },
    );
  }
  switch (budget.scopeType) {
    case 'all':
      return snapshotAmount(snapshots, ALL_PROVIDERS, 'provider', ALL_PROVIDERS);
    case 'provider': {
      const provider = CLOUD_PROVIDERS.find((p) => p === budget.scopeKey);
      if (!provider)
        throw new DomainError('VALIDATION_ERROR', `"${budget.scopeKey}" is not a cloud provider`);
      return snapshotAmount(snapshots, provider, 'provider', provider);
    }
    case 'project':
      return snapshotAmount(snapshots, ALL_PROVIDERS, 'project', budget.scopeKey);
    case 'department':
      return departmentProjects(budget.scopeKey, departments).reduce(
        (total, project) => total.plus(snapshotAmount(snapshots, ALL_PROVIDERS, 'project', project)),
        decimal(0),
      );
  }
};

/**
 * Month-end projection at the pace so far: actual × days in month / whole days elapsed. Multiplying
 * before dividing keeps it exact whenever the quotient terminates (40 significant digits otherwise).
 * Null before a whole day of the period has passed; equals `actual` once the period is over.
 */
export const monthEndForecast = (
  actual: DecimalValue,
  periodMonth: string,
  now: Date,
): DecimalValue | null => {
  const elapsed = elapsedDays(periodMonth, now);
  return elapsed === 0 ? null : actual.times(daysInMonth(periodMonth)).dividedBy(elapsed);
};

export interface BudgetUtilization {
  actual: string;
  forecast: string | null;
  /** actual in percent of the budget, rounded to 2 places for display. */
  utilizationPercent: string;
  /** budget − actual; negative once overspent. */
  remaining: string;
  /** Alert thresholds the actual has reached, ascending; compared exactly, not via the rounded percent. */
  crossedThresholds: number[];
  overBudget: boolean;
  forecastOverBudget: boolean;
}

export const budgetUtilization = (
  budget: CostBudget,
  actual: DecimalValue,
  forecast: DecimalValue | null,
): BudgetUtilization => {
  const amount = decimal(budget.budgetAmount);
  if (!amount.greaterThan(0)) {
    throw new DomainError('VALIDATION_ERROR', `Budget ${budget.budgetId} amount must be positive`);
  }
  const reached = (percent: number): boolean => actual.times(100).gte(amount.times(decimal(String(percent))));
  return {
    actual: toDecimalString(actual),
    forecast: forecast && toDecimalString(forecast),
    utilizationPercent: percentOf(actual, amount, 2) ?? '0.00',
    remaining: toDecimalString(amount.minus(actual)),
    crossedThresholds: [...new Set(budget.alertThresholds)].sort((a, b) => a - b).filter(reached),
    overBudget: actual.gte(amount),
    forecastOverBudget: forecast !== null && forecast.gte(amount),
  };
};

/** Notify each crossed threshold once per budget and period: the caller records this key when it notifies. */
export const budgetAlertKey = (budgetId: string, periodMonth: string, threshold: number): string =>
  `budget#${budgetId}#${periodMonth}#${threshold}`;
