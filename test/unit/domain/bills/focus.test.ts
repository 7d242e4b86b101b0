/** FOCUS row rules: header check, exact decimals, ISO 4217, UTC dates, Tags JSON, sourceKeys. */
import { describe, expect, it } from 'vitest';
import type { FocusRecord } from '../../../../shared/domain/bills/focus';
import {
  FOCUS_REQUIRED_COLUMNS,
  ISO_4217_CODES,
  SourceKeyOrdinals,
  checkFocusHeader,
  focusRowToLine,
  isBillLineProblem,
} from '../../../../shared/domain/bills/focus';
import type { BillLineProblem, RawBillLine } from '../../../../shared/domain/bills/types';

const ROW: FocusRecord = {
  BilledCost: '12.3456789012345678901',
  EffectiveCost: '11.00000000001',
  ListCost: '13',
  BillingAccountId: '123456789012',
  BillingCurrency: 'EUR',
  BillingPeriodStart: '2026-10-01T00:00:00Z',
  ChargeCategory: 'Usage',
  ChargeClass: '',
  ChargeDescription: 'D2s v5, per hour',
  ChargePeriodStart: '2026-10-05T00:00:00Z',
  ChargePeriodEnd: '2026-10-06T00:00:00Z',
  RegionId: 'westeurope',
  ResourceId: '/subscriptions/abc/vm-1',
  ServiceName: 'Virtual Machines',
  SkuPriceId: 'DZH318Z0BQ4L',
  SubAccountId: 'abc',
  Tags: '{"env":"prod","team":"ml"}',
};

const line = (over: Partial<FocusRecord> = {}): RawBillLine => {
  const result = focusRowToLine({ ...ROW, ...over }, 7);
  if (isBillLineProblem(result)) throw new Error(`unexpected problem: ${result.message}`);
  return result;
};

const problem = (over: Partial<FocusRecord>): BillLineProblem => {
  const result = focusRowToLine({ ...ROW, ...over }, 7);
  if (!isBillLineProblem(result)) throw new Error('expected a problem');
  return result;
};

describe('checkFocusHeader', () => {
  it('accepts a header with every required column, in any order, extra columns allowed', () => {
    expect(checkFocusHeader(['x_Custom', ...[...FOCUS_REQUIRED_COLUMNS].reverse(), 'Tags'])).toEqual([]);
  });

  it('lists the missing required columns in their documented order', () => {
    expect(checkFocusHeader(['BilledCost', 'ServiceName', 'billingcurrency'])).toEqual([
      'EffectiveCost',
      'BillingCurrency',
      'ChargePeriodStart',
      'ChargePeriodEnd',
      'ChargeCategory',
      'ChargeDescription',
      'BillingAccountId',
    ]);
  });
});

