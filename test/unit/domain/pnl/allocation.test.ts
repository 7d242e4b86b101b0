import { describe, expect, it } from 'vitest';
import { failure } from '../../../factories/domain-errors';
import { DomainError } from '../../../../shared/domain/errors';
import { decimal } from '../../../../shared/domain/money';
import { allocationWeights, checkFixedShares, distribute } from '../../../../shared/domain/pnl/allocation';

const equal = (...keys: string[]) => keys.map((key) => ({ key, weight: '1' }));
const sumOf = (amounts: { amount: string }[]) =>
  amounts.reduce((acc, a) => acc.plus(decimal(a.amount)), decimal(0)).toFixed(2);

describe('distribute', () => {
  it('splits 100.00 three ways as 33.34 + 33.33 + 33.33', () => {
    const parts = distribute('100.00', equal('a', 'b', 'c'));
    expect(parts).toEqual([
      { key: 'a', amount: '33.34', percentage: '33.333333' },
      { key: 'b', amount: '33.33', percentage: '33.333333' },
      { key: 'c', amount: '33.33', percentage: '33.333333' },
    ]);
    expect(sumOf(parts)).toBe('100.00');
  });

  it('gives the leftover cent to the largest remainder, not the first target', () => {
    // 1000 cents × 1/6, 2/6, 3/6 = 166 r4, 333 r2, 500 r0: the one leftover cent goes to a.
    expect(
      distribute('10.00', [
        { key: 'a', weight: '1' },
        { key: 'b', weight: '2' },
        { key: 'c', weight: '3' },
      ]),
    ).toEqual([
      { key: 'a', amount: '1.67', percentage: '16.666667' },
      { key: 'b', amount: '3.33', percentage: '33.333333' },
      { key: 'c', amount: '5.00', percentage: '50.000000' },
    ]);
    // Reordered: the cent follows the remainder, so c (weight 1) still gets it.
    expect(
      distribute('10.00', [
        { key: 'a', weight: '3' },
        { key: 'b', weight: '2' },
        { key: 'c', weight: '1' },
      ]).map((p) => p.amount),
    ).toEqual(['5.00', '3.33', '1.67']);
  });

  it('breaks equal remainders by input order', () => {
    expect(distribute('0.02', equal('x', 'y', 'z')).map((p) => p.amount)).toEqual(['0.01', '0.01', '0.00']);
    expect(distribute('0.02', equal('z', 'y', 'x')).map((p) => [p.key, p.amount])).toEqual([
      ['z', '0.01'],
      ['y', '0.01'],
      ['x', '0.00'],
    ]);
  });

  it('handles decimal weights, zero weights, whole units and other scales', () => {
    // Weights 0.1 : 0.2 : 0.3 over 10 cents: 1 r4, 3 r2, 5 r0 → a gets the leftover.
    expect(
      distribute('0.10', [
        { key: 'a', weight: '0.1' },
        { key: 'b', weight: '0.2' },
        { key: 'c', weight: '0.3' },
      ]).map((p) => p.amount),
    ).toEqual(['0.02', '0.03', '0.05']);
    expect(
      distribute('5', [
        { key: 'idle', weight: '0' },
        { key: 'busy', weight: '12.5' },
      ]),
    ).toEqual([
      { key: 'idle', amount: '0.00', percentage: '0.000000' },
      { key: 'busy', amount: '5.00', percentage: '100.000000' },
    ]);
    expect(distribute('10', equal('a', 'b', 'c'), 0).map((p) => p.amount)).toEqual(['4', '3', '3']);
    expect(distribute('1.0000', equal('a', 'b', 'c'), 4).map((p) => p.amount)).toEqual([
      '0.3334',
      '0.3333',
      '0.3333',
    ]);
    expect(distribute('0', equal('a', 'b')).map((p) => p.amount)).toEqual(['0.00', '0.00']);
  });

  it('stays exact on large totals and awkward weights', () => {
    const weights = [
      { key: 'a', weight: '123456.789012' },
      { key: 'b', weight: '0.000001' },
      { key: 'c', weight: '987654321' },
      { key: 'd', weight: '7' },
    ];
    const parts = distribute('9999999999.99', weights);
    expect(sumOf(parts)).toBe('9999999999.99');
    expect(parts.every((p) => /^\d+\.\d{2}$/.test(p.amount))).toBe(true);
  });

  it('rounds percentages half-even at the 7th decimal', () => {
    // Shares ×100: 1/2e8 → 0.0000005 (rounds to even 0), 3/2e8 → 0.0000015 (rounds to even 2).
    expect(
      distribute('0.00', [
        { key: 'a', weight: '1' },
        { key: 'b', weight: '3' },
        { key: 'c', weight: '199999996' },
      ]).map((p) => p.percentage),
    ).toEqual(['0.000000', '0.000002', '99.999998']);
  });

  it('refuses bad input as validation errors', () => {
    expect(() => distribute('1.005', equal('a'))).toThrow(
      'The amount to allocate (1.005) has more than 2 decimals',
    );
    expect(() => distribute('-1.00', equal('a'))).toThrow(/must not be negative/);
    expect(() => distribute('1.00', [])).toThrow('An allocation needs at least one target');
    expect(() => distribute('1.00', [{ key: 'a', weight: '0' }])).toThrow('All allocation weights are zero');
    expect(() =>
      distribute('1.00', [
        { key: 'a', weight: '1' },
        { key: 'b', weight: '-1' },
      ]),
    ).toThrow('The weight of b must not be negative, got -1');
    expect(() => distribute('1.00', equal('a', 'a'))).toThrow('Allocation target a appears twice');
    expect(failure(() => distribute('abc', equal('a'))).code).toBe('VALIDATION_ERROR');
  });
});

