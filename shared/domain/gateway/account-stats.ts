/**
 * An AI account's statistics and 24-hour picture (the seed's AiServiceAccount statistics and
 * account details), computed from its metering aggregates. Pure: the use case reads the
 * aggregates; money stays an exact decimal string per currency.
 */
import Decimal from 'decimal.js';
import type { AggregateFigures } from './usage-stats';

/** The aggregate fields these figures are built from (a UsageAggregate satisfies it). */
export type AccountAggregate = AggregateFigures & { lastRequestAt: string | null };

const HOUR_MS = 3_600_000;

/** `2026-11-24T13`: the hour period key of an instant (UTC), as metering writes it. */
export const hourOf = (at: Date): string => at.toISOString().slice(0, 13);

/** The 24 hour periods ending with the one `now` falls in, oldest first. */
export const last24Hours = (now: Date): string[] =>
  Array.from({ length: 24 }, (_, i) => hourOf(new Date(now.getTime() - (23 - i) * HOUR_MS)));

/** Exact per-currency sum; currencies that sum to nothing still appear (they were recorded). */
export const sumCosts = (costs: readonly Record<string, string>[]): Record<string, string> => {
  const total = new Map<string, Decimal>();
  for (const cost of costs)
    for (const [currency, amount] of Object.entries(cost))
      total.set(currency, (total.get(currency) ?? new Decimal(0)).plus(amount));
  return Object.fromEntries([...total].map(([currency, amount]) => [currency, amount.toFixed()]));
};

const latest = (values: readonly (string | null)[]): string | null =>
  values.reduce<string | null>((max, v) => (v !== null && (max === null || v > max) ? v : max), null);

export interface AccountStats {
  totalRequests: number;
  totalTokens: number;
  totalCost: string;
  currency: string;
  costByCurrency: Record<string, string>;
  lastUsedAt: string | null;
  currentLoad: number;
  currentLoadHour: string;
}

/**
 * All-time figures from the account's monthly aggregates (every month it was used), and the
 * current load from the aggregate of the current hour (absent when it served nothing yet).
 */
export const accountStats = (
  account: { currency: string },
  monthly: readonly AccountAggregate[],
  currentHour: { period: string; aggregate: Pick<AccountAggregate, 'requests'> | undefined },
): AccountStats => {
  const costByCurrency = sumCosts(monthly.map((m) => m.cost));
  return {
    totalRequests: monthly.reduce((s, m) => s + m.requests, 0),
    totalTokens: monthly.reduce((s, m) => s + m.promptTokens + m.completionTokens, 0),
    totalCost: costByCurrency[account.currency] ?? '0',
    currency: account.currency,
    costByCurrency,
    lastUsedAt: latest(monthly.map((m) => m.lastRequestAt)),
    currentLoad: currentHour.aggregate?.requests ?? 0,
    currentLoadHour: currentHour.period,
  };
};

/** One entry per hour of `hours`, zeros for hours without an aggregate. */
export const hourlySeries = (hours: readonly string[], aggregates: readonly AccountAggregate[]) => {
  const byHour = new Map(aggregates.map((a) => [a.period, a]));
  return hours.map((hour) => {
    const a = byHour.get(hour);
    return {
      hour,
      requests: a?.requests ?? 0,
      errors: a?.errors ?? 0,
      tokens: a ? a.promptTokens + a.completionTokens : 0,
      cost: a ? sumCosts([a.cost]) : {},
    };
  });
};

/** Latency and outcome over some aggregates; rates are 0–1, all zero when there were no calls. */
export const performance = (aggregates: readonly AccountAggregate[]) => {
  const requests = aggregates.reduce((s, a) => s + a.requests, 0);
  const errors = aggregates.reduce((s, a) => s + a.errors, 0);
  const latency = aggregates.reduce((s, a) => s + a.latencyMsTotal, 0);
  return {
    requests,
    averageResponseTime: requests ? Math.round(latency / requests) : 0,
    successRate: requests ? (requests - errors) / requests : 0,
    errorRate: requests ? errors / requests : 0,
  };
};
