import { describe, expect, it } from 'vitest';
import {
  balance,
  poolCapacity,
  poolClosure,
  selectAccounts,
  type CandidateAccount,
  type SelectionState,
} from '../../../../shared/domain/gateway/selection';

const account = (id: string, over: Partial<CandidateAccount> = {}): CandidateAccount => ({
  id,
  serviceType: 'openai',
  accountType: 'shared',
  isEnabled: true,
  status: 'active',
  supportedModels: ['gpt-4o'],
  dailyLimit: 1_000_000,
  dailyUsedTokens: 0,
  currentLoad: 0,
  weight: 1,
  circuitOpenUntil: 0,
  ...over,
});

const state = (over: Partial<SelectionState> = {}): SelectionState => {
  const counters = new Map<string, number>();
  return {
    roundRobin: (key) => {
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      return n;
    },
    random: () => 0,
    groupPoolTokens: () => 0,
    ...over,
  };
};

const medium = { priorityLevel: 'medium' as const };
const ids = (list: CandidateAccount[]) => list.map((a) => a.id);
const request = { model: 'gpt-4o', now: 1_000 };

describe('account selection', () => {
  const d1 = account('d1', { accountType: 'dedicated', serviceType: 'claude', supportedModels: ['gpt-4o'] });
  const d2 = account('d2', { accountType: 'dedicated' });
  const d3 = account('d3', { accountType: 'dedicated' });
  const byId = new Map([d1, d2, d3].map((a) => [a.id, a]));
  const pools: Record<string, CandidateAccount[]> = {
    openai: [account('s1'), account('s2'), account('s3')],
    claude: [account('c1', { serviceType: 'claude', supportedModels: ['gpt-4o'] })],
  };
  const pool = (serviceType: string) => pools[serviceType] ?? [];

  it('dedicated: tries accounts by priority, balancing within a priority', () => {
    const binding = {
      bindingConfig: {
        mode: 'dedicated' as const,
        accounts: [
          { accountId: 'd3', priority: 2 },
          { accountId: 'd1', priority: 1 },
          { accountId: 'd2', priority: 1 },
        ],
      },
      loadBalancing: 'round-robin' as const,
      quotaConfig: medium,
    };
    const s = state();
    expect(ids(selectAccounts(binding, byId, pool, request, s).attempts)).toEqual(['d1', 'd2', 'd3']);
    expect(ids(selectAccounts(binding, byId, pool, request, s).attempts)).toEqual(['d2', 'd1', 'd3']);
  });

  it('shared: pools by priority, closed once the group reaches maxUsagePercent', () => {
    const binding = {
      bindingConfig: {
        mode: 'shared' as const,
        poolConfig: [
          { serviceType: 'claude', maxUsagePercent: 50, priority: 2 },
          { serviceType: 'openai', maxUsagePercent: 30, priority: 1 },
        ],
      },
      loadBalancing: 'least-load' as const,
      quotaConfig: medium,
    };
    expect(ids(selectAccounts(binding, byId, pool, request, state()).attempts)).toEqual([
      's1',
      's2',
      's3',
      'c1',
    ]);
    // Each pool holds 1M tokens a day per account: the group used 30 % of the 3M openai pool.
    const openaiFull = state({ groupPoolTokens: (t) => (t === 'openai' ? 900_000 : 100_000) });
    expect(ids(selectAccounts(binding, byId, pool, request, openaiFull).attempts)).toEqual(['c1']);
  });

  it('hybrid: primaries first, then fallback pools, each account once', () => {
    const binding = {
      bindingConfig: {
        mode: 'hybrid' as const,
        primaryAccounts: ['d2'],
        fallbackPools: [{ serviceType: 'openai', priority: 1 }],
      },
      loadBalancing: 'round-robin' as const,
      quotaConfig: medium,
    };
    expect(ids(selectAccounts(binding, byId, pool, request, state()).attempts)).toEqual([
      'd2',
      's1',
      's2',
      's3',
    ]);
  });

  it('skips disabled, errored, cooling-down, over-limit and wrong-model accounts, saying why', () => {
    pools.openai = [
      account('off', { isEnabled: false }),
      account('err', { status: 'error' }),
      account('hot', { circuitOpenUntil: 5_000 }),
      account('full', { dailyLimit: 100, dailyUsedTokens: 100 }),
      account('other', { supportedModels: ['gpt-4o-mini'] }),
      account('ok'),
    ];
    const binding = {
      bindingConfig: {
        mode: 'shared' as const,
        poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
      },
      loadBalancing: 'round-robin' as const,
      quotaConfig: medium,
    };
    const result = selectAccounts(binding, byId, pool, request, state());
    expect(ids(result.attempts)).toEqual(['ok']);
    expect(Object.fromEntries(result.skipped.map((s) => [s.accountId, s.reason]))).toEqual({
      off: 'disabled',
      err: 'status error',
      hot: 'cooling down',
      full: 'daily limit reached',
      other: 'model not supported',
    });
    // Once the cooldown has passed the account is eligible again.
    expect(ids(selectAccounts(binding, byId, pool, { ...request, now: 6_000 }, state()).attempts)).toEqual([
      'hot',
      'ok',
    ]);
  });

  it('filters by requested serviceType', () => {
    const binding = {
      bindingConfig: {
        mode: 'dedicated' as const,
        accounts: [
          { accountId: 'd1', priority: 1 },
          { accountId: 'd2', priority: 1 },
        ],
      },
      loadBalancing: 'round-robin' as const,
      quotaConfig: medium,
    };
    expect(
      ids(selectAccounts(binding, byId, pool, { ...request, serviceType: 'claude' }, state()).attempts),
    ).toEqual(['d1']);
  });
});

