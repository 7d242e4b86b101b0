/**
 * P&L summaries from facts. A center's own facts are summed per month; quarters and years merge
 * their months; consolidated figures fold each subtree bottom-up. Ratios are always recomputed from
 * the summed money (never summed themselves), which is why the facts, not the figures, are merged.
 */
import { invalid } from '../errors';
import { decimal } from '../money';
import { moneyString, ratio, sumOf } from './amounts';
import { checkPeriod } from './periods';
import { bottomUp, type TreeNode } from './tree';
import {
  COST_CATEGORIES,
  REVENUE_SOURCES,
  type CostCategory,
  type CostsByCategory,
  type Period,
  type PeriodType,
  type PnlFigures,
  type RevenueSource,
  type RevenuesBySource,
} from './types';

/** What a center did in a month (or a merged period): money per category / source, exact decimal strings. */
export interface MonthFacts {
  costs: Partial<Record<CostCategory, string>>;
  revenues: Partial<Record<RevenueSource, string>>;
  tokens: number;
  requests: number;
  /** Distinct users active in the period. */
  activeUsers: number;
}

/** The budget that applies to a period. */
export interface PeriodBudget {
  total: string;
  revenueTarget?: string;
}

/** The budget fields `budgetForPeriod` reads (BudgetRecord in the P&L port has them). */
export interface BudgetLike {
  budgetYear: number;
  periodType: PeriodType;
  /** Month 1–12, quarter 1–4, or 1 for a year. */
  budgetPeriod: number;
  totalBudget: string;
  revenueTarget?: string;
}

/** The cost categories that make up the cost of service (what gross profit subtracts). */
const COST_OF_SERVICE: readonly CostCategory[] = [
  'hardware',
  'infrastructure',
  'power',
  'maintenance',
  'cloud_fallback',
];

/** Facts with nothing in them. */
export const emptyFacts = (): MonthFacts => ({
  costs: {},
  revenues: {},
  tokens: 0,
  requests: 0,
  activeUsers: 0,
});

const ROUND_RATIO = 6;
const ROUND_COST_PER_TOKEN = 12;

/**
 * The P&L figures of one center and period, as defined on PnlFigures: money exact (at least 2
 * decimals), ratios 6 places half-even (cost per token 12), null when the divisor is 0; budget
 * figures null without a budget, revenue variance null without a revenue target.
 */
export const pnlFigures = (currency: string, facts: MonthFacts, budget: PeriodBudget | null): PnlFigures => {
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid(`"${currency}" is not a currency code`, { currency });
  const costs = Object.fromEntries(
    COST_CATEGORIES.map((c) => [c, moneyString(facts.costs[c] ?? '0')]),
  ) as CostsByCategory;
  const revenues = Object.fromEntries(
    REVENUE_SOURCES.map((s) => [s, moneyString(facts.revenues[s] ?? '0')]),
  ) as RevenuesBySource;
  const totalCosts = sumOf(Object.values(costs));
  const totalRevenues = sumOf(Object.values(revenues));
  const costOfService = sumOf(COST_OF_SERVICE.map((c) => costs[c]));
  const netProfit = totalRevenues.minus(totalCosts);
  const savings = decimal(revenues.cost_savings);
  const budgetTotal = budget ? decimal(budget.total) : null;
  const revenueTarget = budget?.revenueTarget !== undefined ? decimal(budget.revenueTarget) : null;

  return {
    currency,
    costs,
    totalCosts: moneyString(totalCosts),
    revenues,
    totalRevenues: moneyString(totalRevenues),
    grossProfit: moneyString(totalRevenues.minus(costOfService)),
    netProfit: moneyString(netProfit),
    profitMargin: ratio(netProfit, totalRevenues, ROUND_RATIO),
    roi: ratio(netProfit, totalCosts, ROUND_RATIO),
    costPerToken: ratio(totalCosts, decimal(facts.tokens), ROUND_COST_PER_TOKEN),
    revenuePerUser: ratio(totalRevenues, decimal(facts.activeUsers), ROUND_RATIO),
    costSavingsRatio: ratio(savings, totalCosts.plus(savings), ROUND_RATIO),
    budgetTotal: budgetTotal && moneyString(budgetTotal),
    budgetVarianceCost: budgetTotal && moneyString(budgetTotal.minus(totalCosts)),
    budgetVarianceRevenue: revenueTarget && moneyString(totalRevenues.minus(revenueTarget)),
    budgetUtilization: budgetTotal && ratio(totalCosts, budgetTotal, ROUND_RATIO),
    totalTokensProcessed: facts.tokens,
    totalRequestsServed: facts.requests,
    activeUsersCount: facts.activeUsers,
  };
};

const addAmounts = <K extends string>(
  a: Partial<Record<K, string>>,
  b: Partial<Record<K, string>>,
): Partial<Record<K, string>> => {
  const result: Partial<Record<K, string>> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<K>) {
    result[key] = moneyString(sumOf([a[key], b[key]]));
  }
  return result;
};

