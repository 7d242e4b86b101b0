/**
 * Option parsers for dates and periods (a bad value is a usage error before any request) and the
 * small date arithmetic of the defaults. Days and months are UTC, like the API's.
 */
import { InvalidArgumentError } from 'commander';
import { CliError } from './errors';

const DAY_MS = 86_400_000;

/** Commander parser: a real calendar day `YYYY-MM-DD` (2026-02-30 and 2026-13-40 are refused). */
export const day = (value: string): string => {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  // The round trip catches days that Date.parse would roll over into the next month.
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError('expected a calendar date YYYY-MM-DD.');
  return value;
};

/** Commander parser: a month `YYYY-MM`. */
export const month = (value: string): string => {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('expected a month YYYY-MM.');
  return value;
};

/** Commander parser: a P&L period, a month `2026-11`, a quarter `2026-Q4` or a year `2026`. */
export const periodKey = (value: string): string => {
  if (!/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/.test(value))
    throw new InvalidArgumentError('expected a month YYYY-MM, a quarter YYYY-Qn or a year YYYY.');
  return value;
};

/** Commander parser: a whole number above 0. */
export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number above 0.');
  return n;
};

/** Commander parser: a duration in seconds above 0. */
export const seconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0.');
  return n;
};

/** Today, `YYYY-MM-DD` (UTC). */
export const today = (): string => new Date().toISOString().slice(0, 10);

/** This month, `YYYY-MM` (UTC). */
export const currentMonth = (): string => new Date().toISOString().slice(0, 7);

/** The day `days` days before `from`. */
export const daysBefore = (from: string, days: number): string =>
  new Date(Date.parse(`${from}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

/**
 * `--start`/`--end` as a pair in order, or undefined when neither is given. Days and months both
 * compare correctly as text.
 */
export const range = (start?: string, end?: string): { start: string; end: string } | undefined => {
  if (start === undefined && end === undefined) return undefined;
  if (start === undefined || end === undefined)
    throw new CliError('VALIDATION_ERROR', '--start and --end must be given together');
  if (start > end) throw new CliError('VALIDATION_ERROR', `--start ${start} is after --end ${end}`);
  return { start, end };
};
