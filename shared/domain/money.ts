import Decimal from 'decimal.js';
import { DomainError } from './errors';

/**
 * Money is a decimal amount with its currency, never a JS float (ARCHITECTURE §6). Amounts keep
 * full precision through every operation; rounding happens once, at presentation (`format`).
 */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type DecimalValue = InstanceType<typeof D>;

export type Currency = string;

export interface Money {
  readonly amount: DecimalValue;
  readonly currency: Currency;
}

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

/** Parse a decimal string (or an integer) exactly; floats are refused because they are already inexact. */
export const decimal = (value: string | number | DecimalValue): DecimalValue => {
  if (value instanceof D) return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new DomainError(
        'VALIDATION_ERROR',
        `Amount ${value} is not an integer; pass decimals as strings`,
      );
    }
    return new D(value);
  }
  if (!DECIMAL_PATTERN.test(value))
    throw new DomainError('VALIDATION_ERROR', `"${value}" is not a decimal amount`);
  return new D(value);
};

export const money = (amount: string | number | DecimalValue, currency: Currency): Money => {
  if (!/^[A-Z]{3}$/.test(currency))
    throw new DomainError('VALIDATION_ERROR', `"${currency}" is not a currency code`);
  return { amount: decimal(amount), currency };
};

export const zero = (currency: Currency): Money => money(0, currency);

const sameCurrency = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) {
    throw new DomainError('VALIDATION_ERROR', `Currency mismatch: ${a.currency} and ${b.currency}`, {
      currencies: [a.currency, b.currency],
    });
  }
};

export const add = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return { amount: a.amount.plus(b.amount), currency: a.currency };
};

export const subtract = (a: Money, b: Money): Money => {
  sameCurrency(a, b);
  return { amount: a.amount.minus(b.amount), currency: a.currency };
};

export const multiply = (a: Money, factor: string | number | DecimalValue): Money => ({
  amount: a.amount.times(decimal(factor)),
  currency: a.currency,
});

/** Sum of amounts that must all share `currency`; an empty list sums to zero. */
export const sum = (amounts: Iterable<Money>, currency: Currency): Money => {
  let total = zero(currency);
  for (const m of amounts) total = add(total, m);
  return total;
};

export const compare = (a: Money, b: Money): -1 | 0 | 1 => {
  sameCurrency(a, b);
  return a.amount.comparedTo(b.amount) as -1 | 0 | 1;
};

/**
 * Convert with an exchange rate (units of `to` per one unit of `from.currency`); the caller keeps
 * the original amount and rate alongside the result.
 */
export const convert = (from: Money, rate: string | DecimalValue, to: Currency): Money =>
  money(from.amount.times(decimal(rate)), to);

/** Exact decimal string for storage and APIs (no exponent, no rounding). */
export const toDecimalString = (value: Money | DecimalValue): string =>
  (value instanceof D ? value : (value as Money).amount).toFixed();

/** Presentation only: round half-even to `places`. */
export const format = (m: Money, places = 2): string =>
  `${m.amount.toFixed(places, D.ROUND_HALF_EVEN)} ${m.currency}`;

/** Token cost: tokens × price per million tokens, exact. */
export const tokenCost = (tokens: number, pricePerMillion: Money): Money =>
  multiply(pricePerMillion, decimal(tokens).dividedBy(1_000_000));
