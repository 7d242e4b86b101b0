import { describe, expect, it } from 'vitest';
import { LeaseLedger, leaseSize, microUnits } from '../../../../shared/domain/gateway/quota';
import { decimal } from '../../../../shared/domain/money';

describe('leaseSize', () => {
  it('leases a tenth of what is left, at least the demand, capped', () => {
    expect(leaseSize(100_000, 0, 500, 50_000)).toBe(10_000);
    expect(leaseSize(100_000, 0, 500, 4_000)).toBe(4_000);
    expect(leaseSize(100_000, 0, 20_000, 4_000)).toBe(20_000);
  });

  it('shrinks to the demand near the limit and refuses what does not fit', () => {
    expect(leaseSize(1_000, 990, 5, 50_000)).toBe(5);
    expect(leaseSize(1_000, 990, 10, 50_000)).toBe(10);
    expect(leaseSize(1_000, 990, 11, 50_000)).toBe(0);
    expect(leaseSize(1_000, 1_000, 1, 50_000)).toBe(0);
  });

  it('never grants past the limit, whatever the order of demands', () => {
    const limit = 5_000;
    let granted = 0;
    for (const demand of [300, 1, 700, 50, 900, 2_000, 10, 4_000, 1, 1, 333, 2]) {
      const size = leaseSize(limit, granted, demand, 1_000);
      if (size > 0) expect(size).toBeGreaterThanOrEqual(demand);
      granted += size;
      expect(granted).toBeLessThanOrEqual(limit);
    }
  });
});

describe('LeaseLedger', () => {
  it('admits from the held balance, settles actual use and releases the rest', () => {
    const ledger = new LeaseLedger();
    expect(ledger.reserve(100)).toEqual({ admitted: false, needLease: 100 });
    ledger.credit(250);
    expect(ledger.reserve(100)).toEqual({ admitted: true });
    expect(ledger.reserve(100)).toEqual({ admitted: true });
    expect(ledger.reserve(100)).toEqual({ admitted: false, needLease: 50 });
    ledger.settle(100, 40);
    expect(ledger.held).toBe(210);
    expect(ledger.inFlight).toBe(100);
    expect(ledger.release()).toBe(110);
    expect(ledger.held).toBe(100);
    ledger.settle(100, 100);
    expect(ledger.held).toBe(0);
  });

  it('refuses to settle more than was reserved', () => {
    const ledger = new LeaseLedger();
    ledger.credit(10);
    ledger.reserve(10);
    expect(() => ledger.settle(10, 11)).toThrow(RangeError);
  });
});

describe('microUnits', () => {
  it('turns money into whole millionths, rounding the way it is told', () => {
    expect(microUnits(decimal('0.0004'), 'down')).toBe(400);
    expect(microUnits(decimal('0.0000001'), 'up')).toBe(1);
    expect(microUnits(decimal('0.0000001'), 'down')).toBe(0);
    expect(microUnits(decimal('12.5'), 'up')).toBe(12_500_000);
  });
});
