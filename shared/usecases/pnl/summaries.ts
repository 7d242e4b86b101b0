/**
 * P&L summaries (seed 000 VirtualPnLSummary): each center's own figures and its consolidated
 * figures over its subtree, per month, quarter and year and per currency, computed from the facts.
 * The scheduled rollup refreshes the feeds of the open months and recomputes only the months
 * marked dirty by a new fact (and their quarter and year); running it again changes nothing.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/pnl';
import { requireEnterpriseAccess, requireFinanceManager } from '../../domain/access';
import { invalid } from '../../domain/errors';
import { moneyString, ratio, sumOf } from '../../domain/pnl/amounts';
import {
  lastDayOfMonth,
  monthKey,
  monthsOf,
  parseMonthKey,
  parsePeriodKey,
  periodKey,
  periodsContainingMonth,
} from '../../domain/pnl/periods';
import { costBenefit, paybackMonths, roiRecommendations } from '../../domain/pnl/roi';
import { openPeriods } from '../../domain/bills/periods';
import { decimal } from '../../domain/money';
import {
  addFacts,
  budgetForPeriod,
  consolidate,
  emptyFacts,
  mergeMonths,
  pnlFigures,
  type MonthFacts,
  type PeriodBudget,
} from '../../domain/pnl/summary';
import { subtreeOf } from '../../domain/pnl/tree';
import { COST_CATEGORIES, type Period, type PnlFigures } from '../../domain/pnl/types';
import type { BudgetRecord, CostCenterRecord, PnlSummaryRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import { settingsOf, type PnlDeps, type PnlJobDeps } from './deps';
import { refreshFeeds, type FeedResult } from './feeds';
import { checkBudgets } from './budgets';
import { usageByCostCenter } from './usage';

type In<T extends z.ZodType> = z.output<T>;

/** Budgets that count against actuals: drafts are not agreed yet. */
const countingBudgets = (budgets: BudgetRecord[]) => budgets.filter((b) => b.status !== 'draft');

const periodFields = (period: Period) => ({
  periodType: period.type,
  periodKey: periodKey(period),
  periodYear: period.year,
  periodQuarter: period.quarter ?? null,
  periodMonth: period.month ?? null,
});

/** A stored own summary back to the facts it was computed from (quarters and years merge months). */
const factsOf = (s: PnlFigures): MonthFacts => ({
  costs: s.costs,
  revenues: s.revenues,
  tokens: s.totalTokensProcessed,
  requests: s.totalRequestsServed,
  activeUsers: s.activeUsersCount,
});

/** Own and consolidated summaries of every center in every currency for one period. */
const summariesFor = (
  enterpriseId: string,
  period: Period,
  centers: CostCenterRecord[],
  ownFacts: Map<string, Map<string, MonthFacts>>,
  budgets: BudgetRecord[],
  generatedAt: string,
  generatedBy: string,
): PnlSummaryRecord[] => {
  const summaries: PnlSummaryRecord[] = [];
  for (const [currency, own] of ownFacts) {
    const ownBudgets = new Map<string, PeriodBudget | null>(
      centers.map((center) => [
        center.id,
        budgetForPeriod(
          budgets.filter((b) => b.costCenterId === center.id && b.currency === currency),
          period,
        ),
      ]),
    );
    const consolidated = consolidate(centers, own, ownBudgets);
    for (const center of centers) {
      const base = {
        enterpriseId,
        costCenterId: center.id,
        ...periodFields(period),
        generatedAt,
        generatedBy,
      };
      summaries.push({
        ...base,
        ...pnlFigures(currency, own.get(center.id) ?? emptyFacts(), ownBudgets.get(center.id) ?? null),
        isConsolidated: false,
      });
      const whole = consolidated.get(center.id)!;
      summaries.push({ ...base, ...pnlFigures(currency, whole.facts, whole.budget), isConsolidated: true });
    }
  }
  return summaries;
};

