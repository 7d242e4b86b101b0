/** A group's usage statistics from the metering aggregates (the seed's usage-stats API). */
import type { z } from 'zod';
import type { UsageStatsQuery } from '../contracts/usage';
import { serviceTypes } from '../contracts/tenancy';
import { requireVisible } from '../domain/access';
import { notFound } from '../domain/errors';
import {
  periodStats,
  storedGranularity,
  storedPeriods,
  summary,
  type AggregateFigures,
} from '../domain/gateway/usage-stats';
import type { UsageStore } from '../ports/metering';
import type { GroupRepository } from '../ports/tenancy';
import type { RequestContext } from './tenancy';

export interface UsageStatsDeps {
  groups: GroupRepository;
  usage: UsageStore;
}

export const groupUsageStats = async (
  deps: UsageStatsDeps,
  ctx: RequestContext,
  groupId: string,
  query: z.output<typeof UsageStatsQuery>,
) => {
  const group = await deps.groups.get(groupId);
  if (!group) throw notFound('Group', groupId);
  requireVisible(ctx.caller, group.enterpriseId, 'Group', groupId);

  const { periods, months } = storedPeriods(query.startDate, query.endDate, query.granularity);
  const inRange = new Set(periods);
  const granularity = storedGranularity(query.granularity);
  // One query per month and scope: aggregates are keyed by scope with the period in the sort key.
  const monthly = async (scope: 'GROUP' | 'GROUPSVC', scopeId: string, g: 'H' | 'D' | 'M') =>
    (await Promise.all(months.map((m) => deps.usage.aggregates(scope, scopeId, g, m)))).flat();
  const within = (figures: AggregateFigures[]) => figures.filter((f) => inRange.has(f.period));

  const services = query.serviceType ? [query.serviceType] : serviceTypes;
  const byService = new Map(
    await Promise.all(
      services.map(
        async (st) => [st, within(await monthly('GROUPSVC', `${groupId}#${st}`, granularity))] as const,
      ),
    ),
  );
  const totals = query.serviceType
    ? (byService.get(query.serviceType) ?? [])
    : within(await monthly('GROUP', groupId, granularity));
  const stats = periodStats(
    totals,
    new Map([...byService].filter(([, f]) => f.length > 0)),
    query.granularity,
  );

  const days = storedPeriods(query.startDate, query.endDate, 'day').periods;
  const modelFigures = (
    await Promise.all(
      days.map((d) => deps.usage.periodAggregates(group.enterpriseId, 'D', d, `GROUPMODEL#${groupId}#`)),
    )
  )
    .flat()
    .map((a) => ({
      model: a.scopeId.slice(groupId.length + 1),
      tokens: a.promptTokens + a.completionTokens,
    }));
  const hourly = (await monthly('GROUP', groupId, 'H')).filter(
    (h) => h.period.slice(0, 10) >= query.startDate && h.period.slice(0, 10) <= query.endDate,
  );

  return { stats, summary: summary(stats, modelFigures, hourly) };
};
