/**
 * Gathers what a monthly report is written from: the period's published bill snapshot (totals, top
 * services, projects and accounts), anomalies, cloud budgets, the consolidated P&L, gateway usage
 * and balances. Everything in the snapshot's reporting currency; gateway cost in other currencies
 * is left out (the report says so through its totals only).
 */
import type { Caller } from '../../domain/access';
import { monthBefore } from '../../domain/bills/periods';
import { decimal } from '../../domain/money';
import { moneyString, sumOf } from '../../domain/pnl/amounts';
import type { ReportFacts } from '../../domain/reports/facts';
import type { BalanceStore } from '../../ports/balance';
import type { UsageStore } from '../../ports/metering';
import type { PnlStore } from '../../ports/pnl';
import type { EnterpriseRepository, GroupRepository } from '../../ports/tenancy';
import * as balance from '../balance/admin';
import type { BalanceAdminDeps } from '../balance/admin';
import * as bills from '../bills/admin';
import type { BillAdminDeps } from '../bills/admin';
import type { RequestContext } from '../tenancy';

export interface GatherDeps {
  bills: BillAdminDeps;
  balance: BalanceAdminDeps & { store: BalanceStore };
  usage: Pick<UsageStore, 'periodAggregates'>;
  pnl: Pick<PnlStore, 'listCostCenters' | 'summariesOfPeriod'>;
  groups: Pick<GroupRepository, 'get'>;
  enterprises: Pick<EnterpriseRepository, 'get'>;
}

/** The workflow reads on behalf of no one in particular: every read is for this one enterprise. */
const WORKFLOW: Caller = {
  subject: 'tollgate:report-workflow',
  kind: 'admin-key',
  enterpriseId: null,
  roles: ['platform-admin'],
};

const TOP = 10;

const top = <T>(items: T[], amount: (item: T) => string): T[] =>
  [...items].sort((a, b) => decimal(amount(b)).comparedTo(decimal(amount(a)))).slice(0, TOP);

