/**
 * Splitting a shared amount across cost centers (issue 6, point 5). The parts are booked as cost
 * entries, so they must add up to the amount to the last cent: the split works in whole units of
 * the last decimal place with exact integers, and hands out the units left over by rounding down
 * with the largest remainder method.
 */
import { invalid } from '../errors';
import { decimal, type DecimalValue } from '../money';
import type { AllocationStrategy } from './types';

/** One target's part of a split amount. */
export interface DistributedShare {
  key: string;
  /** Exactly `scale` decimals; the amounts of one split sum to the total exactly. */
  amount: string;
  /** The target's weight share × 100, rounded half-even to 6 places. */
  percentage: string;
}

/** `value` × 10^places as an exact integer; `value` must have at most `places` decimals. */
const toUnits = (value: DecimalValue, places: number): bigint =>
  BigInt(value.toFixed(places).replace('.', ''));

/** Inverse of `toUnits` for non-negative units: exactly `places` decimals. */
const fromUnits = (units: bigint, places: number): string => {
  const digits = units.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
};

/** numerator / denominator (both ≥ 0, denominator > 0) rounded half-even to `places`, exactly. */
const divideHalfEven = (numerator: bigint, denominator: bigint, places: number): string => {
  const scaled = numerator * 10n ** BigInt(places);
  let quotient = scaled / denominator;
  const twiceRemainder = (scaled % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n))
    quotient += 1n;
  return fromUnits(quotient, places);
};

/**
 * Splits `total` (≥ 0, at most `scale` decimals) across `weights` in proportion, each amount with
 * exactly `scale` decimals, summing exactly to `total`. Every target first gets its share rounded
 * down; the units left over go one each to the largest remainders, ties to the earlier target.
 */
export const distribute = (
  total: string,
  weights: { key: string; weight: string }[],
  scale = 2,
): DistributedShare[] => {
  if (!Number.isInteger(scale) || scale < 0 || scale > 20) {
    throw invalid(`scale must be an integer from 0 to 20, got ${scale}`, { scale });
  }
  const amount = decimal(total);
  if (amount.lessThan(0))
    throw invalid(`The amount to allocate must not be negative, got ${total}`, { total });
  if (amount.decimalPlaces() > scale) {
    throw invalid(`The amount to allocate (${total}) has more than ${scale} decimals`, { total, scale });
  }
  if (weights.length === 0) throw invalid('An allocation needs at least one target', { weights });

  const seen = new Set<string>();
  const parsed = weights.map(({ key, weight }) => {
    if (seen.has(key)) throw invalid(`Allocation target ${key} appears twice`, { key });
    seen.add(key);
    const value = decimal(weight);
    if (value.lessThan(0))
      throw invalid(`The weight of ${key} must not be negative, got ${weight}`, { key, weight });
    return { key, value };
  });
  // Weights become integers on one common scale, so every ratio below is exact.
  const weightPlaces = Math.max(...parsed.map((w) => w.value.decimalPlaces()));
  const units = parsed.map((w) => toUnits(w.value, weightPlaces));
  const weightSum = units.reduce((a, b) => a + b, 0n);
  if (weightSum === 0n) throw invalid('All allocation weights are zero', { weights });

  const totalUnits = toUnits(amount, scale);
  const shares = units.map((w, index) => ({
    index,
    floor: (totalUnits * w) / weightSum,
    remainder: (totalUnits * w) % weightSum,
  }));
  let leftover = totalUnits - shares.reduce((a, s) => a + s.floor, 0n);
  // Fewer leftover units than targets (each remainder < weightSum), so one round hands them all out.
  const order = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  const extra = new Set<number>();
  for (const share of order) {
    if (leftover === 0n) break;
    extra.add(share.index);
    leftover -= 1n;
  }
  return shares.map((s) => ({
    key: parsed[s.index]!.key,
    amount: fromUnits(s.floor + (extra.has(s.index) ? 1n : 0n), scale),
    percentage: divideHalfEven(units[s.index]! * 100n, weightSum, 6),
  }));
};

/**
 * Checks fixed shares: each percentage > 0 and ≤ 100, each cost center once, and the sum exactly 100.
 * Exactly, not nearly: 33.33 × 3 leaves 0.01 % of every amount unallocated, so it is refused
 * (use 33.34 + 33.33 + 33.33, or the `even` method).
 */
export const checkFixedShares = (shares: { costCenterId: string; percentage: string }[]): void => {
  const seen = new Set<string>();
  let sum = decimal(0);
  for (const { costCenterId, percentage } of shares) {
    if (seen.has(costCenterId)) {
      throw invalid(`Cost center ${costCenterId} appears twice in the allocation`, { costCenterId });
    }
    seen.add(costCenterId);
    const value = decimal(percentage);
    if (!value.greaterThan(0) || value.greaterThan(100)) {
      throw invalid(`The percentage of cost center ${costCenterId} must be more than 0 and at most 100`, {
        costCenterId,
        percentage,
      });
    }
    sum = sum.plus(value);
  }
  if (!sum.equals(100)) {
    throw invalid('Allocation percentages must sum to exactly 100', { sum: sum.toFixed() });
  }
};

const checkTargets = (ids: string[]): void => {
  if (ids.length === 0) throw invalid('An allocation needs at least one cost center', { costCenterIds: ids });
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id))
      throw invalid(`Cost center ${id} appears twice in the allocation`, { costCenterId: id });
    seen.add(id);
  }
};

const basisFigure = (value: number | string): string => {
  if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0)) {
    throw invalid(`Usage ${value} is not a non-negative integer`, { value });
  }
  return decimal(value).toFixed();
};

/**
 * The weights `distribute` splits by, per strategy: `direct` one target, `even` 1 each, `fixed` the
 * percentages (checked by `checkFixedShares`), `proportional` each target's usage figure for the
 * basis (a target without usage weighs 0; if every target weighs 0, `distribute` refuses).
 */
export const allocationWeights = (
  strategy: AllocationStrategy,
  usage: Map<string, { tokens: number; requests: number; cost: string }>,
): { key: string; weight: string }[] => {
  switch (strategy.method) {
    case 'direct':
      return [{ key: strategy.costCenterId, weight: '1' }];
    case 'even':
      checkTargets(strategy.costCenterIds);
      return strategy.costCenterIds.map((key) => ({ key, weight: '1' }));
    case 'fixed':
      checkFixedShares(strategy.shares);
      return strategy.shares.map((s) => ({ key: s.costCenterId, weight: decimal(s.percentage).toFixed() }));
    case 'proportional': {
      checkTargets(strategy.costCenterIds);
      const { basis } = strategy;
      return strategy.costCenterIds.map((key) => {
        const figures = usage.get(key);
        return { key, weight: figures ? basisFigure(figures[basis]) : '0' };
      });
    }
    default:
      throw invalid(`"${String((strategy as { method: unknown }).method)}" is not an allocation method`, {
        strategy,
      });
  }
};