const add = (facts: MonthFacts, key: 'costs' | 'revenues', field: string, amount: string) => {
  const bucket = facts[key] as Record<string, string>;
  bucket[field] = sumOf([bucket[field], amount]).toFixed();
};

/**
 * Recomputes one month from its facts, then the quarter and the year holding it from their
 * months' stored own figures. Returns how many summaries were written.
 */
export const recomputeMonth = async (
  deps: PnlDeps,
  enterpriseId: string,
  month: string,
  generatedBy: string,
): Promise<number> => {
  const { year } = parseMonthKey(month);
  const [centers, entries, revenues, budgets, settings] = await Promise.all([
    deps.store.listCostCenters(enterpriseId),
    deps.store.costEntriesOfEnterprise(enterpriseId, month),
    deps.store.revenuesOfEnterprise(enterpriseId, month),
    deps.store.budgetsOfEnterprise(enterpriseId, year).then(countingBudgets),
    settingsOf(deps, enterpriseId),
  ]);
  const generatedAt = deps.clock.now().toISOString();
  const usage = await usageByCostCenter(deps, enterpriseId, month, centers, settings.referenceCurrency);
  const currencies = new Set([
    settings.referenceCurrency,
    ...entries.map((e) => e.currency),
    ...revenues.map((r) => r.currency),
  ]);
  // currency → center → facts; activity (tokens, requests, users) is the center's in every currency.
  const ownFacts = new Map<string, Map<string, MonthFacts>>();
  for (const currency of currencies) {
    const own = new Map<string, MonthFacts>();
    for (const center of centers) {
      const u = usage.get(center.id);
      own.set(center.id, {
        ...emptyFacts(),
        tokens: u?.tokens ?? 0,
        requests: u?.requests ?? 0,
        activeUsers: u?.activeUsers ?? 0,
      });
    }
    ownFacts.set(currency, own);
  }
  for (const e of entries) {
    const facts = ownFacts.get(e.currency)!.get(e.costCenterId);
    if (facts) add(facts, 'costs', e.category, e.amount);
  }
  for (const r of revenues) {
    const facts = ownFacts.get(r.currency)!.get(r.costCenterId);
    if (facts) add(facts, 'revenues', r.revenueSource, r.amount);
  }

  const [monthPeriod, ...wider] = periodsContainingMonth(month);
  const monthSummaries = summariesFor(
    enterpriseId,
    monthPeriod!,
    centers,
    ownFacts,
    budgets,
    generatedAt,
    generatedBy,
  );
  await deps.store.replaceSummaries(enterpriseId, [month], monthSummaries);
  let written = monthSummaries.length;

  for (const period of wider) {
    const monthly = await Promise.all(
      monthsOf(period).map((m) =>
        m === month ? monthSummaries : deps.store.summariesOfPeriod(enterpriseId, m),
      ),
    );
    const merged = new Map<string, Map<string, MonthFacts[]>>();
    for (const s of monthly.flat().filter((s) => !s.isConsolidated)) {
      const byCenter = merged.get(s.currency) ?? new Map<string, MonthFacts[]>();
      byCenter.set(s.costCenterId, [...(byCenter.get(s.costCenterId) ?? []), factsOf(s)]);
      merged.set(s.currency, byCenter);
    }
    const periodFacts = new Map(
      [...merged].map(([currency, byCenter]) => [
        currency,
        new Map([...byCenter].map(([centerId, months]) => [centerId, mergeMonths(months)])),
      ]),
    );
    const summaries = summariesFor(
      enterpriseId,
      period,
      centers,
      periodFacts,
      budgets,
      generatedAt,
      generatedBy,
    );
    await deps.store.replaceSummaries(enterpriseId, [periodKey(period)], summaries);
    written += summaries.length;
  }
  return written;
};

