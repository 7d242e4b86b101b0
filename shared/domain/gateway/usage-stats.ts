/**
 * Usage statistics over a date range, from hour / day / month aggregates (the seed's
 * GetUsageStatsResponse): periods, their totals, a breakdown by serviceType, and a summary.
 * Money stays an exact decimal string per currency.
 */
import Decimal from 'decimal.js';
import { invalid } from '../errors';

export type StatsGranularity = 'hour' | 'day' | 'week' | 'month';

export interface AggregateFigures {
  period: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  latencyMsTotal: number;
  cost: Record<string, string>;
}

const DAY_MS = 86_400_000;
const MAX_DAYS: Record<StatsGranularity, number> = { hour: 7, day: 92, week: 92, month: 731 };

/** The stored granularity a requested one is built from. */
export const storedGranularity = (g: StatsGranularity): 'H' | 'D' | 'M' =>
  g === 'hour' ? 'H' : g === 'month' ? 'M' : 'D';

/** ISO week label, e.g. `2026-W48`, of a `YYYY-MM-DD` day. */
export const isoWeek = (day: string): string => {
  const date = new Date(`${day}T00:00:00Z`);
  // The ISO week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
};

/** Every stored period (hour, day or month) between two days inclusive, and the months they fall in. */
export const storedPeriods = (startDate: string, endDate: string, granularity: StatsGranularity) => {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  const end = Date.parse(`${endDate}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw invalid('startDate and endDate must be YYYY-MM-DD');
  if (end < start) throw invalid('endDate is before startDate');
  const days = (end - start) / DAY_MS + 1;
  if (days > MAX_DAYS[granularity])
    throw invalid(`A ${granularity} report covers at most ${MAX_DAYS[granularity]} days`);
  const periods = new Set<string>();
  for (let t = start; t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (granularity === 'hour')
      for (let h = 0; h < 24; h++) periods.add(`${day}T${String(h).padStart(2, '0')}`);
    else if (granularity === 'month') periods.add(day.slice(0, 7));
    else periods.add(day);
  }
  const months = [...new Set([...periods].map((p) => p.slice(0, 7)))];
  return { periods: [...periods], months };
};

/** The reported period a stored one belongs to (days roll up into ISO weeks). */
export const reportPeriod = (stored: string, granularity: StatsGranularity): string =>
  granularity === 'week' ? isoWeek(stored) : stored;

export interface PeriodStats {
  period: string;
  totalRequests: number;
  totalTokens: number;
  totalCost: Record<string, string>;
  averageResponseTime: number;
  successRate: number;
  breakdown: { serviceType: string; requests: number; tokens: number; cost: Record<string, string> }[];
}

const addCost = (into: Record<string, Decimal>, cost: Record<string, string>) => {
  for (const [currency, amount] of Object.entries(cost))
    into[currency] = (into[currency] ?? new Decimal(0)).plus(amount);
};
const costStrings = (cost: Record<string, Decimal>) =>
  Object.fromEntries(Object.entries(cost).map(([c, d]) => [c, d.toFixed()]));

interface Accumulator {
  requests: number;
  errors: number;
  tokens: number;
  latency: number;
  cost: Record<string, Decimal>;
}
const empty = (): Accumulator => ({ requests: 0, errors: 0, tokens: 0, latency: 0, cost: {} });
const accumulate = (acc: Accumulator, f: AggregateFigures) => {
  acc.requests += f.requests;
  acc.errors += f.errors;
  acc.tokens += f.promptTokens + f.completionTokens;
  acc.latency += f.latencyMsTotal;
  addCost(acc.cost, f.cost);
};

/** Rolls stored aggregates up into reported periods, with the serviceType breakdown. */
export const periodStats = (
  totals: readonly AggregateFigures[],
  byServiceType: ReadonlyMap<string, readonly AggregateFigures[]>,
  granularity: StatsGranularity,
): PeriodStats[] => {
  const periods = new Map<string, { total: Accumulator; services: Map<string, Accumulator> }>();
  const slot = (stored: string) => {
    const key = reportPeriod(stored, granularity);
    let entry = periods.get(key);
    if (!entry) periods.set(key, (entry = { total: empty(), services: new Map() }));
    return entry;
  };
  for (const f of totals) accumulate(slot(f.period).total, f);
  for (const [serviceType, figures] of byServiceType) {
    for (const f of figures) {
      const services = slot(f.period).services;
      const acc = services.get(serviceType) ?? empty();
      accumulate(acc, f);
      services.set(serviceType, acc);
    }
  }
  return [...periods]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, { total, services }]) => ({
      period,
      totalRequests: total.requests,
      totalTokens: total.tokens,
      totalCost: costStrings(total.cost),
      averageResponseTime: total.requests ? Math.round(total.latency / total.requests) : 0,
      successRate: total.requests ? (total.requests - total.errors) / total.requests : 0,
      breakdown: [...services].map(([serviceType, acc]) => ({
        serviceType,
        requests: acc.requests,
        tokens: acc.tokens,
        cost: costStrings(acc.cost),
      })),
    }));
};

/** The summary: total cost, the most used models (by tokens), and the busiest hours of the day (UTC). */
export const summary = (
  stats: readonly PeriodStats[],
  models: readonly { model: string; tokens: number }[],
  hourly: readonly AggregateFigures[],
) => {
  const total: Record<string, Decimal> = {};
  for (const s of stats) addCost(total, s.totalCost);
  const tokensByModel = new Map<string, number>();
  for (const m of models) tokensByModel.set(m.model, (tokensByModel.get(m.model) ?? 0) + m.tokens);
  const requestsByHour = new Map<number, number>();
  for (const h of hourly) {
    const hour = Number(h.period.slice(11, 13));
    requestsByHour.set(hour, (requestsByHour.get(hour) ?? 0) + h.requests);
  }
  return {
    totalCost: costStrings(total),
    topModels: [...tokensByModel]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([model]) => model),
    peakHours: [...requestsByHour]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 3)
      .map(([hour]) => hour),
  };
};
