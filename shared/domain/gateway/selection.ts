/**
 * Which accounts a request may use, in the order to try them (the first is the choice, the rest
 * are its failover sequence), following the seed's SmartAiRouter:
 * - dedicated: the group's accounts by priority;
 * - shared: the enterprise's shared accounts, pool by pool (by serviceType, by priority), each pool
 *   closed to the group once its share of the pool reaches maxUsagePercent;
 * - hybrid: the primary accounts first, then the fallback pools.
 * A pool's capacity is the sum of its accounts' daily limits. When the pool as a whole nears that
 * capacity, groups are cut by the binding's priorityLevel: low ones first (see POOL_CUTOFF_PERCENT).
 * Lower `priority` numbers are tried first. Within one tier the binding's load-balancing strategy
 * orders the accounts. Disabled, unhealthy, cooling-down (open circuit) and over-daily-limit
 * accounts, and accounts that do not serve the requested model or serviceType, are skipped.
 */
import type { BindingConfigInput } from '../binding';

export type LoadBalancing = 'round-robin' | 'least-load' | 'weighted';

/** An account with the live state selection needs. */
export interface CandidateAccount {
  id: string;
  serviceType: string;
  accountType: 'dedicated' | 'shared';
  isEnabled: boolean;
  status: 'active' | 'inactive' | 'error';
  supportedModels: readonly string[];
  dailyLimit: number;
  /** Tokens used today on this account (all groups). */
  dailyUsedTokens: number;
  /** In-flight share of capacity, 0–100. */
  currentLoad: number;
  weight: number;
  /** The breaker for (account, requested model) is open until this instant (epoch ms), or 0. */
  circuitOpenUntil: number;
}

export interface SelectionRequest {
  model: string;
  serviceType?: string | undefined;
  now: number;
}

export interface SelectionState {
  /** Monotonic counter per tier for round-robin (the caller keeps it per instance). */
  roundRobin(tierKey: string): number;
  /** Uniform random in [0, 1) for weighted choice (injected so tests are exact). */
  random(): number;
  /** Tokens the group used today on the shared accounts of this serviceType. */
  groupPoolTokens(serviceType: string): number;
}

export type PriorityLevel = 'high' | 'medium' | 'low';

/**
 * Pool utilisation (all groups, % of the pool's daily capacity) from which a group of that
 * priority no longer draws on the pool: the last fifth of a pool is kept for medium and high
 * groups, the last tenth for high ones.
 */
export const POOL_CUTOFF_PERCENT: Readonly<Record<PriorityLevel, number>> = {
  low: 80,
  medium: 90,
  high: 100,
};

/** A pool's daily capacity in tokens, or null when an account in it has no daily limit (unbounded). */
export const poolCapacity = (accounts: readonly CandidateAccount[]): number | null => {
  const usable = accounts.filter((a) => a.isEnabled && a.status === 'active');
  if (usable.length === 0 || usable.some((a) => a.dailyLimit <= 0)) return null;
  return usable.reduce((sum, a) => sum + a.dailyLimit, 0);
};

/** Why a pool is closed to the group right now, or null when it is open. */
export const poolClosure = (
  pool: readonly CandidateAccount[],
  groupTokens: number,
  limits: { maxUsagePercent: number; priorityLevel: PriorityLevel },
): string | null => {
  const capacity = poolCapacity(pool);
  if (capacity === null) return null;
  const share = (groupTokens / capacity) * 100;
  if (share >= limits.maxUsagePercent) return `group used ${limits.maxUsagePercent} % of the pool today`;
  const used = (pool.reduce((sum, a) => sum + a.dailyUsedTokens, 0) / capacity) * 100;
  const cutoff = POOL_CUTOFF_PERCENT[limits.priorityLevel];
  if (used >= cutoff)
    return `pool ${Math.floor(used)} % used: closed to ${limits.priorityLevel}-priority groups`;
  return null;
};

export interface Tier {
  key: string;
  accounts: CandidateAccount[];
}

/** Why an account was passed over; reported when nothing is eligible. */
export const ineligibility = (account: CandidateAccount, request: SelectionRequest): string | null => {
  if (!account.isEnabled) return 'disabled';
  if (account.status !== 'active') return `status ${account.status}`;
  if (request.serviceType && account.serviceType !== request.serviceType) return 'other serviceType';
  if (!account.supportedModels.includes(request.model)) return 'model not supported';
  if (account.circuitOpenUntil > request.now) return 'cooling down';
  if (account.dailyLimit > 0 && account.dailyUsedTokens >= account.dailyLimit) return 'daily limit reached';
  return null;
};