/** Recomputes every month marked dirty, then clears each mark unless a fact came in meanwhile. */
const recomputeDirty = async (deps: PnlDeps, generatedBy: string, enterpriseId?: string) => {
  const recomputed: string[] = [];
  let summaries = 0;
  for (const mark of await deps.store.dirtyMonths()) {
    if (enterpriseId && mark.enterpriseId !== enterpriseId) continue;
    summaries += await recomputeMonth(deps, mark.enterpriseId, mark.month, generatedBy);
    await deps.store.clearDirty(mark);
    recomputed.push(`${mark.enterpriseId}#${mark.month}`);
  }
  return { recomputed, summaries };
};

export interface RollupRunSummary {
  enterprises: number;
  fedMonths: number;
  recomputedMonths: number;
  summaries: number;
  budgetsChecked: number;
  budgetAlerts: number;
}

/** The hourly job: feeds of the open months, the dirty months' P&L, then the budget check. */
export const runPnlRollup = async (
  deps: PnlJobDeps & { enterpriseIds(): Promise<string[]>; previousMonthDays: number },
): Promise<RollupRunSummary> => {
  const enterprises = await deps.enterpriseIds();
  // The bills' open periods: this month, and the last one for its first days (late usage, late bills).
  const months = openPeriods(deps.clock.now(), deps.previousMonthDays);
  let fedMonths = 0;
  for (const enterpriseId of enterprises) {
    if ((await deps.store.listCostCenters(enterpriseId)).length === 0) continue;
    for (const month of months) {
      await refreshFeeds(deps, enterpriseId, month);
      fedMonths += 1;
    }
  }
  const { recomputed, summaries } = await recomputeDirty(deps, 'tollgate:pnl-rollup');
  const budgets = await checkBudgets(deps);
  return {
    enterprises: enterprises.length,
    fedMonths,
    recomputedMonths: recomputed.length,
    summaries,
    budgetsChecked: budgets.checked,
    budgetAlerts: budgets.alerts,
  };
};

/** On demand: feeds the month now and recomputes the enterprise's dirty months. */
export const recomputePnl = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.RecomputePnl>,
): Promise<{ month: string; feeds: FeedResult; recomputedMonths: string[]; summaries: number }> => {
  requireFinanceManager(ctx.caller, enterpriseId);
  parseMonthKey(body.month);
  const feeds = await refreshFeeds(deps, enterpriseId, body.month);
  // A month is always recomputed on demand, even with no new facts, so a first report exists.
  await deps.store.markDirty(enterpriseId, [body.month], deps.clock.now().toISOString());
  const { recomputed, summaries } = await recomputeDirty(deps, ctx.caller.subject, enterpriseId);
  return {
    month: body.month,
    feeds,
    recomputedMonths: recomputed.map((key) => key.slice(enterpriseId.length + 1)).sort(),
    summaries,
  };
};

export const pnlReport = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.PnlReportQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const period = parsePeriodKey(query.period);
  const [centers, summaries] = await Promise.all([
    deps.store.listCostCenters(enterpriseId),
    deps.store.summariesOfPeriod(enterpriseId, periodKey(period)),
  ]);
  const byId = new Map(centers.map((center) => [center.id, center]));
  if (query.costCenterId && !byId.has(query.costCenterId))
    throw invalid(`Cost center ${query.costCenterId} is not in this enterprise`, {
      costCenterId: query.costCenterId,
    });
  const consolidated = query.consolidated === 'true';
  return {
    period: periodKey(period),
    summaries: summaries
      .filter(
        (s) =>
          s.isConsolidated === consolidated &&
          byId.has(s.costCenterId) &&
          (!query.costCenterId || s.costCenterId === query.costCenterId) &&
          (!query.currency || s.currency === query.currency),
      )
      .map((s) => ({
        ...s,
        code: byId.get(s.costCenterId)!.code,
        name: byId.get(s.costCenterId)!.name,
        summaryDate: lastDayOfMonth(monthsOf(period).at(-1)!),
      }))
      .sort(
        (a, b) =>
          byId.get(a.costCenterId)!.path.localeCompare(byId.get(b.costCenterId)!.path) ||
          a.currency.localeCompare(b.currency),
      ),
  };
};

