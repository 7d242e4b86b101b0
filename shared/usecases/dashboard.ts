/** The seed's AiResourceDashboard for one enterprise, today (UTC), from accounts, groups and aggregates. */
import Decimal from 'decimal.js';
import { requireEnterpriseAccess } from '../domain/access';
import type { Clock } from '../ports/clock';
import { everyPage } from './pages';
import type { UsageStore } from '../ports/metering';
import type { AiAccountRepository, GroupRepository } from '../ports/tenancy';
import type { RequestContext } from './tenancy';

export interface DashboardDeps {
  aiAccounts: AiAccountRepository;
  groups: GroupRepository;
  usage: UsageStore;
  clock: Clock;
}

const sumCost = (costs: Record<string, string>[]) => {
  const total: Record<string, Decimal> = {};
  for (const cost of costs) {
    for (const [currency, amount] of Object.entries(cost))
      total[currency] = (total[currency] ?? new Decimal(0)).plus(amount);
  }
  return Object.fromEntries(Object.entries(total).map(([c, d]) => [c, d.toFixed()]));
};

export const aiDashboard = async (deps: DashboardDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const day = deps.clock.now().toISOString().slice(0, 10);
  const [accounts, groups, groupUsage] = await Promise.all([
    everyPage((page) => deps.aiAccounts.list(enterpriseId, {}, page)),
    everyPage((page) => deps.groups.listByEnterprise(enterpriseId, {}, page)),
    deps.usage.periodAggregates(enterpriseId, 'D', day, 'GROUP#'),
  ]);
  const requests = groupUsage.reduce((s, g) => s + g.requests, 0);
  const services = new Map<string, { count: number; healthyCount: number; load: number }>();
  for (const a of accounts) {
    const entry = services.get(a.serviceType) ?? { count: 0, healthyCount: 0, load: 0 };
    entry.count += 1;
    if (a.isEnabled && a.status === 'active') entry.healthyCount += 1;
    entry.load += a.currentLoad;
    services.set(a.serviceType, entry);
  }
  const names = new Map(groups.map((g) => [g.id, g.name]));
  return {
    day,
    totalAccounts: accounts.length,
    activeAccounts: accounts.filter((a) => a.isEnabled && a.status === 'active').length,
    totalGroups: groups.length,
    dailyRequests: requests,
    dailyCost: sumCost(groupUsage.map((g) => g.cost)),
    averageResponseTime: requests
      ? Math.round(groupUsage.reduce((s, g) => s + g.latencyMsTotal, 0) / requests)
      : 0,
    accountsByService: [...services].map(([serviceType, e]) => ({
      serviceType,
      count: e.count,
      healthyCount: e.healthyCount,
      avgLoad: e.count ? e.load / e.count : 0,
    })),
    topGroupsByUsage: [...groupUsage]
      .sort((a, b) => b.requests - a.requests)
      .slice(0, 5)
      .map((g) => ({
        groupId: g.scopeId,
        groupName: names.get(g.scopeId) ?? g.scopeId,
        dailyCost: g.cost,
        requestCount: g.requests,
      })),
  };
};
