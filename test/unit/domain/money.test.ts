import { describe, expect, it } from 'vitest';
import {
  add,
  convert,
  decimal,
  format,
  money,
  sum,
  toDecimalString,
  tokenCost,
  zero,
} from '../../../shared/domain/money';
import { DomainError } from '../../../shared/domain/errors';

describe('money', () => {
  it('adds 1,000,000 amounts of 0.000001 to exactly 1', () => {
    let total = zero('USD');
    const micro = money('0.000001', 'USD');
    for (let i = 0; i < 1_000_000; i++) total = add(total, micro);
    expect(toDecimalString(total)).toBe('1');
    expect(total.amount.equals(1)).toBe(true);
  });

  it('differs from float arithmetic where floats drift', () => {
    let float = 0;
    for (let i = 0; i < 10; i++) float += 0.1;
    expect(float).not.toBe(1);
    expect(
      toDecimalString(
        sum(
          Array.from({ length: 10 }, () => money('0.1', 'USD')),
          'USD',
        ),
      ),
    ).toBe('1');
  });

  it('refuses to mix currencies', () => {
    expect(() => add(money('1', 'USD'), money('1', 'CNY'))).toThrow(DomainError);
    expect(() => add(money('1', 'USD'), money('1', 'CNY'))).toThrow(/Currency mismatch: USD and CNY/);
    expect(() => sum([money('1', 'USD'), money('2', 'EUR')], 'USD')).toThrow(/Currency mismatch/);
  });

  it('refuses floats and malformed amounts', () => {
    expect(() => decimal(0.1)).toThrow(/pass decimals as strings/);
    expect(() => decimal('1e5')).toThrow(/not a decimal amount/);
    expect(() => money('1', 'usd')).toThrow(/not a currency code/);
    expect(decimal(42).toFixed()).toBe('42');
  });

  it('converts with a rate and rounds only at presentation', () => {
    const cny = convert(money('10.005', 'USD'), '7.1234', 'CNY');
    expect(toDecimalString(cny)).toBe('71.269617');
    expect(format(cny)).toBe('71.27 CNY');
    expect(format(money('0.125', 'USD'))).toBe('0.12 USD');
  });

  it('prices tokens per million exactly', () => {
    expect(toDecimalString(tokenCost(1234, money('2.5', 'USD')))).toBe('0.003085');
    expect(toDecimalString(tokenCost(0, money('2.5', 'USD')))).toBe('0');
  });
});
