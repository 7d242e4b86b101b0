import { describe, expect, it } from 'vitest';
import {
  addFacts,
  budgetForPeriod,
  consolidate,
  emptyFacts,
  mergeMonths,
  pnlFigures,
  type BudgetLike,
  type MonthFacts,
} from '../../../../shared/domain/pnl/summary';

const facts = (over: Partial<MonthFacts>): MonthFacts => ({ ...emptyFacts(), ...over });

describe('pnlFigures', () => {
  it('computes every figure from the definitions', () => {
    const figures = pnlFigures(
      'USD',
      facts({
        costs: {
          hardware: '1000',
          power: '250.50',
          personnel: '2000',
          software: '100',
          cloud_fallback: '149.50',
        },
        revenues: { membership: '3000', api_usage: '500', cost_savings: '800' },
        tokens: 1_000_000,
        requests: 2000,
        activeUsers: 3,
      }),
      { total: '5000', revenueTarget: '4000' },
    );
    expect(figures).toEqual({
      currency: 'USD',
      costs: {
        hardware: '1000.00',
        infrastructure: '0.00',
        power: '250.50',
        personnel: '2000.00',
        maintenance: '0.00',
        software: '100.00',
        cloud_fallback: '149.50',
        other: '0.00',
      },
      totalCosts: '3500.00',
      revenues: {
        membership: '3000.00',
        alpha_engine: '0.00',
        api_usage: '500.00',
        cost_savings: '800.00',
        other: '0.00',
      },
      totalRevenues: '4300.00',
      // 4300 − (hardware 1000 + power 250.50 + cloud_fallback 149.50); personnel and software excluded.
      grossProfit: '2900.00',
      netProfit: '800.00',
      // 800 / 4300 = 0.18604651…
      profitMargin: '0.186047',
      // 800 / 3500 = 0.22857142…
      roi: '0.228571',
      costPerToken: '0.003500000000',
      // 4300 / 3 = 1433.333…
      revenuePerUser: '1433.333333',
      // 800 / (3500 + 800)
      costSavingsRatio: '0.186047',
      budgetTotal: '5000.00',
      budgetVarianceCost: '1500.00',
      budgetVarianceRevenue: '300.00',
      budgetUtilization: '0.700000',
      totalTokensProcessed: 1_000_000,
      totalRequestsServed: 2000,
      activeUsersCount: 3,
    });
  });

  it('keeps money exact and nulls ratios whose divisor is zero', () => {
    const figures = pnlFigures('EUR', facts({ costs: { other: '0.123456' } }), null);
    expect(figures).toMatchObject({
      totalCosts: '0.123456',
      totalRevenues: '0.00',
      grossProfit: '0.00',
      netProfit: '-0.123456',
      profitMargin: null,
      roi: '-1.000000',
      costPerToken: null,
      revenuePerUser: null,
      costSavingsRatio: '0.000000',
      budgetTotal: null,
      budgetVarianceCost: null,
      budgetVarianceRevenue: null,
      budgetUtilization: null,
    });
    const empty = pnlFigures('EUR', emptyFacts(), { total: '0' });
    expect(empty).toMatchObject({
      totalCosts: '0.00',
      roi: null,
      costSavingsRatio: null,
      budgetTotal: '0.00',
      budgetVarianceCost: '0.00',
      budgetVarianceRevenue: null,
      budgetUtilization: null,
    });
  });

  it('refuses a bad currency and malformed amounts', () => {
    expect(() => pnlFigures('usd', emptyFacts(), null)).toThrow('"usd" is not a currency code');
    expect(() => pnlFigures('USD', facts({ costs: { power: '1,5' } }), null)).toThrow(
      /is not a decimal amount/,
    );
  });
});

describe('addFacts / mergeMonths', () => {
  const oct = facts({
    costs: { hardware: '10.5' },
    revenues: { membership: '1' },
    tokens: 10,
    requests: 1,
    activeUsers: 5,
  });
  const nov = facts({ costs: { hardware: '0.25', power: '1' }, tokens: 20, requests: 2, activeUsers: 9 });
  const dec = facts({ revenues: { membership: '2.005' }, tokens: 30, requests: 3, activeUsers: 7 });

  it('addFacts sums everything, active users included', () => {
    expect(addFacts(oct, nov)).toEqual({
      costs: { hardware: '10.75', power: '1.00' },
      revenues: { membership: '1.00' },
      tokens: 30,
      requests: 3,
      activeUsers: 14,
    });
  });

  it('mergeMonths sums money and usage but takes the largest monthly user count', () => {
    expect(mergeMonths([oct, nov, dec])).toEqual({
      costs: { hardware: '10.75', power: '1.00' },
      revenues: { membership: '3.005' },
      tokens: 60,
      requests: 6,
      activeUsers: 9,
    });
    expect(mergeMonths([])).toEqual(emptyFacts());
  });
});

