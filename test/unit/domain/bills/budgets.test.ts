import { describe, expect, it } from 'vitest';
import {
  budgetActual,
  budgetAlertKey,
  budgetUtilization,
  costBudgetSchema,
  monthEndForecast,
} from '../../../../shared/domain/bills/budgets';
import type { CostBudget } from '../../../../shared/domain/bills/budgets';
import { normalizeBillLine } from '../../../../shared/domain/bills/normalize';
import { SnapshotRollup } from '../../../../shared/domain/bills/snapshots';
import type { CloudProvider } from '../../../../shared/domain/bills/types';
import { DomainError } from '../../../../shared/domain/errors';
import { decimal } from '../../../../shared/domain/money';

const budget = (fields: Partial<CostBudget> = {}): CostBudget => ({
  budgetId: 'b-1',
  enterpriseId: 'ent-1',
  scopeType: 'all',
  scopeKey: 'all',
  currency: 'USD',
  budgetAmount: '1000',
  alertThresholds: [50, 80, 100],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...fields,
});

const marchSnapshots = () => {
  const rollup = new SnapshotRollup('2026-03', 'USD');
  const lines: Array<[CloudProvider, string, string | undefined]> = [
    ['aws', '300.25', 'apollo'],
    ['aws', '99.75', undefined],
    ['gcp', '150', 'apollo'],
    ['gcp', '50.5', 'gemini'],
    ['aliyun', '-20', 'mercury'],
  ];
  lines.forEach(([provider, amount, project], index) =>
    rollup.add(
      normalizeBillLine(
        {
          sourceKey: `l-${index}`,
          billingDate: '2026-03-03',
          originalServiceName: 'Compute',
          currency: 'USD',
          amount,
          tags: project ? { project } : {},
          rawPayload: {},
        },
        {
          enterpriseId: 'ent-1',
          provider,
          cloudAccountId: `${provider}-acc`,
          periodMonth: '2026-03',
          reportingCurrency: 'USD',
          rates: {},
          projectTagKeys: ['project'],
        },
      ),
    ),
  );
  return rollup.snapshots();
};

describe('costBudgetSchema', () => {
  it('accepts a seed-shaped budget and refuses non-positive or non-decimal amounts', () => {
    expect(costBudgetSchema.parse(budget())).toEqual(budget());
    expect(costBudgetSchema.safeParse(budget({ budgetAmount: '0' })).success).toBe(false);
    expect(costBudgetSchema.safeParse(budget({ budgetAmount: '-5' })).success).toBe(false);
    expect(costBudgetSchema.safeParse(budget({ budgetAmount: '1e3' })).success).toBe(false);
    expect(costBudgetSchema.safeParse(budget({ currency: 'usd' })).success).toBe(false);
    expect(costBudgetSchema.safeParse(budget({ alertThresholds: [0] })).success).toBe(false);
    expect(costBudgetSchema.safeParse({ ...budget(), scopeType: 'team' }).success).toBe(false);
  });
});

describe('budgetActual', () => {
  const snapshots = marchSnapshots();

  it('reads the scope total of all, a provider and a project', () => {
    expect(budgetActual(budget(), snapshots).toFixed()).toBe('580.5');
    expect(budgetActual(budget({ scopeType: 'provider', scopeKey: 'aws' }), snapshots).toFixed()).toBe('400');
    expect(budgetActual(budget({ scopeType: 'project', scopeKey: 'apollo' }), snapshots).toFixed()).toBe(
      '450.25',
    );
    expect(budgetActual(budget({ scopeType: 'project', scopeKey: '(untagged)' }), snapshots).toFixed()).toBe(
      '99.75',
    );
  });

  it('sums the projects a department owns, credits included', () => {
    const departments = { research: ['apollo', 'mercury', 'not-billed'], ops: [] };
    expect(
      budgetActual(
        budget({ scopeType: 'department', scopeKey: 'research' }),
        snapshots,
        departments,
      ).toFixed(),
    ).toBe('430.25');
    expect(
      budgetActual(budget({ scopeType: 'department', scopeKey: 'ops' }), snapshots, departments).toFixed(),
    ).toBe('0');
  });

  it('refuses a department without a mapping and a scope key that is no provider', () => {
    expect(() => budgetActual(budget({ scopeType: 'department', scopeKey: 'sales' }), snapshots, {})).toThrow(
      'Department "sales" has no project mapping',
    );
    expect(() =>
      budgetActual(budget({ scopeType: 'department', scopeKey: 'toString' }), snapshots, { ops: [] }),
    ).toThrow(DomainError);
    expect(() => budgetActual(budget({ scopeType: 'provider', scopeKey: 'azure' }), snapshots)).toThrow(
      DomainError,
    );
  });

  it('is zero for a scope without spend', () => {
    expect(budgetActual(budget({ scopeType: 'provider', scopeKey: 'tencent' }), snapshots).toFixed()).toBe(
      '0',
    );
    expect(budgetActual(budget(), []).toFixed()).toBe('0');
  });

  it('refuses a budget in another currency than the reporting currency', () => {
    expect(() => budgetActual(budget({ currency: 'CNY' }), snapshots)).toThrow(
      'Budget b-1 is in CNY but costs are reported in USD',
    );
  });
});

