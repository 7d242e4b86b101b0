/**
 * Budget allocations (seed 000 BudgetAllocation): a center's budget per month, quarter or year with
 * its category split, approval level and status; utilization and variance against actual costs;
 * and the hourly check that notifies once per threshold a budget crosses.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/pnl';
import { requireEnterpriseAccess, requireFinanceManager } from '../../domain/access';
import { notFound } from '../../domain/errors';
import { decimal } from '../../domain/money';
import { moneyString, sumOf } from '../../domain/pnl/amounts';
import {
  approvalLevel,
  budgetUse,
  checkAgainstBudgetLimit,
  checkBudgetSplit,
  highestCrossedThreshold,
} from '../../domain/pnl/budgets';
import { budgetPeriodMonths, checkPeriodFields, monthsOf, parsePeriodKey } from '../../domain/pnl/periods';
import { subtreeOf } from '../../domain/pnl/tree';
import { BUDGET_CATEGORIES, type PeriodType } from '../../domain/pnl/types';
import type { BudgetRecord, PnlSummaryRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import {
  budgetPeriodKey,
  budgetView,
  settingsOf,
  visibleCostCenter,
  type PnlDeps,
  type PnlJobDeps,
} from './deps';

type In<T extends z.ZodType> = z.output<T>;

/** Period fields in range: a year within 2000–2100 and a period valid for its type. */
const checkBudgetPeriod = (budgetYear: number, periodType: PeriodType, budgetPeriod: number) => {
  checkPeriodFields({ year: budgetYear });
  budgetPeriodMonths(periodType, budgetYear, budgetPeriod);
};

const budgetFigures = (body: In<typeof c.UpdateBudget>, budgetLimit: string | null) => {
  checkBudgetSplit(body.totalBudget, body.categories);
  checkAgainstBudgetLimit(body.totalBudget, budgetLimit);
  const { revenueTarget, costSavingsTarget, roiTarget, description, ...rest } = body;
  return {
    ...rest,
    approvalLevel: approvalLevel(body.totalBudget),
    ...(revenueTarget !== undefined && { revenueTarget }),
    ...(costSavingsTarget !== undefined && { costSavingsTarget }),
    ...(roiTarget !== undefined && { roiTarget }),
    ...(description !== undefined && { description }),
  };
};

export const createBudget = async (
  deps: PnlDeps,
  ctx: RequestContext,
  costCenterId: string,
  body: In<typeof c.CreateBudget>,
) => {
  const center = await visibleCostCenter(deps, ctx, costCenterId);
  requireFinanceManager(ctx.caller, center.enterpriseId);
  checkBudgetPeriod(body.budgetYear, body.periodType, body.budgetPeriod);
  const { budgetYear, periodType, budgetPeriod, ...figures } = body;
  const now = deps.clock.now().toISOString();
  const budget: BudgetRecord = {
    costCenterId,
    enterpriseId: center.enterpriseId,
    budgetYear,
    periodType,
    budgetPeriod,
    ...budgetFigures(figures, center.budgetLimit),
    createdAt: now,
    createdBy: ctx.caller.subject,
    updatedAt: now,
  };
  await deps.store.createBudget(budget);
  return budgetView(budget);
};

const visibleBudget = async (
  deps: PnlDeps,
  ctx: RequestContext,
  params: { costCenterId: string; budgetYear: number; periodType: PeriodType; budgetPeriod: number },
) => {
  const center = await visibleCostCenter(deps, ctx, params.costCenterId);
  const budget = await deps.store.getBudget(
    params.costCenterId,
    params.budgetYear,
    params.periodType,
    params.budgetPeriod,
  );
  if (!budget)
    throw notFound(
      'Budget',
      `${params.costCenterId}/${params.budgetYear}/${params.periodType}/${params.budgetPeriod}`,
    );
  return { center, budget };
};

export const updateBudget = async (
  deps: PnlDeps,
  ctx: RequestContext,
  params: { costCenterId: string; budgetYear: number; periodType: PeriodType; budgetPeriod: number },
  body: In<typeof c.UpdateBudget>,
) => {
  const { center, budget } = await visibleBudget(deps, ctx, params);
  requireFinanceManager(ctx.caller, center.enterpriseId);
  const replaced: BudgetRecord = {
    costCenterId: budget.costCenterId,
    enterpriseId: budget.enterpriseId,
    budgetYear: budget.budgetYear,
    periodType: budget.periodType,
    budgetPeriod: budget.budgetPeriod,
    ...budgetFigures(body, center.budgetLimit),
    createdAt: budget.createdAt,
    createdBy: budget.createdBy,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.replaceBudget(replaced, budget.updatedAt);
  return budgetView(replaced);
};

export const deleteBudget = async (
  deps: PnlDeps,
  ctx: RequestContext,
  params: { costCenterId: string; budgetYear: number; periodType: PeriodType; budgetPeriod: number },
) => {
  const { center, budget } = await visibleBudget(deps, ctx, params);
  requireFinanceManager(ctx.caller, center.enterpriseId);
  await deps.store.deleteBudget(budget);
  return {};
};

export const listBudgets = async (deps: PnlDeps, ctx: RequestContext, enterpriseId: string, year: number) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  checkPeriodFields({ year });
  const budgets = await deps.store.budgetsOfEnterprise(enterpriseId, year);
  return { items: budgets.map(budgetView) };
};

