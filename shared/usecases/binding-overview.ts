/** A group's binding with the accounts it reaches and today's / this month's use of its quota. */
import { requireVisible } from '../domain/access';
import { notFound } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { UsageStore } from '../ports/metering';
import type { AiAccountRepository, BindingRepository, GroupRepository } from '../ports/tenancy';
import { reachableAccounts } from './reachable-accounts';
import type { RequestContext } from './tenancy';

export interface BindingOverviewDeps {
  groups: GroupRepository;
  bindings: BindingRepository;
  aiAccounts: AiAccountRepository;
  usage: UsageStore;
  clock: Clock;
}

export const groupBindingOverview = async (
  deps: BindingOverviewDeps,
  ctx: RequestContext,
  groupId: string,
) => {
  const group = await deps.groups.get(groupId);
  if (!group) throw notFound('Group', groupId);
  requireVisible(ctx.caller, group.enterpriseId, 'Group', groupId);
  const binding = await deps.bindings.get(groupId);
  if (!binding) throw notFound('Resource binding of group', groupId);
  const now = deps.clock.now().toISOString();
  const [day, month] = [now.slice(0, 10), now.slice(0, 7)];
  const [availableAccounts, [today], [thisMonth]] = await Promise.all([
    reachableAccounts(deps.aiAccounts, binding),
    deps.usage.aggregates('GROUP', groupId, 'D', day),
    deps.usage.aggregates('GROUP', groupId, 'M', month),
  ]);
  const dailyTokens = today ? today.promptTokens + today.completionTokens : 0;
  const { dailyTokenLimit, monthlyBudget } = binding.quotaConfig;
  return {
    binding,
    availableAccounts,
    currentUsage: {
      day,
      dailyTokens,
      dailyTokenLimit,
      utilizationRate: dailyTokenLimit > 0 ? dailyTokens / dailyTokenLimit : 0,
      monthlySpend: thisMonth?.cost ?? {},
      monthlyBudget,
    },
  };
};
