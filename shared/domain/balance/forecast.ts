/**
 * Depletion forecast (seed 002 "trend analysis"): how fast a balance is being consumed and when it
 * reaches zero at that pace. Consumption counts only the drops between consecutive readings, so a
 * top-up in the window raises the balance without hiding what is being spent.
 */
import Decimal from 'decimal.js';
import { decimal, toDecimalString } from '../money';

export interface BalancePoint {
  /** ISO instant of the reading. */
  at: string;
  /** Exact decimal balance. */
  balance: string;
}

export interface DepletionForecast {
  /** Balance at the latest reading. */
  balance: string;
  /** Spent in the window (sum of drops), exact. */
  consumed: string;
  /** Average spend per day over the window, 6 decimal places (half-even). */
  dailyConsumption: string;
  /** Days until the balance reaches zero at that pace, 1 decimal place rounded down; null when not being consumed. */
  daysUntilZero: string | null;
  /** ISO instant the balance reaches zero; null when not being consumed. */
  depletesAt: string | null;
  /** Readings the forecast used. */
  points: number;
}

const DAY_MS = 86_400_000;

/** Forecast from readings in any order; fewer than two readings, or no drop, forecast no depletion. */
export const forecastDepletion = (readings: readonly BalancePoint[]): DepletionForecast | null => {
  if (readings.length === 0) return null;
  const points = [...readings].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = points[points.length - 1]!;
  const balance = decimal(last.balance);
  let consumed = decimal(0);
  for (let i = 1; i < points.length; i++) {
    const drop = decimal(points[i - 1]!.balance).minus(decimal(points[i]!.balance));
    if (drop.greaterThan(0)) consumed = consumed.plus(drop);
  }
  const spanMs = Date.parse(last.at) - Date.parse(points[0]!.at);
  const flat = {
    balance: toDecimalString(balance),
    consumed: toDecimalString(consumed),
    dailyConsumption: '0',
    daysUntilZero: null,
    depletesAt: null,
    points: points.length,
  };
  if (spanMs <= 0 || !consumed.greaterThan(0)) return flat;

  const perDay = consumed.times(DAY_MS).dividedBy(spanMs);
  const days = balance.lessThanOrEqualTo(0) ? decimal(0) : balance.dividedBy(perDay);
  // Whole milliseconds from the latest reading; the date is presentation, the days stay exact above.
  const depletesAtMs =
    Date.parse(last.at) + days.times(DAY_MS).toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber();
  return {
    ...flat,
    dailyConsumption: perDay.toFixed(6, Decimal.ROUND_HALF_EVEN),
    daysUntilZero: days.toFixed(1, Decimal.ROUND_DOWN),
    depletesAt: new Date(depletesAtMs).toISOString(),
  };
};
