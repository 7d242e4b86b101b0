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

/**
 * Share of the lease TTL, counted from the last renewal, in which the holder spends without a
 * write. The rest (a quarter of the TTL, 30 s by default) is the margin that keeps the holder off
 * a lease the reclaimer may take: the reclaimer waits the whole TTL by its own clock, and the
 * holder counts from the moment it *sent* the renewal, so write latency and clock skew up to the
 * margin only ever make the holder stop early.
 */
export const FRESH_SHARE = 0.75;
/**
 * With requests in flight the holder renews after this share of the TTL, so the lease that will
 * absorb their spend stays unreclaimable while they run (two more attempts fit in the window).
 */
export const HEARTBEAT_SHARE = 1 / 3;

export type Admission =
  | { admitted: true }
  /**
   * Not from what is held now: `needLease` more units must be leased first, or with 0, enough is
   * held but the lease is past its fresh window and must be renewed (a conditional write) first.
   */
  | { admitted: false; needLease: number };

/** `active`: admits; `closed`: settles and writes only (being returned or replaced); `lost`: reclaimed by another. */
export type LeaseStatus = 'active' | 'closed' | 'lost';

/**
 * One instance's view of one lease (one holder id on one counter): what was granted, what is
 * reserved by requests in flight, what was spent and how much of that the table already knows,
 * and whether the lease is fresh enough to spend from without a write. Pure bookkeeping; the gate
 * does the writes and tells the ledger how they went.
 */
export class LeaseLedger {
  private amount = 0;
  private spent = 0;
  /** Spent units the table knows about. */
  private written = 0;
  /** Spent units in a write whose outcome is pending. */
  private writing = 0;
  private reserved = 0;
  private granted = false;
  private renewedAtMs = Number.NEGATIVE_INFINITY;
  private lastUsedAtMs: number;
  private state: LeaseStatus = 'active';

  constructor(
    /** The lease's id in the table; unique per lease, so a reclaimed lease is never revived. */
    readonly holder: string,
    private readonly ttlMs: number,
    nowMs: number,
  ) {
    this.lastUsedAtMs = nowMs;
  }

  get status(): LeaseStatus {
    return this.state;
  }

  /** True once a grant created the lease in the table. */
  get exists(): boolean {
    return this.granted;
  }

  /** Granted and not spent (includes what is reserved). */
  get held(): number {
    return this.amount - this.spent;
  }

  get inFlight(): number {
    return this.reserved;
  }

  /** What a new request may reserve. */
  get free(): number {
    return this.amount - this.spent - this.reserved;
  }

  /** Spent units no write carries yet. */
  get unwritten(): number {
    return this.spent - this.written - this.writing;
  }

  /** The lease as this instance last wrote it (`amount`, `spent`): the condition for returning it. */
  get recorded(): { amount: number; spent: number } {
    return { amount: this.amount, spent: this.written };
  }

  isFresh(nowMs: number): boolean {
    return nowMs < this.renewedAtMs + this.ttlMs * FRESH_SHARE;
  }

  /** Requests in flight and the last renewal a third of the TTL ago: renew, even with nothing to write. */
  heartbeatDue(nowMs: number): boolean {
    return (
      this.state !== 'lost' && this.reserved > 0 && nowMs >= this.renewedAtMs + this.ttlMs * HEARTBEAT_SHARE
    );
  }

  /** Nothing in flight, and no request started or ended for `idleMs`. */
  isIdle(nowMs: number, idleMs: number): boolean {
    return this.reserved === 0 && nowMs - this.lastUsedAtMs >= idleMs;
  }

  /** Not admitting any more, and nothing left to settle or write: the gate can forget it. */
  get finished(): boolean {
    if (this.state === 'active' || this.reserved > 0) return false;
    return this.state === 'lost' || (this.unwritten === 0 && this.writing === 0);
  }

  /** A write that granted `units` (and renewed the lease) was sent at `sentAtMs`. */
  credit(units: number, sentAtMs: number): void {
    if (!Number.isInteger(units) || units < 0)
      throw new RangeError('lease units must be a non-negative integer');
    this.amount += units;
    this.granted = true;
    this.renew(sentAtMs);
  }

  /** Reserve a request's worst case from the free balance of a fresh, active lease. */
  reserve(units: number, nowMs: number): Admission {
    if (this.state !== 'active') return { admitted: false, needLease: units };
    const missing = units - this.free;
    if (missing > 0 || !this.isFresh(nowMs)) return { admitted: false, needLease: Math.max(missing, 0) };
    this.reserved += units;
    this.lastUsedAtMs = nowMs;
    return { admitted: true };
  }

  /** After the response (at `nowMs`): spend the actual use (≤ the reservation) and free the rest. */
  settle(reservedUnits: number, actualUnits: number, nowMs: number): void {
    if (actualUnits > reservedUnits) throw new RangeError('actual use exceeds the reservation');
    if (reservedUnits > this.reserved) throw new RangeError('settling more than is reserved');
    this.reserved -= reservedUnits;
    this.spent += actualUnits;
    // In use until its last request ended: idleness counts from here, however long that request ran.
    this.lastUsedAtMs = Math.max(this.lastUsedAtMs, nowMs);
  }

  /** Starts a write carrying the unwritten spend; report it with writeSucceeded or writeFailed. */
  beginWrite(): number {
    const units = this.unwritten;
    this.writing += units;
    return units;
  }

  /** The write carrying `units` (and renewing the lease) applied; it was sent at `sentAtMs`. */
  writeSucceeded(units: number, sentAtMs: number): void {
    this.writing -= units;
    this.written += units;
    this.renew(sentAtMs);
  }

  /** The write did not apply, or its outcome is unknown: the units go out again with the next one. */
  writeFailed(units: number): void {
    this.writing -= units;
  }

  /**
   * A write whose outcome is unknown may have created or grown the lease in the table: count it as
   * existing, so it is returned through a conditional write or left to the reclaimer, never ignored.
   */
  assumeExists(): void {
    this.granted = true;
  }

  /** Stop admitting from this lease; it is being returned or replaced once what is in flight settles. */
  close(): void {
    if (this.state === 'active') this.state = 'closed';
  }

  /** The lease is gone from the table (reclaimed): nothing is admitted from it or written to it again. */
  lose(): void {
    this.state = 'lost';
  }

  private renew(sentAtMs: number): void {
    this.renewedAtMs = Math.max(this.renewedAtMs, sentAtMs);
  }
}
