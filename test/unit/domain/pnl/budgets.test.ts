import { describe, expect, it } from 'vitest';
import { failure } from '../../../factories/domain-errors';
import { DomainError } from '../../../../shared/domain/errors';
import {
  approvalLevel,
  budgetUse,
  checkAgainstBudgetLimit,
  checkBudgetSplit,
  highestCrossedThreshold,
} from '../../../../shared/domain/pnl/budgets';

describe('checkBudgetSplit', () => {
  it('accepts categories up to the total, exactly', () => {
    expect(() => checkBudgetSplit('1000', { hardware: '600', software: '400' })).not.toThrow();
    expect(() => checkBudgetSplit('1000', { hardware: '600.10', software: '0.2' })).not.toThrow();
    expect(() => checkBudgetSplit('0', {})).not.toThrow();
  });

  it('refuses categories that exceed the total, with both figures', () => {
    const error = failure(() => checkBudgetSplit('1000', { hardware: '600', software: '400.01' }));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toBe('The category budgets (1000.01) exceed the total budget (1000.00)');
    expect(error.details).toEqual({ sum: '1000.01', total: '1000.00' });
  });

  it('refuses negative amounts naming the field, and unknown categories', () => {
    expect(() => checkBudgetSplit('1000', { power: '-1' })).toThrow(
      'categories.power must not be negative, got -1',
    );
    expect(failure(() => checkBudgetSplit('1000', { power: '-1' })).details).toMatchObject({
      field: 'categories.power',
    });
    expect(() => checkBudgetSplit('-5', {})).toThrow('totalBudget must not be negative, got -5');
    expect(() => checkBudgetSplit('1000', { cloud_fallback: '1' } as never)).toThrow(
      /"cloud_fallback" is not a budget category/,
    );
  });
});

describe('approvalLevel', () => {
  it('is 1 up to 10,000, 2 up to 100,000, 3 above', () => {
    expect(approvalLevel('0')).toBe(1);
    expect(approvalLevel('10000')).toBe(1);
    expect(approvalLevel('10000.01')).toBe(2);
    expect(approvalLevel('100000.00')).toBe(2);
    expect(approvalLevel('100000.01')).toBe(3);
    expect(() => approvalLevel('-1')).toThrow(DomainError);
  });
});

describe('checkAgainstBudgetLimit', () => {
  it('allows up to the limit, anything without one', () => {
    expect(() => checkAgainstBudgetLimit('500', '500.00')).not.toThrow();
    expect(() => checkAgainstBudgetLimit('99999999', null)).not.toThrow();
    const error = failure(() => checkAgainstBudgetLimit('500.01', '500'));
    expect(error.message).toBe("The budget total (500.01) exceeds the cost center's budget limit (500.00)");
    expect(error.details).toEqual({ total: '500.01', budgetLimit: '500.00' });
  });
});

describe('budgetUse', () => {
  it('utilization, percent and variance', () => {
    expect(budgetUse('1000', '875.5')).toEqual({
      utilization: '0.875500',
      utilizationPercent: '87.55',
      variance: '124.50',
    });
    expect(budgetUse('200', '250')).toEqual({
      utilization: '1.250000',
      utilizationPercent: '125.00',
      variance: '-50.00',
    });
    // 2 / 3 = 0.6666…
    expect(budgetUse('3', '2')).toEqual({
      utilization: '0.666667',
      utilizationPercent: '66.67',
      variance: '1.00',
    });
  });

  it('rounds the percent half-even from the exact quotient', () => {
    // 123.45 / 1000 × 100 = 12.345 → 12.34 (4 is even).
    expect(budgetUse('1000', '123.45')).toMatchObject({
      utilization: '0.123450',
      utilizationPercent: '12.34',
    });
    // 123.55 / 1000 × 100 = 12.355 → 12.36.
    expect(budgetUse('1000', '123.55').utilizationPercent).toBe('12.36');
  });

  it('has no utilization for a zero budget', () => {
    expect(budgetUse('0', '10')).toEqual({ utilization: null, utilizationPercent: null, variance: '-10.00' });
  });
});

describe('highestCrossedThreshold', () => {
  it('returns the highest threshold reached', () => {
    expect(highestCrossedThreshold('85.00', [50, 80, 90])).toBe(80);
    expect(highestCrossedThreshold('95', [90, 50, 80])).toBe(90);
    expect(highestCrossedThreshold('80.00', [80])).toBe(80);
    expect(highestCrossedThreshold('79.99', [80])).toBeNull();
    expect(highestCrossedThreshold('87.5', [87.5, 100])).toBe(87.5);
    expect(highestCrossedThreshold('120', [])).toBeNull();
  });
});