describe('monthEndForecast', () => {
  it('projects the pace of the elapsed days to the month end', () => {
    // 10 whole days of March have ended.
    expect(monthEndForecast(decimal('310'), '2026-03', new Date('2026-03-11T08:00:00Z'))?.toFixed()).toBe(
      '961',
    );
    expect(monthEndForecast(decimal('-31'), '2026-03', new Date('2026-03-11T08:00:00Z'))?.toFixed()).toBe(
      '-96.1',
    );
    // Leap February: 29 days.
    expect(monthEndForecast(decimal('100'), '2024-02', new Date('2024-02-11T00:00:00Z'))?.toFixed()).toBe(
      '290',
    );
  });

  it('multiplies before dividing, keeping 40 significant digits of a repeating quotient', () => {
    const forecast = monthEndForecast(decimal('100'), '2026-03', new Date('2026-03-04T00:00:00Z'))!;
    expect(forecast.toFixed()).toBe('1033.333333333333333333333333333333333333');
    expect(forecast.times(3).toDecimalPlaces(30).toFixed()).toBe('3100');
  });

  it('has no forecast before a whole day has passed and equals the actual once the month is over', () => {
    expect(monthEndForecast(decimal('5'), '2026-03', new Date('2026-03-01T23:00:00Z'))).toBeNull();
    expect(monthEndForecast(decimal('5'), '2026-03', new Date('2026-02-20T00:00:00Z'))).toBeNull();
    expect(monthEndForecast(decimal('123.45'), '2026-03', new Date('2026-04-02T00:00:00Z'))?.toFixed()).toBe(
      '123.45',
    );
  });
});

describe('budgetUtilization', () => {
  it('reports the share, the remainder and the thresholds reached', () => {
    expect(budgetUtilization(budget(), decimal('800'), decimal('1240'))).toEqual({
      actual: '800',
      forecast: '1240',
      utilizationPercent: '80.00',
      remaining: '200',
      crossedThresholds: [50, 80],
      overBudget: false,
      forecastOverBudget: true,
    });
  });

  it('compares thresholds exactly, not through the rounded percent', () => {
    const justBelow = budgetUtilization(budget(), decimal('799.9999'), null);
    expect(justBelow.utilizationPercent).toBe('80.00');
    expect(justBelow.crossedThresholds).toEqual([50]);
    expect(justBelow.forecast).toBeNull();
    expect(justBelow.forecastOverBudget).toBe(false);
  });

  it('goes past 100 % with a negative remainder, thresholds sorted and unique', () => {
    const over = budgetUtilization(
      budget({ alertThresholds: [120, 50, 100, 50, 80.5] }),
      decimal('1200.01'),
      null,
    );
    expect(over).toMatchObject({
      utilizationPercent: '120.00',
      remaining: '-200.01',
      crossedThresholds: [50, 80.5, 100, 120],
      overBudget: true,
    });
    expect(budgetUtilization(budget(), decimal('1000'), null).overBudget).toBe(true);
  });

  it('crosses nothing with net credits', () => {
    expect(budgetUtilization(budget(), decimal('-15'), decimal('-40'))).toMatchObject({
      utilizationPercent: '-1.50',
      remaining: '1015',
      crossedThresholds: [],
      overBudget: false,
      forecastOverBudget: false,
    });
  });

  it('refuses a budget that is not positive', () => {
    expect(() => budgetUtilization(budget({ budgetAmount: '0' }), decimal('1'), null)).toThrow(DomainError);
  });
});

describe('budgetAlertKey', () => {
  it('names the budget, period and threshold', () => {
    expect(budgetAlertKey('b-1', '2026-03', 80)).toBe('budget#b-1#2026-03#80');
  });
});