/** Months from `from` to `to`, at most 36. */
const monthRange = (from: string, to: string): string[] => {
  if (from > to) throw invalid(`The range starts (${from}) after it ends (${to})`, { from, to });
  const months: string[] = [];
  let { year, month } = parseMonthKey(from);
  parseMonthKey(to);
  for (let key = from; key <= to;) {
    months.push(key);
    if (months.length > 36) throw invalid('A range may span at most 36 months', { from, to });
    month = month === 12 ? 1 : month + 1;
    year = month === 1 ? year + 1 : year;
    key = monthKey(year, month);
  }
  return months;
};

/** The centers a query covers: a subtree, or every center. */
const scopeOf = async (deps: PnlDeps, enterpriseId: string, costCenterId: string | undefined) => {
  const centers = await deps.store.listCostCenters(enterpriseId);
  if (!costCenterId) return { centers, scope: centers };
  if (!centers.some((center) => center.id === costCenterId))
    throw invalid(`Cost center ${costCenterId} is not in this enterprise`, { costCenterId });
  return { centers, scope: subtreeOf(centers, costCenterId) };
};

const percentChange = (previous: string | null, current: string): string | null =>
  previous === null ? null : ratio(decimal(current).minus(decimal(previous)).times(100), previous, 2);

export const costAnalysis = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.RangeQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const months = monthRange(query.from, query.to);
  const { scope } = await scopeOf(deps, enterpriseId, query.costCenterId);
  const currency = query.currency ?? (await settingsOf(deps, enterpriseId)).referenceCurrency;
  const inScope = new Set(scope.map((center) => center.id));
  const entriesByMonth = await Promise.all(
    months.map(async (m) =>
      (await deps.store.costEntriesOfEnterprise(enterpriseId, m)).filter(
        (e) => inScope.has(e.costCenterId) && e.currency === currency,
      ),
    ),
  );
  let previous: string | null = null;
  const monthly = months.map((month, i) => {
    const entries = entriesByMonth[i]!;
    const costs = Object.fromEntries(
      COST_CATEGORIES.map((category) => [
        category,
        moneyString(sumOf(entries.filter((e) => e.category === category).map((e) => e.amount))),
      ]),
    );
    const totalCosts = moneyString(sumOf(entries.map((e) => e.amount)));
    const changePercent = percentChange(previous, totalCosts);
    previous = totalCosts;
    return { month, costs, totalCosts, changePercent };
  });
  const all = entriesByMonth.flat();
  const total = sumOf(all.map((e) => e.amount));
  const changes = monthly.map((m) => m.changePercent).filter((p): p is string => p !== null);
  return {
    from: query.from,
    to: query.to,
    currency,
    costCenterId: query.costCenterId ?? null,
    months: monthly,
    byCategory: COST_CATEGORIES.map((category) => {
      const amount = sumOf(all.filter((e) => e.category === category).map((e) => e.amount));
      return { category, amount: moneyString(amount), sharePercent: ratio(amount.times(100), total, 2) };
    }),
    byCostCenter: scope.map((center) => ({
      costCenterId: center.id,
      code: center.code,
      amount: moneyString(sumOf(all.filter((e) => e.costCenterId === center.id).map((e) => e.amount))),
    })),
    totalCosts: moneyString(total),
    trendPercent: changes.length === 0 ? null : ratio(sumOf(changes), String(changes.length), 2),
  };
};

/**
 * ROI over a range for a subtree (or the whole enterprise): from the stored monthly summaries
 * (consolidated for a center; the roots summed for the enterprise), the self-hosted tokens and
 * their cost against the reference cloud price, payback of the investment, and recommendations.
 */