describe('consolidate', () => {
  // r ─┬─ a ── a1
  //    └─ b
  const centers = [
    { id: 'r', parentId: null },
    { id: 'a', parentId: 'r' },
    { id: 'b', parentId: 'r' },
    { id: 'a1', parentId: 'a' },
  ];
  const own = new Map<string, MonthFacts>([
    ['r', facts({ costs: { hardware: '100.00' }, tokens: 1000, activeUsers: 1 })],
    [
      'a',
      facts({ costs: { hardware: '10.10' }, revenues: { membership: '50' }, tokens: 200, activeUsers: 2 }),
    ],
    [
      'a1',
      facts({ costs: { hardware: '0.01', cloud_fallback: '3.33' }, tokens: 30, requests: 4, activeUsers: 3 }),
    ],
  ]);

  it('adds each subtree to the cent; centers without facts count as zero', () => {
    const result = consolidate(centers, own, new Map());
    expect(result.get('a1')!.facts).toEqual(own.get('a1'));
    expect(result.get('b')!.facts).toEqual(emptyFacts());
    expect(result.get('a')!.facts).toEqual({
      costs: { hardware: '10.11', cloud_fallback: '3.33' },
      revenues: { membership: '50.00' },
      tokens: 230,
      requests: 4,
      activeUsers: 5,
    });
    expect(result.get('r')!.facts).toEqual({
      costs: { hardware: '110.11', cloud_fallback: '3.33' },
      revenues: { membership: '50.00' },
      tokens: 1230,
      requests: 4,
      activeUsers: 6,
    });
    // The consolidated root's P&L equals its own plus its children's, to the cent.
    expect(pnlFigures('USD', result.get('r')!.facts, null)).toMatchObject({
      totalCosts: '113.44',
      netProfit: '-63.44',
      grossProfit: '-63.44',
    });
    expect([...result.values()].every((v) => v.budget === null)).toBe(true);
  });

  it("takes a center's own budget, otherwise the sum of its children's", () => {
    const budgets = new Map([
      ['r', null],
      ['a', { total: '500' }],
      ['a1', { total: '100', revenueTarget: '20' }],
      ['b', { total: '250.25', revenueTarget: '10' }],
    ]);
    const result = consolidate(centers, own, budgets);
    expect(result.get('a1')!.budget).toEqual({ total: '100.00', revenueTarget: '20.00' });
    // a has its own budget: it covers its subtree, so a1's is not added.
    expect(result.get('a')!.budget).toEqual({ total: '500.00' });
    expect(result.get('b')!.budget).toEqual({ total: '250.25', revenueTarget: '10.00' });
    expect(result.get('r')!.budget).toEqual({ total: '750.25', revenueTarget: '10.00' });
  });

  it('sums budgets through levels without their own', () => {
    const result = consolidate(
      centers,
      new Map(),
      new Map([
        ['a1', { total: '40' }],
        ['b', { total: '2.5' }],
      ]),
    );
    expect(result.get('a')!.budget).toEqual({ total: '40.00' });
    expect(result.get('r')!.budget).toEqual({ total: '42.50' });
  });
});

describe('budgetForPeriod', () => {
  const budget = (
    periodType: BudgetLike['periodType'],
    budgetPeriod: number,
    totalBudget: string,
    extra = {},
  ) => ({
    budgetYear: 2026,
    periodType,
    budgetPeriod,
    totalBudget,
    ...extra,
  });
  const budgets: BudgetLike[] = [
    budget('month', 1, '100'),
    budget('month', 2, '200', { revenueTarget: '50' }),
    budget('quarter', 2, '900'),
    budget('month', 4, '300'),
    budget('month', 7, '10'),
    { ...budget('month', 1, '999'), budgetYear: 2025 },
  ];

  it('takes the budget of exactly the period', () => {
    expect(budgetForPeriod(budgets, { type: 'month', year: 2026, quarter: 1, month: 1 })).toEqual({
      total: '100.00',
    });
    expect(budgetForPeriod(budgets, { type: 'month', year: 2026, month: 2 })).toEqual({
      total: '200.00',
      revenueTarget: '50.00',
    });
    expect(budgetForPeriod(budgets, { type: 'month', year: 2026, month: 3 })).toBeNull();
    expect(budgetForPeriod(budgets, { type: 'month', year: 2025, month: 1 })).toEqual({ total: '999.00' });
    // A quarterly budget is not split into months.
    expect(budgetForPeriod(budgets, { type: 'month', year: 2026, month: 5 })).toBeNull();
  });

  it('sums monthly budgets for a quarter without its own', () => {
    expect(budgetForPeriod(budgets, { type: 'quarter', year: 2026, quarter: 1 })).toEqual({
      total: '300.00',
      revenueTarget: '50.00',
    });
    // Q2 has its own budget: the April budget is inside it, not added to it.
    expect(budgetForPeriod(budgets, { type: 'quarter', year: 2026, quarter: 2 })).toEqual({
      total: '900.00',
    });
    expect(budgetForPeriod(budgets, { type: 'quarter', year: 2026, quarter: 3 })).toEqual({ total: '10.00' });
    expect(budgetForPeriod(budgets, { type: 'quarter', year: 2026, quarter: 4 })).toBeNull();
  });

  it('builds a year from quarterly budgets, and monthly ones where a quarter has none', () => {
    // Q1 months 100 + 200, Q2 900 (not + 300), Q3 July 10, Q4 nothing.
    expect(budgetForPeriod(budgets, { type: 'year', year: 2026 })).toEqual({
      total: '1210.00',
      revenueTarget: '50.00',
    });
    expect(budgetForPeriod([...budgets, budget('year', 1, '5000')], { type: 'year', year: 2026 })).toEqual({
      total: '5000.00',
    });
    expect(budgetForPeriod(budgets, { type: 'year', year: 2027 })).toBeNull();
    expect(budgetForPeriod([], { type: 'year', year: 2026 })).toBeNull();
  });

  it('refuses a malformed period', () => {
    expect(() => budgetForPeriod(budgets, { type: 'quarter', year: 2026, quarter: 5 })).toThrow(
      /quarter must be/,
    );
  });
});