describe('focusRowToLine', () => {
  it('maps a row to a bill line with exact amounts and the row kept verbatim', () => {
    const result = line();
    expect(result).toEqual({
      sourceKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      billingDate: '2026-10-05',
      originalServiceName: 'Virtual Machines',
      region: 'westeurope',
      resourceId: '/subscriptions/abc/vm-1',
      usageAccountId: 'abc',
      currency: 'EUR',
      amount: '12.3456789012345678901',
      amortizedAmount: '11.00000000001',
      tags: { env: 'prod', team: 'ml' },
      rawPayload: ROW,
      row: 7,
    });
  });

  it('leaves conditional columns out when empty or absent', () => {
    const result = line({ RegionId: '', ResourceId: undefined, SubAccountId: '', Tags: '' });
    expect(result).not.toHaveProperty('region');
    expect(result).not.toHaveProperty('resourceId');
    expect(result).not.toHaveProperty('usageAccountId');
    expect(result.tags).toEqual({});
  });

  it.each(['1e5', '', 'abc', '+1', '1,000.00', '.5', '5.', '1 000', '0x10', ' 1', 'NaN'])(
    'rejects BilledCost %j',
    (value) => {
      expect(problem({ BilledCost: value })).toEqual({
        row: 7,
        column: 'BilledCost',
        message: `BilledCost "${value}" is not a decimal number (FOCUS Numeric Format)`,
      });
    },
  );

  it.each(['0', '-0.5', '100', '-12345678901234567890.123456789012345678'])(
    'accepts BilledCost %j',
    (value) => {
      expect(line({ BilledCost: value }).amount).toBe(value);
    },
  );

  it('rejects a missing or malformed EffectiveCost', () => {
    expect(problem({ EffectiveCost: '' }).column).toBe('EffectiveCost');
    expect(problem({ EffectiveCost: '2E-3' }).column).toBe('EffectiveCost');
  });

  it.each(['usd', 'XYZ', '', 'US', 'ANG', 'EURO'])('rejects BillingCurrency %j', (value) => {
    expect(problem({ BillingCurrency: value })).toEqual({
      row: 7,
      column: 'BillingCurrency',
      message: `BillingCurrency "${value}" is not an ISO 4217 code`,
    });
  });

  it('knows the current ISO 4217 List One', () => {
    expect(ISO_4217_CODES.size).toBe(178);
    for (const code of ['USD', 'EUR', 'CNY', 'JPY', 'XCG', 'ZWG', 'SLE'])
      expect(ISO_4217_CODES.has(code)).toBe(true);
  });

  it.each([
    ['2026-10-05T00:00:00Z', '2026-10-05'],
    ['2026-10-05T23:59:59.999Z', '2026-10-05'],
    ['2026-10-05 00:00:00Z', '2026-10-05'],
    ['2026-10-05T00:00Z', '2026-10-05'],
    ['2026-10-05T00:00:00+08:00', '2026-10-04'],
    ['2026-10-05T22:30:00-0200', '2026-10-06'],
    ['2024-02-29T12:00:00Z', '2024-02-29'],
  ])('takes the UTC date of ChargePeriodStart %j', (value, date) => {
    expect(line({ ChargePeriodStart: value }).billingDate).toBe(date);
  });

  it.each([
    '2026-10-05',
    '2026-10-05T00:00:00',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-10-05T24:00:00Z',
    '05/10/2026',
    '',
  ])('rejects ChargePeriodStart %j', (value) => {
    expect(problem({ ChargePeriodStart: value }).column).toBe('ChargePeriodStart');
  });

  it('turns Tags JSON into strings: true for valueless tags, numbers as text, nulls dropped', () => {
    expect(line({ Tags: '{"a":"b","flag":true,"n":3,"gone":null,"":"empty key"}' }).tags).toEqual({
      a: 'b',
      flag: 'true',
      n: '3',
      '': 'empty key',
    });
  });

  it.each(['{bad', '[1,2]', 'null', '"text"', '42', '{"nested":{"a":1}}', '{"list":[1]}'])(
    'rejects Tags %j',
    (value) => {
      expect(problem({ Tags: value })).toEqual({
        row: 7,
        column: 'Tags',
        message: 'Tags is not a JSON object of string, number or boolean values',
      });
    },
  );

  it('rejects an empty ServiceName', () => {
    expect(problem({ ServiceName: '' }).column).toBe('ServiceName');
  });

  it('derives the sourceKey from identity columns only', () => {
    const key = line().sourceKey;
    expect(line().sourceKey).toBe(key);
    // A restated cost, tag or display name is the same charge: the key must not move.
    expect(line({ BilledCost: '99', EffectiveCost: '98', Tags: '{}', ListCost: '1' }).sourceKey).toBe(key);
    for (const column of [
      'ResourceId',
      'ChargePeriodStart',
      'SkuPriceId',
      'ChargeCategory',
      'SubAccountId',
    ]) {
      const changed = column === 'ChargePeriodStart' ? '2026-10-06T00:00:00Z' : 'other';
      expect(line({ [column]: changed }).sourceKey, column).not.toBe(key);
    }
    // An absent column and an empty one are the same identity; a shifted value is not.
    expect(line({ ChargeClass: undefined }).sourceKey).toBe(key);
    expect(line({ ChargeClass: 'Usage', ChargeCategory: '' }).sourceKey).not.toBe(key);
  });
});

describe('SourceKeyOrdinals', () => {
  it('keeps the first key and numbers later identical ones, per identity', () => {
    const ordinals = new SourceKeyOrdinals();
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    expect([a, a, b, a, b].map((key) => ordinals.next(key))).toEqual([a, `${a}#2`, b, `${a}#3`, `${b}#2`]);
  });
});
