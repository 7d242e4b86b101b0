/**
 * P&L reporting periods: months (`2026-11`), quarters (`2026-Q4`) and years (`2026`). Facts are
 * stored per month; quarters and years are always built from their months, so every helper here
 * maps a period to the months it covers. Dates are UTC calendar days `YYYY-MM-DD`.
 */
import { invalid } from '../errors';
import { isIsoDate } from '../bills/periods';
import type { Period, PeriodType } from './types';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;

const MONTH_KEY = /^(\d{4})-(\d{2})$/;
const QUARTER_KEY = /^(\d{4})-Q(\d)$/;
const YEAR_KEY = /^(\d{4})$/;

const pad2 = (n: number): string => String(n).padStart(2, '0');

const checkRange = (field: string, value: number, min: number, max: number): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max}, got ${value}`, {
      field,
      value,
      min,
      max,
    });
  }
};

/** The quarter (1–4) a month (1–12) falls in. */
export const quarterOfMonth = (month: number): number => {
  checkRange('month', month, 1, 12);
  return Math.ceil(month / 3);
};

/**
 * Checks period fields: year 2000–2100, month 1–12, quarter 1–4, and a quarter given with a month
 * must be that month's quarter (records carry both, and a mismatch would file a fact twice).
 */
export const checkPeriodFields = (f: { year: number; quarter?: number; month?: number }): void => {
  checkRange('year', f.year, MIN_YEAR, MAX_YEAR);
  if (f.month !== undefined) checkRange('month', f.month, 1, 12);
  if (f.quarter !== undefined) checkRange('quarter', f.quarter, 1, 4);
  if (f.month !== undefined && f.quarter !== undefined && quarterOfMonth(f.month) !== f.quarter) {
    throw invalid(
      `quarter ${f.quarter} is not the quarter of month ${f.month} (quarter ${quarterOfMonth(f.month)})`,
      { field: 'quarter', quarter: f.quarter, month: f.month, expected: quarterOfMonth(f.month) },
    );
  }
};

/** `2026-03` for year 2026, month 3. */
export const monthKey = (year: number, month: number): string => {
  checkPeriodFields({ year, month });
  return `${year}-${pad2(month)}`;
};

/** Parses a `YYYY-MM` month key. */
export const parseMonthKey = (key: string): { year: number; month: number } => {
  const match = MONTH_KEY.exec(key);
  if (!match) throw invalid(`"${key}" is not a month (YYYY-MM)`, { month: key });
  const year = Number(match[1]);
  const month = Number(match[2]);
  checkPeriodFields({ year, month });
  return { year, month };
};

/**
 * Checks that a period carries exactly the fields of its type: a month its month (and, if given,
 * the matching quarter), a quarter its quarter and no month, a year neither. Stray fields are
 * refused because they make the same period look different to code that compares fields.
 */
export const checkPeriod = (p: Period): void => {
  checkPeriodFields(p);
  const fail = (message: string): never => {
    throw invalid(message, { period: p });
  };
  switch (p.type) {
    case 'month':
      if (p.month === undefined) fail('A month period needs its month');
      return;
    case 'quarter':
      if (p.quarter === undefined) fail('A quarter period needs its quarter');
      if (p.month !== undefined) fail('A quarter period has no month');
      return;
    case 'year':
      if (p.quarter !== undefined || p.month !== undefined) fail('A year period has no quarter or month');
      return;
    default:
      fail(`"${String((p as { type: unknown }).type)}" is not a period type (month, quarter, year)`);
  }
};

/** `2026-11`, `2026-Q4` or `2026`. */
export const periodKey = (p: Period): string => {
  checkPeriod(p);
  if (p.type === 'month') return `${p.year}-${pad2(p.month!)}`;
  if (p.type === 'quarter') return `${p.year}-Q${p.quarter!}`;
  return String(p.year);
};

/** Inverse of `periodKey`; a month period carries its quarter too. */
export const parsePeriodKey = (key: string): Period => {
  const month = MONTH_KEY.exec(key);
  if (month) {
    const parsed = parseMonthKey(key);
    return { type: 'month', year: parsed.year, quarter: quarterOfMonth(parsed.month), month: parsed.month };
  }
  const quarter = QUARTER_KEY.exec(key);
  if (quarter) {
    const p: Period = { type: 'quarter', year: Number(quarter[1]), quarter: Number(quarter[2]) };
    checkPeriodFields(p);
    return p;
  }
  const year = YEAR_KEY.exec(key);
  if (year) {
    const p: Period = { type: 'year', year: Number(year[1]) };
    checkPeriodFields(p);
    return p;
  }
  throw invalid(`"${key}" is not a period (YYYY-MM, YYYY-Qn or YYYY)`, { periodKey: key });
};

const monthsOfQuarter = (year: number, quarter: number): string[] =>
  [1, 2, 3].map((i) => monthKey(year, (quarter - 1) * 3 + i));

/** The month keys inside a period, in calendar order. */
export const monthsOf = (p: Period): string[] => {
  checkPeriod(p);
  if (p.type === 'month') return [monthKey(p.year, p.month!)];
  if (p.type === 'quarter') return monthsOfQuarter(p.year, p.quarter!);
  return Array.from({ length: 12 }, (_, i) => monthKey(p.year, i + 1));
};

/** The period fields of a `YYYY-MM-DD` day. */
export const periodOfDate = (
  day: string,
): { periodYear: number; periodQuarter: number; periodMonth: number } => {
  if (!isIsoDate(day)) throw invalid(`"${day}" is not a calendar day (YYYY-MM-DD)`, { date: day });
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  checkPeriodFields({ year, month });
  return { periodYear: year, periodQuarter: quarterOfMonth(month), periodMonth: month };
};

/** Refuses a record whose period fields do not match its date (the month index is built from the fields). */
export const checkDateInPeriod = (
  recordDate: string,
  fields: { periodYear: number; periodQuarter: number; periodMonth: number },
): void => {
  checkPeriodFields({ year: fields.periodYear, quarter: fields.periodQuarter, month: fields.periodMonth });
  const actual = periodOfDate(recordDate);
  if (
    actual.periodYear !== fields.periodYear ||
    actual.periodQuarter !== fields.periodQuarter ||
    actual.periodMonth !== fields.periodMonth
  ) {
    throw invalid(
      `recordDate ${recordDate} is not in period ${monthKey(fields.periodYear, fields.periodMonth)} (Q${fields.periodQuarter})`,
      { recordDate, expected: actual, given: fields },
    );
  }
};

/** The periods a month's facts feed: the month, its quarter and its year (what a dirty month recomputes). */
export const periodsContainingMonth = (month: string): Period[] => {
  const parsed = parseMonthKey(month);
  const quarter = quarterOfMonth(parsed.month);
  return [
    { type: 'month', year: parsed.year, quarter, month: parsed.month },
    { type: 'quarter', year: parsed.year, quarter },
    { type: 'year', year: parsed.year },
  ];
};

/**
 * The months a budget covers, from its record fields: `budgetPeriod` is the month (1–12) of a
 * monthly budget, the quarter (1–4) of a quarterly one, and 1 for a yearly one.
 */
export const budgetPeriodMonths = (periodType: PeriodType, year: number, budgetPeriod: number): string[] => {
  switch (periodType) {
    case 'month':
      checkRange('budgetPeriod', budgetPeriod, 1, 12);
      return monthsOf({ type: 'month', year, month: budgetPeriod });
    case 'quarter':
      checkRange('budgetPeriod', budgetPeriod, 1, 4);
      return monthsOf({ type: 'quarter', year, quarter: budgetPeriod });
    case 'year':
      checkRange('budgetPeriod', budgetPeriod, 1, 1);
      return monthsOf({ type: 'year', year });
    default:
      throw invalid(`"${String(periodType)}" is not a period type (month, quarter, year)`, { periodType });
  }
};

/** `YYYY-MM-DD` of the last day of a `YYYY-MM` month. */
export const lastDayOfMonth = (month: string): string => {
  const { year, month: m } = parseMonthKey(month);
  return new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
};