export const roiAnalysis = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.RoiQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const months = monthRange(query.from, query.to);
  const { centers, scope } = await scopeOf(deps, enterpriseId, query.costCenterId);
  const settings = await settingsOf(deps, enterpriseId);
  const currency = query.currency ?? settings.referenceCurrency;
  const tops = new Set(
    query.costCenterId
      ? [query.costCenterId]
      : centers.filter((center) => center.parentId === null).map((center) => center.id),
  );
  const inScope = new Set(scope.map((center) => center.id));
  const models = (await deps.store.selfHostedModels(enterpriseId)).filter((m) => m.currency === currency);
  const selfHostedAccounts = new Set(models.map((m) => m.accountId));
  const groupsInScope = new Set(scope.flatMap((center) => center.groupIds));

  let facts: MonthFacts[] = [];
  let budgetTotal = sumOf([]);
  let hasBudget = false;
  let selfHostedTokens = 0;
  let selfHostedCost = sumOf([]);
  for (const month of months) {
    const summaries = (await deps.store.summariesOfPeriod(enterpriseId, month)).filter(
      (s) => s.isConsolidated && s.currency === currency && tops.has(s.costCenterId),
    );
    facts = [...facts, ...summaries.map(factsOf)];
    for (const s of summaries.filter((s) => s.budgetTotal !== null)) {
      budgetTotal = budgetTotal.plus(s.budgetTotal!);
      hasBudget = true;
    }
    const [entries, usage] = await Promise.all([
      deps.store.costEntriesOfEnterprise(enterpriseId, month),
      deps.usage.periodAggregates(enterpriseId, 'M', month, 'GROUPACCT#'),
    ]);
    selfHostedCost = selfHostedCost.plus(
      sumOf(
        entries
          .filter(
            (e) => e.sourceSystem === 'self_hosted' && e.currency === currency && inScope.has(e.costCenterId),
          )
          .map((e) => e.amount),
      ),
    );
    for (const a of usage) {
      const [groupId, accountId] = [
        a.scopeId.slice(0, a.scopeId.indexOf('#')),
        a.scopeId.slice(a.scopeId.indexOf('#') + 1),
      ];
      if (selfHostedAccounts.has(accountId) && (!query.costCenterId || groupsInScope.has(groupId)))
        selfHostedTokens += a.promptTokens + a.completionTokens;
    }
  }
  const total = facts.reduce(addFacts, emptyFacts());
  const figures = pnlFigures(currency, total, hasBudget ? { total: moneyString(budgetTotal) } : null);
  const investment =
    query.investment ??
    (models.length > 0
      ? moneyString(sumOf(models.map((m) => sumOf([m.hardwareCostPerGpu]).times(m.gpuCount))))
      : null);
  const monthlyNetBenefit = moneyString(
    sumOf([figures.netProfit]).dividedBy(months.length).toDecimalPlaces(2),
  );
  const payback = paybackMonths(investment, monthlyNetBenefit);
  const benefit = costBenefit({
    selfHostedTokens,
    selfHostedCost: moneyString(selfHostedCost),
    referencePricePerMillion:
      settings.referenceCurrency === currency ? settings.referenceCloudPricePerMillion : null,
    currency,
  });
  const roiTarget = query.costCenterId
    ? ((await deps.store.budgetsOfEnterprise(enterpriseId, parseMonthKey(query.from).year)).find(
        (b) => b.costCenterId === query.costCenterId && b.periodType === 'year' && b.currency === currency,
      )?.roiTarget ?? null)
    : null;
  return {
    from: query.from,
    to: query.to,
    currency,
    costCenterId: query.costCenterId ?? null,
    totalCosts: figures.totalCosts,
    totalRevenues: figures.totalRevenues,
    netProfit: figures.netProfit,
    roi: figures.roi,
    investment,
    monthlyNetBenefit,
    paybackMonths: payback,
    costBenefit: benefit,
    recommendations: roiRecommendations({
      roi: figures.roi,
      roiTarget,
      budgetUtilization: figures.budgetUtilization,
      costs: figures.costs,
      totalCosts: figures.totalCosts,
      costBenefit: benefit,
      paybackMonths: payback,
      netProfit: figures.netProfit,
    }),
  };
};
