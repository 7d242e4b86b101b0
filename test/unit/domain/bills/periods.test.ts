import { describe, expect, it } from 'vitest';
import {
  daysInMonth,
  elapsedDays,
  isIsoDate,
  isPeriodMonth,
  monthBefore,
  openPeriods,
  periodOf,
} from '../../../../shared/domain/bills/periods';
import { DomainError } from '../../../../shared/domain/errors';

describe('isPeriodMonth', () => {
  it('accepts YYYY-MM months only', () => {
    expect(isPeriodMonth('2026-01')).toBe(true);
    expect(isPeriodMonth('2026-12')).toBe(true);
    for (const bad of ['2026-00', '2026-13', '2026-1', '26-01', '2026-01-01', '2026/01', ''])
      expect(isPeriodMonth(bad)).toBe(false);
  });
});

describe('monthBefore', () => {
  it('steps back one month, across the year boundary', () => {
    expect(monthBefore('2026-01')).toBe('2025-12');
    expect(monthBefore('2026-03')).toBe('2026-02');
    expect(monthBefore('2026-12')).toBe('2026-11');
    expect(monthBefore('0001-01')).toBe('0000-12');
  });

  it('refuses what is not a period', () => {
    expect(() => monthBefore('2026-13')).toThrow(DomainError);
  });
});

describe('daysInMonth', () => {
  it('knows month lengths and leap years', () => {
    expect(daysInMonth('2026-01')).toBe(31);
    expect(daysInMonth('2026-04')).toBe(30);
    expect(daysInMonth('2026-02')).toBe(28);
    expect(daysInMonth('2024-02')).toBe(29);
    expect(daysInMonth('2000-02')).toBe(29);
    expect(daysInMonth('1900-02')).toBe(28);
    expect(daysInMonth('2026-12')).toBe(31);
  });
});

describe('isIsoDate', () => {
  it('accepts real calendar days only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-04-00')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-4-01')).toBe(false);
    expect(isIsoDate('2026-04-01T00:00:00Z')).toBe(false);
  });
});

describe('periodOf', () => {
  it('uses the UTC month', () => {
    expect(periodOf(new Date('2026-03-31T23:30:00-02:00'))).toBe('2026-04');
    expect(periodOf(new Date('2026-04-01T00:30:00+02:00'))).toBe('2026-03');
  });
});

describe('openPeriods', () => {
  it('keeps the previous month open for graceDays after it closed', () => {
    expect(openPeriods(new Date('2026-03-01T00:00:00Z'), 3)).toEqual(['2026-03', '2026-02']);
    expect(openPeriods(new Date('2026-03-03T23:59:59Z'), 3)).toEqual(['2026-03', '2026-02']);
    expect(openPeriods(new Date('2026-03-04T00:00:00Z'), 3)).toEqual(['2026-03']);
    expect(openPeriods(new Date('2026-03-20T12:00:00Z'), 3)).toEqual(['2026-03']);
  });

  it('crosses the year boundary and follows the UTC calendar', () => {
    expect(openPeriods(new Date('2026-01-02T08:00:00Z'), 5)).toEqual(['2026-01', '2025-12']);
    // 23:30 on 31 March at UTC−2 is already 1 April in UTC.
    expect(openPeriods(new Date('2026-03-31T23:30:00-02:00'), 1)).toEqual(['2026-04', '2026-03']);
  });

  it('has only the current month without grace, and refuses a negative or fractional grace', () => {
    expect(openPeriods(new Date('2026-03-01T00:00:00Z'), 0)).toEqual(['2026-03']);
    expect(() => openPeriods(new Date('2026-03-01T00:00:00Z'), -1)).toThrow(DomainError);
    expect(() => openPeriods(new Date('2026-03-01T00:00:00Z'), 1.5)).toThrow(DomainError);
  });
});

describe('elapsedDays', () => {
  it('counts whole UTC days of the period that have ended', () => {
    expect(elapsedDays('2026-03', new Date('2026-02-27T00:00:00Z'))).toBe(0);
    expect(elapsedDays('2026-03', new Date('2026-03-01T23:59:59Z'))).toBe(0);
    expect(elapsedDays('2026-03', new Date('2026-03-02T00:00:00Z'))).toBe(1);
    expect(elapsedDays('2026-03', new Date('2026-03-10T05:00:00Z'))).toBe(9);
    expect(elapsedDays('2026-03', new Date('2026-03-31T23:59:59Z'))).toBe(30);
    expect(elapsedDays('2026-03', new Date('2026-04-01T00:00:00Z'))).toBe(31);
    expect(elapsedDays('2026-03', new Date('2027-01-01T00:00:00Z'))).toBe(31);
  });

  it('caps at the month length in a leap February', () => {
    expect(elapsedDays('2024-02', new Date('2024-02-29T12:00:00Z'))).toBe(28);
    expect(elapsedDays('2024-02', new Date('2024-03-05T00:00:00Z'))).toBe(29);
  });
});