describe('checkFixedShares', () => {
  it('accepts shares that sum to exactly 100', () => {
    expect(() =>
      checkFixedShares([
        { costCenterId: 'a', percentage: '33.34' },
        { costCenterId: 'b', percentage: '33.33' },
        { costCenterId: 'c', percentage: '33.33' },
      ]),
    ).not.toThrow();
    expect(() => checkFixedShares([{ costCenterId: 'a', percentage: '100' }])).not.toThrow();
  });

  it('refuses 33.33 × 3 = 99.99 and reports the sum', () => {
    const error = failure(() =>
      checkFixedShares([
        { costCenterId: 'a', percentage: '33.33' },
        { costCenterId: 'b', percentage: '33.33' },
        { costCenterId: 'c', percentage: '33.33' },
      ]),
    );
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toBe('Allocation percentages must sum to exactly 100');
    expect(error.details).toEqual({ sum: '99.99' });
    expect(
      failure(() =>
        checkFixedShares([
          { costCenterId: 'a', percentage: '50' },
          { costCenterId: 'b', percentage: '50.01' },
        ]),
      ).details,
    ).toEqual({ sum: '100.01' });
    expect(() => checkFixedShares([])).toThrow('Allocation percentages must sum to exactly 100');
  });

  it('refuses zero, over 100, and duplicate centers', () => {
    expect(() =>
      checkFixedShares([
        { costCenterId: 'a', percentage: '0' },
        { costCenterId: 'b', percentage: '100' },
      ]),
    ).toThrow('The percentage of cost center a must be more than 0 and at most 100');
    expect(() => checkFixedShares([{ costCenterId: 'a', percentage: '100.01' }])).toThrow(/at most 100/);
    expect(() =>
      checkFixedShares([
        { costCenterId: 'a', percentage: '50' },
        { costCenterId: 'a', percentage: '50' },
      ]),
    ).toThrow('Cost center a appears twice in the allocation');
  });
});

describe('allocationWeights', () => {
  const usage = new Map([
    ['a', { tokens: 300, requests: 2, cost: '12.50' }],
    ['b', { tokens: 100, requests: 6, cost: '0.5' }],
  ]);

  it('direct and even', () => {
    expect(allocationWeights({ method: 'direct', costCenterId: 'a' }, usage)).toEqual([
      { key: 'a', weight: '1' },
    ]);
    expect(allocationWeights({ method: 'even', costCenterIds: ['a', 'b', 'c'] }, usage)).toEqual([
      { key: 'a', weight: '1' },
      { key: 'b', weight: '1' },
      { key: 'c', weight: '1' },
    ]);
  });

  it('fixed uses the checked percentages', () => {
    expect(
      allocationWeights(
        {
          method: 'fixed',
          shares: [
            { costCenterId: 'a', percentage: '60.5' },
            { costCenterId: 'b', percentage: '39.5' },
          ],
        },
        usage,
      ),
    ).toEqual([
      { key: 'a', weight: '60.5' },
      { key: 'b', weight: '39.5' },
    ]);
    expect(() =>
      allocationWeights({ method: 'fixed', shares: [{ costCenterId: 'a', percentage: '99' }] }, usage),
    ).toThrow('Allocation percentages must sum to exactly 100');
  });

  it('proportional takes the basis figure, 0 for a target without usage', () => {
    const tokens = allocationWeights(
      { method: 'proportional', basis: 'tokens', costCenterIds: ['a', 'b', 'c'] },
      usage,
    );
    expect(tokens).toEqual([
      { key: 'a', weight: '300' },
      { key: 'b', weight: '100' },
      { key: 'c', weight: '0' },
    ]);
    expect(distribute('1000.00', tokens).map((p) => p.amount)).toEqual(['750.00', '250.00', '0.00']);
    expect(
      allocationWeights({ method: 'proportional', basis: 'requests', costCenterIds: ['a', 'b'] }, usage),
    ).toEqual([
      { key: 'a', weight: '2' },
      { key: 'b', weight: '6' },
    ]);
    expect(
      allocationWeights({ method: 'proportional', basis: 'cost', costCenterIds: ['b', 'a'] }, usage),
    ).toEqual([
      { key: 'b', weight: '0.5' },
      { key: 'a', weight: '12.5' },
    ]);
  });

  it('refuses duplicate and missing targets', () => {
    expect(() => allocationWeights({ method: 'even', costCenterIds: ['a', 'b', 'a'] }, usage)).toThrow(
      'Cost center a appears twice in the allocation',
    );
    expect(() =>
      allocationWeights({ method: 'proportional', basis: 'tokens', costCenterIds: ['b', 'b'] }, usage),
    ).toThrow(DomainError);
    expect(() => allocationWeights({ method: 'even', costCenterIds: [] }, usage)).toThrow(
      'An allocation needs at least one cost center',
    );
  });
});