describe('pool capacity and priority levels', () => {
  // Two accounts of 1,000 tokens a day: the pool holds 2,000.
  const poolAt = (usedEach: number) => [
    account('p1', { dailyLimit: 1_000, dailyUsedTokens: usedEach }),
    account('p2', { dailyLimit: 1_000, dailyUsedTokens: usedEach }),
  ];
  const binding = (priorityLevel: 'low' | 'medium' | 'high') => ({
    bindingConfig: {
      mode: 'shared' as const,
      poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
    },
    loadBalancing: 'round-robin' as const,
    quotaConfig: { priorityLevel },
  });
  const served = (usedEach: number, level: 'low' | 'medium' | 'high') =>
    selectAccounts(binding(level), new Map(), () => poolAt(usedEach), request, state()).attempts.length > 0;

  it('cuts low-priority groups first as the pool fills, then medium, never high before it is full', () => {
    // 79 % used: everyone is served.
    expect([served(790, 'low'), served(790, 'medium'), served(790, 'high')]).toEqual([true, true, true]);
    // 80 %: low-priority groups are cut.
    expect([served(800, 'low'), served(800, 'medium'), served(800, 'high')]).toEqual([false, true, true]);
    // 90 %: only high-priority groups are served.
    expect([served(900, 'low'), served(900, 'medium'), served(900, 'high')]).toEqual([false, false, true]);
  });

  it('says why a pool was closed', () => {
    const result = selectAccounts(binding('low'), new Map(), () => poolAt(850), request, state());
    expect(result.skipped).toEqual([
      { accountId: 'pool:openai', reason: 'pool 85 % used: closed to low-priority groups' },
    ]);
  });

  it('has no capacity (and so no cut) when an account has no daily limit', () => {
    expect(poolCapacity([account('x', { dailyLimit: 0 }), account('y')])).toBeNull();
    expect(
      poolClosure([account('x', { dailyLimit: 0, dailyUsedTokens: 10 ** 9 })], 10 ** 9, {
        maxUsagePercent: 10,
        priorityLevel: 'low',
      }),
    ).toBeNull();
  });

  it('closes a pool to a group at its maxUsagePercent share', () => {
    const pool = poolAt(0);
    const limits = { maxUsagePercent: 25, priorityLevel: 'high' as const };
    expect(poolClosure(pool, 499, limits)).toBeNull();
    expect(poolClosure(pool, 500, limits)).toBe('group used 25 % of the pool today');
  });
});

describe('load balancing', () => {
  const a = account('a', { currentLoad: 70, weight: 1 });
  const b = account('b', { currentLoad: 10, weight: 3 });
  const c = account('c', { currentLoad: 40, weight: 6 });

  it('least-load orders by current load', () => {
    expect(ids(balance([a, b, c], 'least-load', 't', state()))).toEqual(['b', 'c', 'a']);
  });

  it('weighted picks in proportion to weight', () => {
    const pick = (r: number) => ids(balance([a, b, c], 'weighted', 't', state({ random: () => r })))[0];
    expect(pick(0.05)).toBe('a'); // [0, 0.1)
    expect(pick(0.2)).toBe('b'); // [0.1, 0.4)
    expect(pick(0.9)).toBe('c'); // [0.4, 1)
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[pick((i + 0.5) / 1000) as 'a' | 'b' | 'c'] += 1;
    expect(counts).toEqual({ a: 100, b: 300, c: 600 });
  });

  it('round-robin rotates the first choice', () => {
    const s = state();
    const firsts = Array.from({ length: 6 }, () => ids(balance([a, b, c], 'round-robin', 't', s))[0]);
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});