/** The ordered tiers a binding offers, before eligibility and load balancing. */
export const bindingTiers = (
  config: BindingConfigInput,
  accountsById: ReadonlyMap<string, CandidateAccount>,
  sharedPool: (serviceType: string) => CandidateAccount[],
  state: Pick<SelectionState, 'groupPoolTokens'>,
  priorityLevel: PriorityLevel,
  closed: (serviceType: string, reason: string) => void = () => undefined,
): Tier[] => {
  const byPriority = <T extends { priority: number }>(items: readonly T[]) =>
    [...items].sort((a, b) => a.priority - b.priority);
  const known = (ids: readonly string[]) =>
    ids.map((id) => accountsById.get(id)).filter((a): a is CandidateAccount => a !== undefined);
  const openPools = <T extends { serviceType: string; priority: number; maxUsagePercent?: number }>(
    pools: readonly T[],
  ) =>
    byPriority(pools)
      .filter((pool) => {
        const reason = poolClosure(sharedPool(pool.serviceType), state.groupPoolTokens(pool.serviceType), {
          maxUsagePercent: pool.maxUsagePercent ?? 100,
          priorityLevel,
        });
        if (reason) closed(pool.serviceType, reason);
        return reason === null;
      })
      .map((pool) => ({ key: `pool:${pool.serviceType}`, accounts: sharedPool(pool.serviceType) }));

  switch (config.mode) {
    case 'dedicated': {
      const tiers = new Map<number, string[]>();
      for (const { accountId, priority } of byPriority(config.accounts)) {
        tiers.set(priority, [...(tiers.get(priority) ?? []), accountId]);
      }
      return [...tiers].map(([priority, ids]) => ({ key: `dedicated:${priority}`, accounts: known(ids) }));
    }
    case 'shared':
      return openPools(config.poolConfig);
    case 'hybrid':
      return [
        { key: 'primary', accounts: known(config.primaryAccounts) },
        ...openPools(config.fallbackPools),
      ];
  }
};

/** Orders one tier's accounts by the strategy: the first is the pick, the rest its fallbacks. */
export const balance = (
  accounts: readonly CandidateAccount[],
  strategy: LoadBalancing,
  tierKey: string,
  state: Pick<SelectionState, 'roundRobin' | 'random'>,
): CandidateAccount[] => {
  if (accounts.length <= 1) return [...accounts];
  switch (strategy) {
    case 'round-robin': {
      const start = state.roundRobin(tierKey) % accounts.length;
      return [...accounts.slice(start), ...accounts.slice(0, start)];
    }
    case 'least-load':
      return [...accounts].sort((a, b) => a.currentLoad - b.currentLoad);
    case 'weighted': {
      // Sequential weighted sampling without replacement.
      const remaining = [...accounts];
      const ordered: CandidateAccount[] = [];
      while (remaining.length > 0) {
        const total = remaining.reduce((sum, a) => sum + Math.max(a.weight, 0), 0);
        let point = state.random() * total;
        let index = remaining.findIndex((a) => (point -= Math.max(a.weight, 0)) < 0);
        if (index < 0) index = remaining.length - 1;
        ordered.push(...remaining.splice(index, 1));
      }
      return ordered;
    }
  }
};

export interface Selection {
  /** Accounts to try, in order, without duplicates. */
  attempts: CandidateAccount[];
  /** Every account considered and passed over, with the reason. */
  skipped: { accountId: string; reason: string }[];
}

export const selectAccounts = (
  binding: {
    bindingConfig: BindingConfigInput;
    loadBalancing: LoadBalancing;
    quotaConfig: { priorityLevel: PriorityLevel };
  },
  accountsById: ReadonlyMap<string, CandidateAccount>,
  sharedPool: (serviceType: string) => CandidateAccount[],
  request: SelectionRequest,
  state: SelectionState,
): Selection => {
  const attempts: CandidateAccount[] = [];
  const skipped: Selection['skipped'] = [];
  const seen = new Set<string>();
  const tiers = bindingTiers(
    binding.bindingConfig,
    accountsById,
    sharedPool,
    state,
    binding.quotaConfig.priorityLevel,
    (serviceType, reason) => skipped.push({ accountId: `pool:${serviceType}`, reason }),
  );
  for (const tier of tiers) {
    const eligible = tier.accounts.filter((account) => {
      if (seen.has(account.id)) return false;
      seen.add(account.id);
      const reason = ineligibility(account, request);
      if (reason) skipped.push({ accountId: account.id, reason });
      return reason === null;
    });
    attempts.push(...balance(eligible, binding.loadBalancing, tier.key, state));
  }
  return { attempts, skipped };
};
