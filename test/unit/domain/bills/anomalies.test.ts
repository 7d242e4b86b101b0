import { describe, expect, it } from 'vitest';
import {
  anomalyConfigSchema,
  budgetOverruns,
  dailySpikes,
  defaultAnomalyConfig,
  detectAnomalies,
  monthOverMonthSpikes,
  untaggedCosts,
} from '../../../../shared/domain/bills/anomalies';
import { budgetActual, budgetUtilization, monthEndForecast } from '../../../../shared/domain/bills/budgets';
import type { CostBudget } from '../../../../shared/domain/bills/budgets';
import { normalizeBillLine } from '../../../../shared/domain/bills/normalize';
import { SnapshotRollup, previousAmounts } from '../../../../shared/domain/bills/snapshots';
import type {
  DailyCost,
  DimensionType,
  MonthlyCostSnapshot,
  SnapshotProvider,
} from '../../../../shared/domain/bills/snapshots';
import type { CloudProvider } from '../../../../shared/domain/bills/types';
import { decimal } from '../../../../shared/domain/money';

const snapshot = (
  totalAmount: string,
  previousAmount: string | null,
  fields: { provider?: SnapshotProvider; dimensionType?: DimensionType; dimensionKey?: string } = {},
): MonthlyCostSnapshot => ({
  periodMonth: '2026-03',
  provider: fields.provider ?? 'aws',
  dimensionType: fields.dimensionType ?? 'service',
  dimensionKey: fields.dimensionKey ?? 'compute',
  currency: 'USD',
  totalAmount,
  previousAmount,
  changeAmount:
    previousAmount === null ? null : decimal(totalAmount).minus(decimal(previousAmount)).toFixed(),
  changeRate: null,
  itemCount: 1,
  originalAmounts: { USD: totalAmount },
});

describe('anomaly config', () => {
  it('has documented defaults', () => {
    expect(defaultAnomalyConfig).toEqual({
      spike: {
        minChangeRatePercent: '30',
        minChangeAmount: '100',
        mediumChangeRatePercent: '50',
        highChangeRatePercent: '100',
        highAmountMultiple: '10',
        dimensionTypes: ['provider', 'account', 'project', 'service', 'region'],
      },
      dailySpike: {
        factor: '2',
        minIncreaseAmount: '100',
        mediumFactor: '3',
        highFactor: '4',
        highAmountMultiple: '10',
        baselineDays: 7,
        minHistoryDays: 3,
      },
      untaggedCost: { minSharePercent: '10', mediumSharePercent: '20', highSharePercent: '40' },
    });
  });

  it('fills what an override leaves out and refuses floats-as-numbers and inconsistent windows', () => {
    const config = anomalyConfigSchema.parse({ spike: { minChangeAmount: '500' } });
    expect(config.spike.minChangeAmount).toBe('500');
    expect(config.spike.minChangeRatePercent).toBe('30');
    expect(config.dailySpike).toEqual(defaultAnomalyConfig.dailySpike);
    expect(anomalyConfigSchema.safeParse({ spike: { minChangeAmount: 100 } }).success).toBe(false);
    expect(anomalyConfigSchema.safeParse({ spike: { minChangeAmount: '-1' } }).success).toBe(false);
    expect(anomalyConfigSchema.safeParse({ dailySpike: { baselineDays: 2 } }).success).toBe(false);
  });
});