/**
 * Every budget of the period against the costs of the center's subtree in it (a parent's budget
 * covers its children), with each budget category against its spend.
 */
export const budgetUtilization = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  key: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const period = parsePeriodKey(key);
  const months = monthsOf(period);
  const [centers, budgets, entries] = await Promise.all([
    deps.store.listCostCenters(enterpriseId),
    deps.store.budgetsOfEnterprise(enterpriseId, period.year),
    Promise.all(months.map((m) => deps.store.costEntriesOfEnterprise(enterpriseId, m))).then((e) => e.flat()),
  ]);
  const byId = new Map(centers.map((center) => [center.id, center]));
  const items = budgets
    .filter((b) => budgetPeriodKey(b) === key && byId.has(b.costCenterId))
    .map((b) => {
      const subtree = new Set(subtreeOf(centers, b.costCenterId).map((center) => center.id));
      const spent = entries.filter((e) => subtree.has(e.costCenterId) && e.currency === b.currency);
      const actual = sumOf(spent.map((e) => e.amount));
      const use = budgetUse(b.totalBudget, actual.toFixed());
      return {
        costCenterId: b.costCenterId,
        code: byId.get(b.costCenterId)!.code,
        periodKey: key,
        currency: b.currency,
        totalBudget: b.totalBudget,
        actualCosts: moneyString(actual),
        variance: use.variance,
        utilization: use.utilization,
        utilizationPercent: use.utilizationPercent,
        status: b.status,
        categories: BUDGET_CATEGORIES.map((category) => ({
          category,
          budget: b.categories[category] ?? null,
          // The split has no cloud line: cloud API usage counts against `other`.
          actual: moneyString(
            sumOf(
              spent
                .filter(
                  (e) => e.category === category || (category === 'other' && e.category === 'cloud_fallback'),
                )
                .map((e) => e.amount),
            ),
          ),
        })),
      };
    });
  return { items };
};

export const budgetAlertKey = (b: BudgetRecord, threshold: number) =>
  `pnl-budget#${b.costCenterId}#${budgetPeriodKey(b)}#${b.currency}#${threshold}`;

/**
 * The hourly check: each active budget against the consolidated P&L of its center and period
 * (fresh from the rollup that runs first); the highest threshold crossed is notified once.
 */
export const checkBudgets = async (deps: PnlJobDeps): Promise<{ checked: number; alerts: number }> => {
  const budgets = await deps.store.activeBudgets();
  const summaries = new Map<string, Promise<PnlSummaryRecord[]>>();
  const summariesOf = (enterpriseId: string, key: string) => {
    const cacheKey = `${enterpriseId}#${key}`;
    if (!summaries.has(cacheKey)) summaries.set(cacheKey, deps.store.summariesOfPeriod(enterpriseId, key));
    return summaries.get(cacheKey)!;
  };
  let alerts = 0;
  for (const b of budgets) {
    const key = budgetPeriodKey(b);
    const summary = (await summariesOf(b.enterpriseId, key)).find(
      (s) => s.costCenterId === b.costCenterId && s.currency === b.currency && s.isConsolidated,
    );
    if (!summary) continue;
    const use = budgetUse(b.totalBudget, summary.totalCosts);
    const { budgetThresholds } = await settingsOf(deps, b.enterpriseId);
    // The exact percent: a rounded one could cross a threshold early.
    const exactPercent = decimal(summary.totalCosts).times(100).dividedBy(decimal(b.totalBudget)).toFixed();
    const threshold = highestCrossedThreshold(exactPercent, budgetThresholds);
    if (threshold === null) continue;
    const center = await deps.store.getCostCenter(b.costCenterId);
    const sent = await deps.notifier.notifyOnce(budgetAlertKey(b, threshold), {
      enterpriseId: b.enterpriseId,
      kind: 'pnl.budget.threshold',
      severity: threshold >= 100 ? 'critical' : 'warning',
      subject: `cost-center:${b.costCenterId}`,
      message:
        `Cost center ${center?.code ?? b.costCenterId} has used ${use.utilizationPercent} % of its ${key} budget ` +
        `(${summary.totalCosts} of ${b.totalBudget} ${b.currency}; threshold ${threshold} %)`,
    });
    if (sent) alerts += 1;
  }
  return { checked: budgets.length, alerts };
};