/** Sum of two sets of facts, active users included (the caller decides that users are distinct). */
export const addFacts = (a: MonthFacts, b: MonthFacts): MonthFacts => ({
  costs: addAmounts(a.costs, b.costs),
  revenues: addAmounts(a.revenues, b.revenues),
  tokens: a.tokens + b.tokens,
  requests: a.requests + b.requests,
  activeUsers: a.activeUsers + b.activeUsers,
});

/**
 * The facts of a quarter or year from its months: money, tokens and requests summed; active users
 * the largest monthly count, because a user active in two months is one user and only monthly
 * distinct counts exist (the true figure lies between the max and the sum; the max never inflates).
 */
export const mergeMonths = (months: MonthFacts[]): MonthFacts =>
  months.reduce(
    (acc, m) => ({ ...addFacts(acc, m), activeUsers: Math.max(acc.activeUsers, m.activeUsers) }),
    emptyFacts(),
  );

/** The budget with its amounts written the one way (at least 2 decimals). */
const normalBudget = (b: PeriodBudget): PeriodBudget => ({
  total: moneyString(b.total),
  ...(b.revenueTarget !== undefined ? { revenueTarget: moneyString(b.revenueTarget) } : {}),
});

const addBudgets = (a: PeriodBudget | null, b: PeriodBudget | null): PeriodBudget | null => {
  if (!a || !b) return a ?? b;
  const sum: PeriodBudget = { total: moneyString(sumOf([a.total, b.total])) };
  if (a.revenueTarget !== undefined || b.revenueTarget !== undefined) {
    sum.revenueTarget = moneyString(sumOf([a.revenueTarget, b.revenueTarget]));
  }
  return sum;
};

/**
 * Consolidated facts and budget of every center: its own facts (none counts as zero) plus its
 * children's consolidated facts, active users summed (users of different centers are counted per
 * center). The budget is the center's own when it has one (a parent's budget covers its subtree),
 * otherwise the sum of its children's consolidated budgets, null when none has one.
 */
export const consolidate = <T extends TreeNode>(
  centers: T[],
  own: Map<string, MonthFacts>,
  ownBudgets: Map<string, PeriodBudget | null>,
): Map<string, { facts: MonthFacts; budget: PeriodBudget | null }> => {
  const ids = new Set(centers.map((c) => c.id));
  const result = new Map<string, { facts: MonthFacts; budget: PeriodBudget | null }>();
  const childBudgets = new Map<string, PeriodBudget | null>();
  // Children come first, so a center's consolidated facts already hold its children's when reached.
  for (const center of bottomUp(centers)) {
    const folded = result.get(center.id)?.facts ?? emptyFacts();
    const facts = addFacts(folded, own.get(center.id) ?? emptyFacts());
    const ownBudget = ownBudgets.get(center.id);
    const budget = ownBudget ? normalBudget(ownBudget) : (childBudgets.get(center.id) ?? null);
    result.set(center.id, { facts, budget });
    if (center.parentId !== null && ids.has(center.parentId)) {
      const parent = result.get(center.parentId)?.facts ?? emptyFacts();
      result.set(center.parentId, { facts: addFacts(parent, facts), budget: null });
      childBudgets.set(center.parentId, addBudgets(childBudgets.get(center.parentId) ?? null, budget));
    }
  }
  return result;
};

const findBudget = (
  budgets: readonly BudgetLike[],
  year: number,
  periodType: PeriodType,
  budgetPeriod: number,
): PeriodBudget | null => {
  // Budgets are unique per center and period; the first match is the one.
  const found = budgets.find(
    (b) => b.budgetYear === year && b.periodType === periodType && b.budgetPeriod === budgetPeriod,
  );
  if (!found) return null;
  const budget: PeriodBudget = { total: moneyString(found.totalBudget) };
  if (found.revenueTarget !== undefined) budget.revenueTarget = moneyString(found.revenueTarget);
  return budget;
};

const quarterBudget = (budgets: readonly BudgetLike[], year: number, quarter: number): PeriodBudget | null =>
  findBudget(budgets, year, 'quarter', quarter) ??
  [1, 2, 3]
    .map((i) => findBudget(budgets, year, 'month', (quarter - 1) * 3 + i))
    .reduce<PeriodBudget | null>(addBudgets, null);

/**
 * One center's budget for a period (the caller passes the budgets that count, e.g. without drafts):
 * a budget of exactly that period; otherwise the sum of finer budgets inside it — for a quarter its
 * monthly budgets, for a year each quarter's budget or, for a quarter without one, its monthly
 * budgets. Null when there is none. Revenue targets are summed over the budgets that have one.
 */
export const budgetForPeriod = (budgets: readonly BudgetLike[], period: Period): PeriodBudget | null => {
  checkPeriod(period);
  if (period.type === 'month') return findBudget(budgets, period.year, 'month', period.month!);
  if (period.type === 'quarter') return quarterBudget(budgets, period.year, period.quarter!);
  return (
    findBudget(budgets, period.year, 'year', 1) ??
    [1, 2, 3, 4]
      .map((q) => quarterBudget(budgets, period.year, q))
      .reduce<PeriodBudget | null>(addBudgets, null)
  );
};