export const gatherReportFacts = async (
  deps: GatherDeps,
  enterpriseId: string,
  periodMonth: string,
  requestId: string,
): Promise<ReportFacts> => {
  const ctx: RequestContext = { caller: WORKFLOW, requestId };
  const enterprise = await deps.enterprises.get(enterpriseId);
  const overview = await bills.costOverview(deps.bills, ctx, enterpriseId, { periodMonth, topN: TOP });
  const currency = overview.currency ?? (await deps.bills.billingSettings(enterpriseId)).reportingCurrency;
  const [anomalies, budgets, groupMonths, previousGroupMonths, modelMonths, pnl, sources] = await Promise.all(
    [
      deps.bills.store.listAnomalies(enterpriseId, periodMonth),
      bills.listBudgets(deps.bills, ctx, enterpriseId, { periodMonth }),
      deps.usage.periodAggregates(enterpriseId, 'M', periodMonth, 'GROUP#'),
      deps.usage.periodAggregates(enterpriseId, 'M', monthBefore(periodMonth), 'GROUP#'),
      deps.usage.periodAggregates(enterpriseId, 'M', periodMonth, 'GROUPMODEL#'),
      pnlOf(deps, enterpriseId, periodMonth, currency),
      deps.balance.store.listSources(enterpriseId),
    ],
  );

  const groups = await Promise.all(
    top(groupMonths, (g) => g.cost[currency] ?? '0').map(async (g) => ({
      groupId: g.scopeId,
      name: (await deps.groups.get(g.scopeId))?.name ?? g.scopeId,
      cost: moneyString(g.cost[currency] ?? '0'),
      tokens: g.promptTokens + g.completionTokens,
    })),
  );
  const models = new Map<string, { cost: string; tokens: number }>();
  for (const m of modelMonths) {
    const model = m.scopeId.slice(m.scopeId.indexOf('#') + 1);
    const sum = models.get(model) ?? { cost: '0', tokens: 0 };
    models.set(model, {
      cost: sumOf([sum.cost, m.cost[currency]]).toFixed(),
      tokens: sum.tokens + m.promptTokens + m.completionTokens,
    });
  }

  const balances = await Promise.all(
    sources
      .filter(
        (s) => s.enabled && s.lastReading?.status === 'ok' && s.lastReading.balance && s.lastReading.currency,
      )
      .map(async (s) => {
        const trend = await balance.balanceTrend(deps.balance, ctx, s.id, { days: 30 });
        const days = trend.forecast?.daysUntilZero ?? null;
        return {
          name: s.name,
          provider: s.provider,
          balance: moneyString(s.lastReading!.balance!),
          currency: s.lastReading!.currency!,
          daysUntilZero: days === null ? null : Math.floor(Number(days)),
        };
      }),
  );

  return {
    periodMonth,
    enterpriseName: enterprise?.name ?? enterpriseId,
    currency,
    snapshotVersion: overview.version?.snapshotVersion ?? 0,
    cloud: {
      total: moneyString(overview.total.amount),
      previousTotal:
        overview.total.previousAmount === null ? null : moneyString(overview.total.previousAmount),
      byProvider: overview.byDimension.provider.map((s) => ({
        provider: s.provider,
        amount: moneyString(s.totalAmount),
      })),
      topServices: overview.top.services.map((s) => ({
        key: s.dimensionKey,
        amount: moneyString(s.totalAmount),
      })),
      topProjects: overview.top.projects.map((s) => ({
        key: s.dimensionKey,
        amount: moneyString(s.totalAmount),
      })),
      topAccounts: overview.top.accounts.map((s) => ({
        key: s.dimensionKey,
        amount: moneyString(s.totalAmount),
      })),
    },
    gateway: {
      cost: moneyString(sumOf(groupMonths.map((g) => g.cost[currency]))),
      // Known whenever the cloud's previous month is: metering keeps every month.
      previousCost:
        overview.total.previousAmount === null
          ? null
          : moneyString(sumOf(previousGroupMonths.map((g) => g.cost[currency]))),
      tokens: groupMonths.reduce((s, g) => s + g.promptTokens + g.completionTokens, 0),
      requests: groupMonths.reduce((s, g) => s + g.requests, 0),
      topGroups: groups,
      topModels: top(
        [...models].map(([model, m]) => ({ model, ...m, cost: moneyString(m.cost) })),
        (m) => m.cost,
      ),
    },
    anomalies: anomalies
      .filter((a) => a.status === 'open')
      .map((a) => ({
        kind: a.anomalyType,
        scope: `${a.provider}:${a.scopeKey}`,
        severity: a.severity,
        amount: typeof a.evidence.actual === 'string' ? moneyString(a.evidence.actual) : null,
        message: a.title,
      })),
    budgets: budgets
      .filter((b) => b.utilization !== null)
      .map((b) => ({
        name: b.scopeType === 'all' ? 'All cloud spend' : `${b.scopeType} ${b.scopeKey}`,
        scope: `${b.scopeType}:${b.scopeKey}`,
        amount: moneyString(b.budgetAmount),
        actual: moneyString(b.utilization!.actual),
        utilizationPercent: b.utilization!.utilizationPercent,
      })),
    pnl,
    balances: balances.sort((a, b) => (a.daysUntilZero ?? Infinity) - (b.daysUntilZero ?? Infinity)),
  };
};

/** The enterprise's consolidated P&L for the month: its root centers added up. */
const pnlOf = async (
  deps: GatherDeps,
  enterpriseId: string,
  periodMonth: string,
  currency: string,
): Promise<ReportFacts['pnl']> => {
  const roots = new Set(
    (await deps.pnl.listCostCenters(enterpriseId)).filter((c) => c.parentId === null).map((c) => c.id),
  );
  const summaries = (await deps.pnl.summariesOfPeriod(enterpriseId, periodMonth)).filter(
    (s) => s.isConsolidated && s.currency === currency && roots.has(s.costCenterId),
  );
  if (summaries.length === 0) return null;
  const totalCosts = sumOf(summaries.map((s) => s.totalCosts));
  const netProfit = sumOf(summaries.map((s) => s.netProfit));
  return {
    totalCosts: moneyString(totalCosts),
    totalRevenues: moneyString(sumOf(summaries.map((s) => s.totalRevenues))),
    netProfit: moneyString(netProfit),
    roi: totalCosts.isZero() ? null : netProfit.dividedBy(totalCosts).toDecimalPlaces(6).toFixed(6),
  };
};
