/**
 * Billing periods are UTC calendar months written `YYYY-MM`; billing dates are UTC days `YYYY-MM-DD`.
 * Everything here takes the current time as a parameter so callers (and tests) control the clock.
 */

import { DomainError } from '../errors';

const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE_PATTERN = /^(\d{4}-(0[1-9]|1[0-2]))-(\d{2})$/;
const DAY_MS = 86_400_000;

export const isPeriodMonth = (value: string): boolean => PERIOD_PATTERN.test(value);

export const assertPeriodMonth = (value: string): void => {
  if (!isPeriodMonth(value))
    throw new DomainError('VALIDATION_ERROR', `"${value}" is not a period (YYYY-MM)`);
};

const yearAndMonth = (period: string): [number, number] => {
  assertPeriodMonth(period);
  return [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
};

const formatPeriod = (year: number, month: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;

/** The UTC month `date` falls in. */
export const periodOf = (date: Date): string => formatPeriod(date.getUTCFullYear(), date.getUTCMonth() + 1);

export const monthBefore = (period: string): string => {
  const [year, month] = yearAndMonth(period);
  return month === 1 ? formatPeriod(year - 1, 12) : formatPeriod(year, month - 1);
};

export const daysInMonth = (period: string): number => {
  const [year, month] = yearAndMonth(period);
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
};

/** `YYYY-MM-DD` that names a real calendar day (no 2026-02-30). */
export const isIsoDate = (value: string): boolean => {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const day = Number(match[3]);
  return day >= 1 && day <= daysInMonth(match[1]!);
};

/**
 * Periods whose bills can still change and must be (re)synced: the current month, plus the previous
 * month while `today` is within `graceDays` days after it closed (providers finalize bills, credits
 * and refunds several days into the next month). With graceDays 3, the previous month is open on the
 * 1st, 2nd and 3rd and closed from the 4th.
 */
export const openPeriods = (today: Date, graceDays: number): string[] => {
  if (!Number.isInteger(graceDays) || graceDays < 0) {
    throw new DomainError('VALIDATION_ERROR', `graceDays must be a non-negative integer, got ${graceDays}`);
  }
  const current = periodOf(today);
  return today.getUTCDate() <= graceDays ? [current, monthBefore(current)] : [current];
};

/**
 * Whole UTC days of `period` that have ended by `now`: what the bills can cover, since providers
 * report a day's usage after it ends. 0 before the period starts or on its first day, every day of
 * the month once it is over.
 */
export const elapsedDays = (period: string, now: Date): number => {
  const [year, month] = yearAndMonth(period);
  const start = Date.UTC(year, month - 1, 1);
  const ended = Math.floor((now.getTime() - start) / DAY_MS);
  return Math.min(Math.max(ended, 0), daysInMonth(period));
};
