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
  const TTL = 120_000;
  const t0 = 1_000_000;

  it('admits from the held balance, settles actual use and knows what is left to write', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    expect(ledger.exists).toBe(false);
    expect(ledger.reserve(100, t0)).toEqual({ admitted: false, needLease: 100 });
    ledger.credit(250, t0);
    expect(ledger.exists).toBe(true);
    expect(ledger.reserve(100, t0)).toEqual({ admitted: true });
    expect(ledger.reserve(100, t0)).toEqual({ admitted: true });
    expect(ledger.reserve(100, t0)).toEqual({ admitted: false, needLease: 50 });
    ledger.settle(100, 40, t0);
    expect(ledger.held).toBe(210);
    expect(ledger.inFlight).toBe(100);
    expect(ledger.free).toBe(110);
    expect(ledger.unwritten).toBe(40);
    // What the table knows: the grant, none of the spend yet.
    expect(ledger.recorded).toEqual({ amount: 250, spent: 0 });
  });

  it('refuses to settle more than was reserved', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(10, t0);
    ledger.reserve(10, t0);
    expect(() => ledger.settle(10, 11, t0)).toThrow(RangeError);
    expect(() => ledger.settle(20, 5, t0)).toThrow(RangeError);
  });

  it('spends without a write only within three quarters of the TTL after the last renewal was sent', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(1_000, t0);
    expect(ledger.reserve(10, t0 + 0.75 * TTL - 1)).toEqual({ admitted: true });
    // Enough is held, but the reclaimer may take the lease a quarter TTL later: renew first.
    expect(ledger.reserve(10, t0 + 0.75 * TTL)).toEqual({ admitted: false, needLease: 0 });
    expect(ledger.reserve(2_000, t0 + TTL)).toEqual({ admitted: false, needLease: 1_010 });
    ledger.writeSucceeded(ledger.beginWrite(), t0 + TTL);
    expect(ledger.reserve(10, t0 + TTL)).toEqual({ admitted: true });
  });

  it('counts the renewal from when the write was sent, and never moves it back', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(100, t0 + 10_000);
    // A slow write that was sent earlier but answered later must not extend the window.
    ledger.writeSucceeded(ledger.beginWrite(), t0);
    expect(ledger.isFresh(t0 + 10_000 + 0.75 * TTL - 1)).toBe(true);
    expect(ledger.isFresh(t0 + 10_000 + 0.75 * TTL)).toBe(false);
  });

  it('writes settled spend once: a failed write gives its units to the next one', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(100, t0);
    ledger.reserve(30, t0);
    ledger.reserve(30, t0);
    ledger.settle(30, 20, t0);
    const first = ledger.beginWrite();
    expect(first).toBe(20);
    // Spend settled while a write is out goes with the next write, not this one.
    ledger.settle(30, 25, t0);
    expect(ledger.unwritten).toBe(25);
    ledger.writeFailed(first);
    expect(ledger.unwritten).toBe(45);
    const second = ledger.beginWrite();
    ledger.writeSucceeded(second, t0 + 1);
    expect(ledger.unwritten).toBe(0);
    expect(ledger.recorded).toEqual({ amount: 100, spent: 45 });
  });

  it('heartbeats only with requests in flight, a third of the TTL after the last renewal', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(100, t0);
    expect(ledger.heartbeatDue(t0 + TTL)).toBe(false);
    ledger.reserve(10, t0);
    expect(ledger.heartbeatDue(t0 + TTL / 3 - 1)).toBe(false);
    expect(ledger.heartbeatDue(t0 + TTL / 3)).toBe(true);
    ledger.writeSucceeded(ledger.beginWrite(), t0 + TTL / 3);
    expect(ledger.heartbeatDue(t0 + TTL / 3 + 1)).toBe(false);
  });

  it('is idle once nothing is in flight and nothing was reserved for a while', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(100, t0);
    ledger.reserve(10, t0 + 5_000);
    expect(ledger.isIdle(t0 + 60_000, 40_000)).toBe(false);
    // A long request: idleness counts from when it ended, not from when it started.
    ledger.settle(10, 10, t0 + 30_000);
    expect(ledger.isIdle(t0 + 69_999, 40_000)).toBe(false);
    expect(ledger.isIdle(t0 + 70_000, 40_000)).toBe(true);
  });

  it('admits nothing once closed or lost, and is finished when its requests settled and spend is written', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    ledger.credit(100, t0);
    ledger.reserve(40, t0);
    ledger.close();
    expect(ledger.status).toBe('closed');
    expect(ledger.reserve(1, t0)).toEqual({ admitted: false, needLease: 1 });
    expect(ledger.finished).toBe(false);
    ledger.settle(40, 30, t0);
    // Its spend must still reach the table before it can be returned.
    expect(ledger.finished).toBe(false);
    ledger.writeSucceeded(ledger.beginWrite(), t0);
    expect(ledger.finished).toBe(true);
    expect(ledger.held).toBe(70);

    const lost = new LeaseLedger('i.2', TTL, t0);
    lost.credit(100, t0);
    lost.reserve(50, t0);
    lost.lose();
    expect(lost.reserve(1, t0)).toEqual({ admitted: false, needLease: 1 });
    // A lost lease has nowhere to write: it is finished as soon as nothing is in flight.
    expect(lost.heartbeatDue(t0 + TTL)).toBe(false);
    lost.settle(50, 50, t0);
    expect(lost.finished).toBe(true);
  });

  it('an active lease is never finished', () => {
    const ledger = new LeaseLedger('i.1', TTL, t0);
    expect(ledger.finished).toBe(false);
    ledger.assumeExists();
    expect(ledger.exists).toBe(true);
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
