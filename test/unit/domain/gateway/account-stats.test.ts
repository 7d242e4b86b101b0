/** An AI account's stats and 24-hour figures from its metering aggregates (pure). */
import { describe, expect, it } from 'vitest';
import {
  accountStats,
  hourlySeries,
  last24Hours,
  performance,
  sumCosts,
  type AccountAggregate,
} from '../../../../shared/domain/gateway/account-stats';

const agg = (period: string, over: Partial<AccountAggregate> = {}): AccountAggregate => ({
  period,
  requests: 0,
  errors: 0,
  promptTokens: 0,
  completionTokens: 0,
  latencyMsTotal: 0,
  cost: {},
  lastRequestAt: null,
  ...over,
});

describe('account stats', () => {
  it('sums every month exactly, per currency, and takes the latest request time', () => {
    const months = [
      agg('2026-10', {
        requests: 3,
        promptTokens: 10,
        completionTokens: 5,
        cost: { USD: '0.1' },
        lastRequestAt: '2026-10-31T23:59:59.000Z',
      }),
      agg('2026-11', {
        requests: 2,
        promptTokens: 7,
        completionTokens: 1,
        cost: { USD: '0.2', EUR: '0.05' },
        lastRequestAt: '2026-11-24T13:05:00.000Z',
      }),
      // An aggregate written before lastRequestAt existed.
      agg('2026-09', { requests: 1, cost: { USD: '0.000000000000000001' } }),
    ];
    expect(
      accountStats({ currency: 'USD' }, months, {
        period: '2026-11-24T13',
        aggregate: { requests: 4 },
      }),
    ).toEqual({
      totalRequests: 6,
      totalTokens: 23,
      totalCost: '0.300000000000000001',
      currency: 'USD',
      costByCurrency: { USD: '0.300000000000000001', EUR: '0.05' },
      lastUsedAt: '2026-11-24T13:05:00.000Z',
      currentLoad: 4,
      currentLoadHour: '2026-11-24T13',
    });
  });

  it('is all zeros for an account never used, and "0" in its currency when it only spent others', () => {
    expect(accountStats({ currency: 'CNY' }, [], { period: '2026-11-24T13', aggregate: undefined })).toEqual({
      totalRequests: 0,
      totalTokens: 0,
      totalCost: '0',
      currency: 'CNY',
      costByCurrency: {},
      lastUsedAt: null,
      currentLoad: 0,
      currentLoadHour: '2026-11-24T13',
    });
    const usdOnly = accountStats({ currency: 'CNY' }, [agg('2026-11', { requests: 1, cost: { USD: '1' } })], {
      period: '2026-11-24T13',
      aggregate: undefined,
    });
    expect(usdOnly).toMatchObject({ totalCost: '0', costByCurrency: { USD: '1' } });
  });

  it('covers the 24 hours up to the current one, across a day and month boundary', () => {
    const hours = last24Hours(new Date('2026-12-01T05:30:00.000Z'));
    expect(hours).toHaveLength(24);
    expect(hours[0]).toBe('2026-11-30T06');
    expect(hours[23]).toBe('2026-12-01T05');
    expect(new Set(hours).size).toBe(24);
  });

  it('zero-fills idle hours and computes performance over the window', () => {
    const hours = ['2026-11-24T12', '2026-11-24T13'];
    const aggregates = [
      agg('2026-11-24T13', {
        requests: 4,
        errors: 1,
        promptTokens: 30,
        completionTokens: 10,
        latencyMsTotal: 1001,
        cost: { USD: '0.10' },
      }),
    ];
    expect(hourlySeries(hours, aggregates)).toEqual([
      { hour: '2026-11-24T12', requests: 0, errors: 0, tokens: 0, cost: {} },
      { hour: '2026-11-24T13', requests: 4, errors: 1, tokens: 40, cost: { USD: '0.1' } },
    ]);
    expect(performance(aggregates)).toEqual({
      requests: 4,
      averageResponseTime: 250,
      successRate: 0.75,
      errorRate: 0.25,
    });
    expect(performance([])).toEqual({ requests: 0, averageResponseTime: 0, successRate: 0, errorRate: 0 });
    expect(sumCosts([{ USD: '0.1' }, { USD: '0.2' }])).toEqual({ USD: '0.3' });
  });
});
