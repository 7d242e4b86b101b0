/** How P&L figures are written: one rule for money, one for ratios, shared by every P&L module. */
import Decimal from 'decimal.js';
import { decimal, type DecimalValue } from '../money';

/** Drops the sign of a zero, so a figure never prints as `-0.00`. */
const unsigned = (value: DecimalValue): DecimalValue => (value.isZero() ? value.abs() : value);

/**
 * Exact money string with at least 2 decimals: `12.5` → `12.50`, `0` → `0.00`, `0.123456` stays.
 * Never rounds, so sums of printed figures equal printed sums.
 */
export const moneyString = (value: string | DecimalValue): string => {
  const d = unsigned(decimal(value));
  return d.decimalPlaces() < 2 ? d.toFixed(2) : d.toFixed();
};

/** `value` rounded half-even to `places`, always printed with exactly `places` decimals. */
export const rounded = (value: string | DecimalValue, places: number): string =>
  unsigned(decimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN)).toFixed(places);

/** numerator / denominator rounded half-even to `places`; null when the denominator is 0. */
export const ratio = (
  numerator: string | DecimalValue,
  denominator: string | DecimalValue,
  places = 6,
): string | null => {
  const d = decimal(denominator);
  return d.isZero() ? null : rounded(decimal(numerator).dividedBy(d), places);
};

/** Σ of exact decimal strings (missing ones count as 0). */
export const sumOf = (values: Iterable<string | DecimalValue | undefined>): DecimalValue => {
  let total = decimal(0);
  for (const v of values) if (v !== undefined) total = total.plus(decimal(v));
  return total;
};
