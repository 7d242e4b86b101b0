/**
 * Strict quotas without a table round trip per request. A group's counter in the table holds
 * `limit` and `granted`; an instance takes a lease (one conditional atomic add to `granted`) and
 * spends it locally. A request reserves its worst case (prompt estimate + max output) before it is
 * sent and settles its actual use after, so admitted use can never pass the limit: every unit
 * spent was granted, and grants never exceed the limit.
 *
 * Units are integers (tokens, or money in micro-units) so the arithmetic is exact.
 */

import type { DecimalValue } from '../money';

/** Money as whole millionths (exact for every price in the table), for integer quota counters. */
export const microUnits = (amount: DecimalValue, round: 'up' | 'down'): number =>
  amount.times(1_000_000)[round === 'up' ? 'ceil' : 'floor']().toNumber();

/** At most this share of what is left is leased to one instance at a time. */
const LEASE_FRACTION = 0.1;

/**
 * How much to lease for a demand: a tenth of what is left (so other instances still find budget),
 * at least the demand itself, never more than is left, never more than `maxLease`. As the limit
 * nears, leases shrink to the demand, so the last units are not stranded in idle instances.
 * Returns 0 when even the demand does not fit.
 */
export const leaseSize = (limit: number, granted: number, demand: number, maxLease: number): number => {
  const remaining = limit - granted;
  if (demand > remaining) return 0;
  return Math.min(remaining, Math.max(demand, Math.min(maxLease, Math.ceil(remaining * LEASE_FRACTION))));
};

export type Admission = { admitted: true } | { admitted: false; needLease: number };

/**
 * One instance's view of one counter: the balance it holds and what is reserved by requests in
 * flight. Pure bookkeeping; the lease store does the atomic table writes.
 */
export class LeaseLedger {
  private balance = 0;
  private reserved = 0;

  /** Units granted to this instance and not yet spent or returned. */
  get held(): number {
    return this.balance;
  }

  get inFlight(): number {
    return this.reserved;
  }

  credit(units: number): void {
    if (!Number.isInteger(units) || units < 0)
      throw new RangeError('lease units must be a non-negative integer');
    this.balance += units;
  }

  /** Reserve a request's worst case from the local balance, or say how much more is needed. */
  reserve(units: number): Admission {
    if (units <= this.balance - this.reserved) {
      this.reserved += units;
      return { admitted: true };
    }
    return { admitted: false, needLease: units - (this.balance - this.reserved) };
  }

  /** After the response: spend the actual use (≤ the reservation) and free the rest. */
  settle(reservedUnits: number, actualUnits: number): void {
    if (actualUnits > reservedUnits) throw new RangeError('actual use exceeds the reservation');
    this.reserved -= reservedUnits;
    this.balance -= actualUnits;
  }

  /** Unreserved balance to give back to the counter (idle or shutdown); the ledger forgets it. */
  release(): number {
    const free = this.balance - this.reserved;
    this.balance -= free;
    return free;
  }
}