describe('monthOverMonthSpikes', () => {
  it('flags a rise of at least 30 % and 100, exactly at the boundary', () => {
    const [finding, ...rest] = monthOverMonthSpikes([snapshot('433.33', '333.33')]);
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      anomalyType: 'spike',
      periodMonth: '2026-03',
      provider: 'aws',
      scopeKey: 'service:compute',
      severity: 'low',
      title: 'aws service compute cost rose 30.0% month over month (+100.00 USD)',
      evidence: {
        rule: 'month_over_month',
        dimensionType: 'service',
        dimensionKey: 'compute',
        currency: 'USD',
        totalAmount: '433.33',
        previousAmount: '333.33',
        changeAmount: '100',
        changeRate: null,
        thresholds: { minChangeRatePercent: '30', minChangeAmount: '100' },
      },
      dedupeKey: 'spike#aws#service:compute#2026-03',
    });
  });

  it('needs both the rate and the amount', () => {
    // 29.99 %: 100 on 333.45
    expect(monthOverMonthSpikes([snapshot('433.45', '333.45')])).toEqual([]);
    // 99.99 at 100 %
    expect(monthOverMonthSpikes([snapshot('199.98', '99.99')])).toEqual([]);
    // Falls are not spikes.
    expect(monthOverMonthSpikes([snapshot('100', '1000')])).toEqual([]);
  });

  it('grades severity by rate and by amount', () => {
    const severity = (total: string, previous: string) =>
      monthOverMonthSpikes([snapshot(total, previous)])[0]?.severity;
    expect(severity('1499.99', '1000')).toBe('low');
    expect(severity('1500', '1000')).toBe('medium');
    expect(severity('1999.99', '1000')).toBe('medium');
    expect(severity('2000', '1000')).toBe('high');
    // 35 % but 1000 up: ten times the minimum amount.
    expect(severity('3857.15', '2857.15')).toBe('high');
  });

  it('treats a rise from zero as unbounded and skips rows without a previous month', () => {
    const [fromZero] = monthOverMonthSpikes([snapshot('250', '0')]);
    expect(fromZero?.severity).toBe('high');
    expect(fromZero?.title).toBe('aws service compute cost rose from zero month over month (+250.00 USD)');
    expect(monthOverMonthSpikes([snapshot('5000', null)])).toEqual([]);
  });

  it('measures a rise from a net credit against its magnitude', () => {
    const [finding] = monthOverMonthSpikes([snapshot('100', '-200')]);
    expect(finding?.severity).toBe('high');
    expect(finding?.title).toContain('150.0%');
  });

  it('checks only the configured dimensions and keeps one finding per scope', () => {
    const rows = [
      snapshot('2000', '1000', { provider: 'all', dimensionType: 'provider', dimensionKey: 'all' }),
      snapshot('2000', '1000', { provider: 'all', dimensionType: 'region', dimensionKey: '(none)' }),
      snapshot('2000', '1000', { provider: 'gcp', dimensionType: 'project', dimensionKey: 'apollo' }),
    ];
    expect(monthOverMonthSpikes(rows).map((f) => f.dedupeKey)).toEqual([
      'spike#all#provider:all#2026-03',
      'spike#all#region:(none)#2026-03',
      'spike#gcp#project:apollo#2026-03',
    ]);
    const config = anomalyConfigSchema.parse({ spike: { dimensionTypes: ['provider'] } });
    expect(monthOverMonthSpikes(rows, config)).toHaveLength(1);
  });
});

const series = (amounts: string[], firstDay = 1, month = '2026-03'): DailyCost[] =>
  amounts.map((amount, index) => ({ date: `${month}-${String(firstDay + index).padStart(2, '0')}`, amount }));

