/**
 * AI accounts with their usage statistics, and one account's details (the seed's account
 * details: 24 h usage, performance, bound groups, cost), read from the AIACCT metering aggregates.
 * Reading is allowed to every role of the account's enterprise, as for the plain account routes.
 */
import type { z } from 'zod';
import type { AiAccountFilters } from '../contracts/tenancy';
import { requireEnterpriseAccess } from '../domain/access';
import { bindingReach } from '../domain/binding';
import {
  accountStats,
  hourOf,
  hourlySeries,
  last24Hours,
  performance,
  sumCosts,
  type AccountStats,
} from '../domain/gateway/account-stats';
import type { Clock } from '../ports/clock';
import type { UsageAggregate, UsageStore } from '../ports/metering';
import type {
  AiAccount,
  AiAccountRepository,
  BindingRepository,
  GroupRepository,
  Page,
} from '../ports/tenancy';
import { everyPage } from './pages';
import { visibleAccount, type RequestContext } from './tenancy';

export interface AccountStatsDeps {
  aiAccounts: AiAccountRepository;
  groups: GroupRepository;
  bindings: BindingRepository;
  usage: UsageStore;
  clock: Clock;
}

export type AiAccountWithStats = AiAccount & { stats: AccountStats };

/** Every monthly aggregate of the account (one item per month it was used): its all-time figures. */
const monthlyAggregates = (usage: UsageStore, accountId: string) =>
  usage.aggregates('AIACCT', accountId, 'M', '');

/**
 * One page of accounts with their stats. Cost: the page query, one query per account for its
 * monthly aggregates (a page holds at most 100 accounts, each query a few items: one per month
 * used) and one query for the current hour of every account of the enterprise, all in parallel.
 */
export const listAiAccountsWithStats = async (
  deps: AccountStatsDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: z.output<typeof AiAccountFilters>,
): Promise<Page<AiAccountWithStats>> => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const hour = hourOf(deps.clock.now());
  const page = await deps.aiAccounts.list(enterpriseId, query, query);
  const [thisHour, monthly] = await Promise.all([
    deps.usage.periodAggregates(enterpriseId, 'H', hour, 'AIACCT#'),
    Promise.all(page.items.map((a) => monthlyAggregates(deps.usage, a.id))),
  ]);
  const loadOf = new Map(thisHour.map((a) => [a.scopeId, a]));
  return {
    items: page.items.map((account, i) => ({
      ...account,
      stats: accountStats(account, monthly[i] ?? [], { period: hour, aggregate: loadOf.get(account.id) }),
    })),
    nextCursor: page.nextCursor,
  };
};

export const getAiAccountWithStats = async (
  deps: AccountStatsDeps,
  ctx: RequestContext,
  accountId: string,
): Promise<AiAccountWithStats> => {
  const account = await visibleAccount(deps, ctx, accountId);
  const hour = hourOf(deps.clock.now());
  const [monthly, [current]] = await Promise.all([
    monthlyAggregates(deps.usage, accountId),
    deps.usage.aggregates('AIACCT', accountId, 'H', hour),
  ]);
  return { ...account, stats: accountStats(account, monthly, { period: hour, aggregate: current }) };
};

/**
 * The account's last 24 hours (hour by hour, zero-filled), performance over them, the groups
 * whose binding can route to it, its cost over 24 h / this month / all time, and its stats.
 */
export const aiAccountDetails = async (deps: AccountStatsDeps, ctx: RequestContext, accountId: string) => {
  const account = await visibleAccount(deps, ctx, accountId);
  const now = deps.clock.now();
  const hours = last24Hours(now);
  const window = new Set(hours);
  const days = [...new Set(hours.map((h) => h.slice(0, 10)))];
  const [monthly, hourlyByDay, groups] = await Promise.all([
    monthlyAggregates(deps.usage, accountId),
    // The 24 hours span at most two UTC days: one query per day.
    Promise.all(days.map((day) => deps.usage.aggregates('AIACCT', accountId, 'H', day))),
    everyPage((page) => deps.groups.listByEnterprise(account.enterpriseId, {}, page)),
  ]);
  const hourly: UsageAggregate[] = hourlyByDay.flat().filter((a) => window.has(a.period));
  const currentHour = hours[hours.length - 1] ?? hourOf(now);
  const stats = accountStats(account, monthly, {
    period: currentHour,
    aggregate: hourly.find((a) => a.period === currentHour),
  });

  // Which groups reach the account is decided by the same rule the gateway routes by.
  const bindings = await deps.bindings.getMany(groups.map((g) => g.id));
  const bindingOf = new Map(bindings.map((b) => [b.groupId, b]));
  const boundGroups = groups.flatMap((group) => {
    const binding = bindingOf.get(group.id);
    const reach = binding ? bindingReach(binding, account) : null;
    return binding && reach
      ? [
          {
            groupId: group.id,
            name: group.name,
            status: group.status,
            bindingMode: binding.bindingMode,
            reachedThrough: reach,
          },
        ]
      : [];
  });

  const month = now.toISOString().slice(0, 7);
  return {
    account: { ...account, stats },
    usage24h: hourlySeries(hours, hourly),
    performance: performance(hourly),
    boundGroups,
    cost: {
      last24h: sumCosts(hourly.map((a) => a.cost)),
      monthToDate: sumCosts(monthly.filter((m) => m.period === month).map((m) => m.cost)),
      allTime: stats.costByCurrency,
    },
  };
};
