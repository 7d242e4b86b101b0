import { describe, expect, it } from 'vitest';
import { failure } from '../../../factories/domain-errors';
import { DomainError } from '../../../../shared/domain/errors';
import {
  budgetPeriodMonths,
  checkDateInPeriod,
  checkPeriodFields,
  monthKey,
  monthsOf,
  parsePeriodKey,
  periodKey,
  periodOfDate,
  periodsContainingMonth,
  quarterOfMonth,
} from '../../../../shared/domain/pnl/periods';

describe('month keys and quarters', () => {
  it('pads the month and maps months to quarters', () => {
    expect(monthKey(2026, 3)).toBe('2026-03');
    expect(monthKey(2026, 12)).toBe('2026-12');
    expect([1, 3, 4, 6, 7, 9, 10, 12].map(quarterOfMonth)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(() => quarterOfMonth(13)).toThrow('month must be an integer from 1 to 12, got 13');
    expect(() => monthKey(2026, 0)).toThrow(DomainError);
  });
});

describe('periodKey / parsePeriodKey', () => {
  it('writes month, quarter and year keys', () => {
    expect(periodKey({ type: 'month', year: 2026, quarter: 4, month: 11 })).toBe('2026-11');
    expect(periodKey({ type: 'month', year: 2026, month: 2 })).toBe('2026-02');
    expect(periodKey({ type: 'quarter', year: 2026, quarter: 4 })).toBe('2026-Q4');
    expect(periodKey({ type: 'year', year: 2026 })).toBe('2026');
  });

  it('refuses periods missing their fields or carrying stray ones', () => {
    expect(() => periodKey({ type: 'month', year: 2026 })).toThrow('A month period needs its month');
    expect(() => periodKey({ type: 'quarter', year: 2026 })).toThrow('A quarter period needs its quarter');
    expect(() => periodKey({ type: 'quarter', year: 2026, quarter: 1, month: 2 })).toThrow(
      'A quarter period has no month',
    );
    expect(() => periodKey({ type: 'year', year: 2026, quarter: 1 })).toThrow(
      'A year period has no quarter or month',
    );
    expect(() => periodKey({ type: 'month', year: 2026, quarter: 3, month: 11 })).toThrow(
      /quarter 3 is not the quarter of month 11/,
    );
  });

  it('parses keys back, a month with its quarter', () => {
    expect(parsePeriodKey('2026-11')).toEqual({ type: 'month', year: 2026, quarter: 4, month: 11 });
    expect(parsePeriodKey('2026-Q2')).toEqual({ type: 'quarter', year: 2026, quarter: 2 });
    expect(parsePeriodKey('2026')).toEqual({ type: 'year', year: 2026 });
    for (const key of ['2026-11', '2026-Q1', '2100']) expect(periodKey(parsePeriodKey(key))).toBe(key);
  });

  it('refuses malformed and out-of-range keys as validation errors', () => {
    for (const key of [
      '2026-13',
      '2026-00',
      '2026-Q5',
      '2026-Q0',
      '1999',
      '2101-01',
      '26-01',
      '2026-1',
      'x',
    ]) {
      expect(failure(() => parsePeriodKey(key)).code).toBe('VALIDATION_ERROR');
    }
    expect(() => parsePeriodKey('2026-Q5')).toThrow('quarter must be an integer from 1 to 4, got 5');
    expect(() => parsePeriodKey('2026/11')).toThrow('"2026/11" is not a period (YYYY-MM, YYYY-Qn or YYYY)');
  });
});

describe('monthsOf', () => {
  it('lists the months inside a period in order', () => {
    expect(monthsOf({ type: 'month', year: 2026, quarter: 4, month: 11 })).toEqual(['2026-11']);
    expect(monthsOf({ type: 'quarter', year: 2026, quarter: 4 })).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(monthsOf({ type: 'quarter', year: 2026, quarter: 1 })).toEqual(['2026-01', '2026-02', '2026-03']);
    const year = monthsOf({ type: 'year', year: 2026 });
    expect(year).toHaveLength(12);
    expect(year[0]).toBe('2026-01');
    expect(year[11]).toBe('2026-12');
  });
});

describe('periodOfDate / checkDateInPeriod', () => {
  it('derives the period fields of a day', () => {
    expect(periodOfDate('2026-11-24')).toEqual({ periodYear: 2026, periodQuarter: 4, periodMonth: 11 });
    expect(periodOfDate('2028-02-29')).toEqual({ periodYear: 2028, periodQuarter: 1, periodMonth: 2 });
    expect(() => periodOfDate('2026-02-29')).toThrow('"2026-02-29" is not a calendar day (YYYY-MM-DD)');
    expect(() => periodOfDate('2026-11-24T00:00:00Z')).toThrow(DomainError);
    expect(() => periodOfDate('1999-12-31')).toThrow(/year must be an integer from 2000 to 2100/);
  });

  it('accepts matching fields and refuses a date outside them', () => {
    expect(() =>
      checkDateInPeriod('2026-11-05', { periodYear: 2026, periodQuarter: 4, periodMonth: 11 }),
    ).not.toThrow();
    const wrongMonth = failure(() =>
      checkDateInPeriod('2026-12-01', { periodYear: 2026, periodQuarter: 4, periodMonth: 11 }),
    );
    expect(wrongMonth.code).toBe('VALIDATION_ERROR');
    expect(wrongMonth.message).toBe('recordDate 2026-12-01 is not in period 2026-11 (Q4)');
    expect(() =>
      checkDateInPeriod('2025-11-05', { periodYear: 2026, periodQuarter: 4, periodMonth: 11 }),
    ).toThrow(/not in period 2026-11/);
    expect(() =>
      checkDateInPeriod('2026-11-05', { periodYear: 2026, periodQuarter: 3, periodMonth: 11 }),
    ).toThrow(/quarter 3 is not the quarter of month 11/);
  });
});

describe('checkPeriodFields', () => {
  it('accepts the bounds', () => {
    expect(() => checkPeriodFields({ year: 2000, quarter: 1, month: 1 })).not.toThrow();
    expect(() => checkPeriodFields({ year: 2100, quarter: 4, month: 12 })).not.toThrow();
    expect(() => checkPeriodFields({ year: 2026 })).not.toThrow();
  });

  it('names the field and its range', () => {
    const year = failure(() => checkPeriodFields({ year: 1999 }));
    expect(year.code).toBe('VALIDATION_ERROR');
    expect(year.message).toBe('year must be an integer from 2000 to 2100, got 1999');
    expect(year.details).toEqual({ field: 'year', value: 1999, min: 2000, max: 2100 });
    expect(() => checkPeriodFields({ year: 2101 })).toThrow(/year must be/);
    expect(() => checkPeriodFields({ year: 2026.5 })).toThrow(/year must be an integer/);
    expect(() => checkPeriodFields({ year: 2026, month: 0 })).toThrow(
      'month must be an integer from 1 to 12, got 0',
    );
    expect(() => checkPeriodFields({ year: 2026, month: 13 })).toThrow(/month must be/);
    expect(() => checkPeriodFields({ year: 2026, quarter: 5 })).toThrow(
      'quarter must be an integer from 1 to 4, got 5',
    );
    const mismatch = failure(() => checkPeriodFields({ year: 2026, quarter: 3, month: 11 }));
    expect(mismatch.message).toBe('quarter 3 is not the quarter of month 11 (quarter 4)');
    expect(mismatch.details).toMatchObject({ field: 'quarter', expected: 4 });
  });
});

describe('periodsContainingMonth', () => {
  it('is the month, its quarter and its year', () => {
    expect(periodsContainingMonth('2026-05')).toEqual([
      { type: 'month', year: 2026, quarter: 2, month: 5 },
      { type: 'quarter', year: 2026, quarter: 2 },
      { type: 'year', year: 2026 },
    ]);
    expect(() => periodsContainingMonth('2026-5')).toThrow('"2026-5" is not a month (YYYY-MM)');
  });
});

describe('budgetPeriodMonths', () => {
  it('maps budget fields to covered months', () => {
    expect(budgetPeriodMonths('month', 2026, 12)).toEqual(['2026-12']);
    expect(budgetPeriodMonths('quarter', 2026, 2)).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(budgetPeriodMonths('year', 2026, 1)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
  });

  it('refuses a budgetPeriod out of range for its type', () => {
    expect(() => budgetPeriodMonths('month', 2026, 13)).toThrow(
      'budgetPeriod must be an integer from 1 to 12, got 13',
    );
    expect(() => budgetPeriodMonths('quarter', 2026, 0)).toThrow(
      'budgetPeriod must be an integer from 1 to 4, got 0',
    );
    expect(() => budgetPeriodMonths('year', 2026, 2)).toThrow(
      'budgetPeriod must be an integer from 1 to 1, got 2',
    );
    expect(() => budgetPeriodMonths('year', 1999, 1)).toThrow(/year must be/);
    expect(failure(() => budgetPeriodMonths('week' as never, 2026, 1)).code).toBe('VALIDATION_ERROR');
  });
});
