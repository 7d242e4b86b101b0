/**
 * Cost-center budgets (the seed's BudgetAllocation): the category split, the approval level a total
 * needs, the center's budget limit, and how much of a budget the actual costs use.
 */
import { invalid } from '../errors';
import { decimal } from '../money';
import { moneyString, ratio, sumOf } from './amounts';
import { BUDGET_CATEGORIES, type BudgetCategory } from './types';

const notNegative = (field: string, value: string): void => {
  if (decimal(value).lessThan(0))
    throw invalid(`${field} must not be negative, got ${value}`, { field, value });
};

/**
 * Checks a budget's split: the total and every category amount ≥ 0, only known categories, and the
 * categories together at most the total (the rest is unassigned, which is allowed).
 */
export const checkBudgetSplit = (
  total: string,
  categories: Partial<Record<BudgetCategory, string>>,
): void => {
  notNegative('totalBudget', total);
  for (const [category, amount] of Object.entries(categories)) {
    if (!(BUDGET_CATEGORIES as readonly string[]).includes(category)) {
      throw invalid(`"${category}" is not a budget category (${BUDGET_CATEGORIES.join(', ')})`, {
        field: `categories.${category}`,
      });
    }
    if (amount !== undefined) notNegative(`categories.${category}`, amount);
  }
  const sum = sumOf(Object.values(categories));
  if (sum.greaterThan(decimal(total))) {
    throw invalid(
      `The category budgets (${moneyString(sum)}) exceed the total budget (${moneyString(total)})`,
      {
        sum: moneyString(sum),
        total: moneyString(total),
      },
    );
  }
};

/**
 * How many approval levels a budget total needs: 1 up to 10,000, 2 up to 100,000, 3 above. The
 * amounts are in the budget's own currency (no conversion), as the seed's thresholds are.
 */
export const approvalLevel = (total: string): number => {
  const amount = decimal(total);
  if (amount.lessThan(0)) throw invalid(`totalBudget must not be negative, got ${total}`, { total });
  if (amount.lessThanOrEqualTo(10_000)) return 1;
  if (amount.lessThanOrEqualTo(100_000)) return 2;
  return 3;
};

/** Refuses a budget whose total exceeds the center's budget limit (no limit: anything goes). */
export const checkAgainstBudgetLimit = (total: string, budgetLimit: string | null): void => {
  if (budgetLimit === null) return;
  if (decimal(total).greaterThan(decimal(budgetLimit))) {
    throw invalid(
      `The budget total (${moneyString(total)}) exceeds the cost center's budget limit (${moneyString(budgetLimit)})`,
      { total: moneyString(total), budgetLimit: moneyString(budgetLimit) },
    );
  }
};

/** How much of a budget the actual costs use. */
export interface BudgetUse {
  /** actual / total, 6 places half-even; null for a zero budget (any spending is unbounded use). */
  utilization: string | null;
  /** actual / total × 100, 2 places half-even, from the exact quotient; null for a zero budget. */
  utilizationPercent: string | null;
  /** total − actual, exact; negative once overspent. */
  variance: string;
}

/** Utilization of a budget by the actual costs, and what is left (negative once overspent). */
export const budgetUse = (total: string, actualCosts: string): BudgetUse => ({
  utilization: ratio(actualCosts, total, 6),
  utilizationPercent: ratio(decimal(actualCosts).times(100), total, 2),
  variance: moneyString(decimal(total).minus(decimal(actualCosts))),
});

/**
 * The highest threshold (percent) the utilization has reached — reaching counts, so 80.00 % crosses
 * 80 — or null when none is reached. Pass the exact percent where a rounded one could cross early.
 */
export const highestCrossedThreshold = (utilizationPercent: string, thresholds: number[]): number | null => {
  const percent = decimal(utilizationPercent);
  let highest: number | null = null;
  for (const t of thresholds) {
    if (!Number.isFinite(t)) throw invalid(`Threshold ${t} is not a number`, { threshold: t });
    // Thresholds may be fractional (e.g. 87.5); their shortest float repr is the figure as configured.
    if (percent.greaterThanOrEqualTo(decimal(String(t))) && (highest === null || t > highest)) highest = t;
  }
  return highest;
};
