/** Gateway usage seen from the cost-center tree: a center's usage is the usage of its groups. */
import { decimal } from '../../domain/money';
import type { UsageAggregate } from '../../ports/metering';
import type { CostCenterRecord } from '../../ports/pnl';
import type { PnlDeps } from './deps';

export interface CenterUsage {
  tokens: number;
  requests: number;
  /** Metered cost in the currency asked for, exact. */
  cost: string;
  activeUsers: number;
}

/** Group → center; groups of no center are left out. */
export const groupCenters = (centers: readonly CostCenterRecord[]): Map<string, string> =>
  new Map(centers.flatMap((center) => center.groupIds.map((groupId) => [groupId, center.id] as const)));

/** The month aggregates of every group of the enterprise (one query). */
export const groupMonths = (
  deps: Pick<PnlDeps, 'usage'>,
  enterpriseId: string,
  month: string,
): Promise<UsageAggregate[]> => deps.usage.periodAggregates(enterpriseId, 'M', month, 'GROUP#');

/** Tokens, requests, metered cost (in `currency`) and distinct users per center for the month. */
export const usageByCostCenter = async (
  deps: Pick<PnlDeps, 'usage'>,
  enterpriseId: string,
  month: string,
  centers: readonly CostCenterRecord[],
  currency: string,
): Promise<Map<string, CenterUsage>> => {
  const owner = groupCenters(centers);
  const byCenter = new Map<string, CenterUsage>();
  for (const aggregate of await groupMonths(deps, enterpriseId, month)) {
    const centerId = owner.get(aggregate.scopeId);
    if (!centerId) continue;
    const sum = byCenter.get(centerId) ?? { tokens: 0, requests: 0, cost: '0', activeUsers: 0 };
    sum.tokens += aggregate.promptTokens + aggregate.completionTokens;
    sum.requests += aggregate.requests;
    sum.cost = decimal(sum.cost)
      .plus(decimal(aggregate.cost[currency] ?? '0'))
      .toFixed();
    // Distinct per group; a user calling through two groups of one center counts twice.
    sum.activeUsers += aggregate.activeUsers;
    byCenter.set(centerId, sum);
  }
  return byCenter;
};
