import { describe, expect, it } from 'vitest';
import {
  isoWeek,
  periodStats,
  storedPeriods,
  summary,
  type AggregateFigures,
} from '../../../../shared/domain/gateway/usage-stats';

const fig = (
  period: string,
  requests: number,
  cost: string,
  over: Partial<AggregateFigures> = {},
): AggregateFigures => ({
  period,
  requests,
  errors: 0,
  promptTokens: requests * 10,
  completionTokens: requests * 5,
  latencyMsTotal: requests * 100,
  cost: { USD: cost },
  ...over,
});

describe('usage stats', () => {
  it('knows ISO weeks, including year boundaries', () => {
    expect(isoWeek('2026-11-24')).toBe('2026-W48');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });

  it('lists stored periods and refuses oversized or inverted ranges', () => {
    expect(storedPeriods('2026-11-30', '2026-12-01', 'day')).toEqual({
      periods: ['2026-11-30', '2026-12-01'],
      months: ['2026-11', '2026-12'],
    });
    expect(storedPeriods('2026-11-24', '2026-11-24', 'hour').periods).toHaveLength(24);
    expect(() => storedPeriods('2026-11-01', '2026-11-30', 'hour')).toThrow(/at most 7 days/);
    expect(() => storedPeriods('2026-11-02', '2026-11-01', 'day')).toThrow(/before/);
    expect(() => storedPeriods('nope', '2026-11-01', 'day')).toThrow(/YYYY-MM-DD/);
  });

  it('rolls days into weeks with exact costs, rates and a breakdown', () => {
    const totals = [
      fig('2026-11-23', 2, '0.1'),
      fig('2026-11-24', 1, '0.2', { errors: 1 }),
      fig('2026-11-30', 4, '0.000001'),
    ];
    const byService = new Map([
      ['openai', [fig('2026-11-23', 2, '0.1'), fig('2026-11-24', 1, '0.2', { errors: 1 })]],
      ['claude', [fig('2026-11-30', 4, '0.000001')]],
    ]);
    const stats = periodStats(totals, byService, 'week');
    expect(stats.map((s) => s.period)).toEqual(['2026-W48', '2026-W49']);
    expect(stats[0]).toMatchObject({
      totalRequests: 3,
      totalTokens: 45,
      totalCost: { USD: '0.3' },
      averageResponseTime: 100,
    });
    expect(stats[0]!.successRate).toBeCloseTo(2 / 3);
    expect(stats[0]!.breakdown).toEqual([
      { serviceType: 'openai', requests: 3, tokens: 45, cost: { USD: '0.3' } },
    ]);
    const s = summary(
      stats,
      [
        { model: 'gpt-4o', tokens: 10 },
        { model: 'claude-sonnet-4', tokens: 30 },
        { model: 'gpt-4o', tokens: 25 },
      ],
      [
        fig('2026-11-24T09', 5, '0'),
        fig('2026-11-25T09', 5, '0'),
        fig('2026-11-24T14', 7, '0'),
        fig('2026-11-24T03', 1, '0'),
      ],
    );
    expect(s).toEqual({
      totalCost: { USD: '0.300001' },
      topModels: ['gpt-4o', 'claude-sonnet-4'],
      peakHours: [9, 14, 3],
    });
  });
});