describe('dailySpikes', () => {
  const week = ['100', '100', '100', '100', '100', '100', '100'];

  it('flags a day at twice its trailing 7-day mean and 100 above it', () => {
    const [finding] = dailySpikes('2026-03', [{ provider: 'aws', days: series([...week, '250']) }]);
    expect(finding).toEqual({
      anomalyType: 'spike',
      periodMonth: '2026-03',
      provider: 'aws',
      scopeKey: 'daily',
      severity: 'low',
      title: 'aws daily cost spiked on 2026-03-08: 250 against a trailing mean of 100.0000',
      evidence: {
        rule: 'daily',
        factor: '2',
        minIncreaseAmount: '100',
        days: [
          {
            date: '2026-03-08',
            amount: '250',
            baselineTotal: '700',
            baselineDays: 7,
            baselineMean: '100.0000',
            severity: 'low',
          },
        ],
      },
      dedupeKey: 'spike#aws#daily#2026-03',
    });
  });

  it('uses only the last 7 days and compares the mean exactly', () => {
    // The 9999 is eight days back, out of the window. 2 × 700.01 / 7 = 200.002857…: 200.0028 is not a spike, 200.0029 is.
    const history = ['9999', '100', '100', '100', '100', '100', '100', '100.01'];
    expect(dailySpikes('2026-03', [{ provider: 'aws', days: series([...history, '200.0028']) }])).toEqual([]);
    expect(
      dailySpikes('2026-03', [{ provider: 'aws', days: series([...history, '200.0029']) }]),
    ).toHaveLength(1);
  });

  it('grades by factor, and by amount over the minimum', () => {
    const severity = (amount: string, base = week, config = defaultAnomalyConfig) =>
      dailySpikes('2026-03', [{ provider: 'aws', days: series([...base, amount]) }], config)[0]?.severity;
    expect(severity('299.99')).toBe('low');
    expect(severity('300')).toBe('medium');
    expect(severity('400')).toBe('high');
    const big = ['1000', '1000', '1000'];
    // Only 2 × the mean, but 1000 above it: ten times the minimum increase.
    expect(severity('2000', big)).toBe('high');
    expect(
      severity('2000', big, anomalyConfigSchema.parse({ dailySpike: { minIncreaseAmount: '200' } })),
    ).toBe('low');
  });

  it('needs 3 days of history and an increase of at least the minimum amount', () => {
    expect(dailySpikes('2026-03', [{ provider: 'aws', days: series(['10', '10', '900']) }])).toEqual([]);
    expect(dailySpikes('2026-03', [{ provider: 'aws', days: series(['10', '10', '10', '109.99']) }])).toEqual(
      [],
    );
    expect(
      dailySpikes('2026-03', [{ provider: 'aws', days: series(['10', '10', '10', '110']) }]),
    ).toHaveLength(1);
    // A zero baseline: any day at least 100 is a spike.
    expect(
      dailySpikes('2026-03', [{ provider: 'gcp', days: series(['0', '0', '0', '100']) }])[0]?.severity,
    ).toBe('high');
  });

  it('judges the first days of a month against the end of the previous one, reporting only this month', () => {
    const days = [...series(['100', '100', '100', '500'], 25, '2026-02'), ...series(['500'], 1)];
    const [finding] = dailySpikes('2026-03', [{ provider: 'all', days }]);
    expect(finding?.evidence.days).toEqual([
      expect.objectContaining({ date: '2026-03-01', baselineDays: 4 }),
    ]);
  });

  it('folds all spiking days of a provider into one finding with the worst severity', () => {
    const days = series([...week, '250', '100', '500']);
    const findings = dailySpikes('2026-03', [
      { provider: 'aws', days },
      { provider: 'gcp', days: series(week) },
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.severity).toBe('high');
    expect(findings[0]?.title).toMatch(
      /^aws daily cost spiked on 2 days, worst 2026-03-10: 500 against a trailing mean of 121.4286$/,
    );
  });
});

const costBudget = (fields: Partial<CostBudget>): CostBudget => ({
  budgetId: 'b-1',
  enterpriseId: 'ent-1',
  scopeType: 'all',
  scopeKey: 'all',
  currency: 'USD',
  budgetAmount: '1000',
  alertThresholds: [80, 100],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...fields,
});

describe('budgetOverruns', () => {
  it('is high once the actual reaches the budget and medium when only the forecast does', () => {
    const over = costBudget({ scopeType: 'provider', scopeKey: 'aws', budgetId: 'b-aws' });
    const forecastOver = costBudget({ scopeType: 'project', scopeKey: 'apollo', budgetId: 'b-apollo' });
    const within = costBudget({ budgetId: 'b-all', budgetAmount: '100000' });
    const findings = budgetOverruns('2026-03', [
      { budget: over, utilization: budgetUtilization(over, decimal('1000'), decimal('3100')) },
      { budget: forecastOver, utilization: budgetUtilization(forecastOver, decimal('500'), decimal('1000')) },
      { budget: within, utilization: budgetUtilization(within, decimal('500'), decimal('1550')) },
    ]);
    expect(findings).toEqual([
      {
        anomalyType: 'budget_overrun',
        periodMonth: '2026-03',
        provider: 'aws',
        scopeKey: 'provider:aws:USD',
        severity: 'high',
        title: 'provider aws spent 100.00% of its 1000 USD budget',
        evidence: {
          budgetId: 'b-aws',
          budgetAmount: '1000',
          currency: 'USD',
          actual: '1000',
          forecast: '3100',
          utilizationPercent: '100.00',
          remaining: '0',
        },
        dedupeKey: 'budget_overrun#aws#provider:aws:USD#2026-03',
      },
      expect.objectContaining({
        provider: 'all',
        severity: 'medium',
        title: 'project apollo is forecast to exceed its 1000 USD budget',
        dedupeKey: 'budget_overrun#all#project:apollo:USD#2026-03',
      }),
    ]);
  });
});

describe('untaggedCosts', () => {
  const rows = (total: string, untagged: string, provider: SnapshotProvider = 'all') => [
    snapshot(total, null, { provider, dimensionType: 'provider', dimensionKey: provider }),
    snapshot(untagged, null, { provider, dimensionType: 'project', dimensionKey: '(untagged)' }),
  ];
  const severity = (total: string, untagged: string) => untaggedCosts(rows(total, untagged))[0]?.severity;

  it('flags an untagged share of at least 10 %, graded at 20 % and 40 %', () => {
    expect(severity('1000', '99.99')).toBeUndefined();
    expect(severity('1000', '100')).toBe('low');
    expect(severity('1000', '200')).toBe('medium');
    expect(severity('1000', '399.99')).toBe('medium');
    expect(severity('1000', '400')).toBe('high');
  });

  it('describes the share and amount, per provider', () => {
    const findings = untaggedCosts([...rows('3000', '450.5', 'tencent'), ...rows('1000', '0', 'gcp')]);
    expect(findings).toEqual([
      {
        anomalyType: 'untagged_cost',
        periodMonth: '2026-03',
        provider: 'tencent',
        scopeKey: 'project:(untagged)',
        severity: 'low',
        title: '15.0% of tencent cost (450.50 USD) has no project tag',
        evidence: {
          currency: 'USD',
          untaggedAmount: '450.5',
          totalAmount: '3000',
          sharePercent: '15.0167',
          untaggedItemCount: 1,
          minSharePercent: '10',
        },
        dedupeKey: 'untagged_cost#tencent#project:(untagged)#2026-03',
      },
    ]);
  });

  it('says nothing about a zero or negative total', () => {
    expect(untaggedCosts(rows('0', '50'))).toEqual([]);
    expect(untaggedCosts(rows('-10', '50'))).toEqual([]);
  });
});

describe('detectAnomalies', () => {
  const items = (periodMonth: string, lines: Array<[CloudProvider, string, string, string | undefined]>) =>
    lines.map(([provider, date, amount, project], index) =>
      normalizeBillLine(
        {
          sourceKey: `${periodMonth}-${index}`,
          billingDate: `${periodMonth}-${date}`,
          originalServiceName: provider === 'aws' ? 'Amazon Bedrock' : 'Compute Engine',
          currency: 'USD',
          amount,
          tags: project ? { project } : {},
          rawPayload: {},
        },
        {
          enterpriseId: 'ent-1',
          provider,
          cloudAccountId: `${provider}-acc`,
          periodMonth,
          reportingCurrency: 'USD',
          rates: {},
          projectTagKeys: ['project'],
        },
      ),
    );

  it('runs every rule over a period with unique dedupe keys', () => {
    const february = new SnapshotRollup('2026-02', 'USD');
    for (const i of items('2026-02', [
      ['aws', '10', '1000', 'apollo'],
      ['gcp', '10', '1000', 'apollo'],
    ]))
      february.add(i);

    const march = new SnapshotRollup('2026-03', 'USD');
    const daily: Array<[CloudProvider, string, string, string | undefined]> = [];
    for (let day = 1; day <= 9; day++) daily.push(['aws', String(day).padStart(2, '0'), '200', 'apollo']);
    daily.push(['aws', '10', '2000', undefined], ['gcp', '05', '900', 'apollo']);
    for (const i of items('2026-03', daily)) march.add(i);

    const snapshots = march.snapshots(previousAmounts(february.snapshots()));
    const budget = costBudget({ budgetAmount: '5000' });
    const actual = budgetActual(budget, snapshots);
    const now = new Date('2026-03-11T06:00:00Z');
    const findings = detectAnomalies({
      periodMonth: '2026-03',
      snapshots,
      dailyTotals: march.dailyTotals(),
      budgets: [
        { budget, utilization: budgetUtilization(budget, actual, monthEndForecast(actual, '2026-03', now)) },
      ],
    });

    const keys = findings.map((f) => f.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        'spike#all#provider:all#2026-03',
        'spike#aws#provider:aws#2026-03',
        'spike#aws#service:ai-ml#2026-03',
        'spike#aws#daily#2026-03',
        'budget_overrun#all#all:all:USD#2026-03',
        'untagged_cost#all#project:(untagged)#2026-03',
        'untagged_cost#aws#project:(untagged)#2026-03',
      ]),
    );
    // 4700 spent in 10 days of 31: forecast 14570 over a 5000 budget, the actual still under.
    expect(findings.find((f) => f.anomalyType === 'budget_overrun')?.severity).toBe('medium');
    expect(keys).not.toContain('spike#gcp#provider:gcp#2026-03');
    // Evidence is plain JSON: no decimal objects.
    expect(JSON.parse(JSON.stringify(findings))).toEqual(findings);
  });
});
