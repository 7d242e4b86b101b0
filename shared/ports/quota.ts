/** A strict quota counter: a group's tokens for a day (`D#2026-11-24`) or budget for a month (`M#2026-11#USD`). */
export interface CounterRef {
  groupId: string;
  counter: string;
}

/** The lease a grant is for: `holder` names it; `exists` says whether to add to it or create it. */
export interface LeaseRequest {
  holder: string;
  /** True: add to the holder's lease, which must still exist (else `lost`); false: create it. */
  exists: boolean;
  /** Settled units not yet written, recorded with the grant (so a grant also flushes spend). */
  spent: number;
}

export type LeaseGrant =
  | { outcome: 'granted'; units: number }
  /** Even the demand does not fit under the limit (after reclaiming this counter's expired leases). */
  | { outcome: 'refused' }
  /** The holder's lease is gone (reclaimed) or, on create, already there: use a new holder. */
  | { outcome: 'lost' }
  /** Other instances moved the counter under every attempt: nothing granted, though room may be left. */
  | { outcome: 'contended' };

/**
 * The shared side of strict quotas (ARCHITECTURE §5: counters use conditional atomic adds). Every
 * unit an instance may spend was first granted here, and grants never pass the limit. Every write
 * to a lease is conditional on the lease still existing, and a reclaim is conditional on the lease
 * being exactly as read, so a unit is returned to the counter at most once: by its holder or by
 * the reclaimer, never both.
 */
export interface QuotaLeaseStore {
  /** A lease not renewed for this long may be reclaimed. */
  readonly leaseTtlMs: number;
  /**
   * Grants `request.holder` a lease sized for `demand` (see leaseSize) and renews it. When the
   * limit leaves no room, first reclaims this counter's expired leases and tries once more.
   */
  acquire(
    ref: CounterRef,
    limit: number,
    demand: number,
    request: LeaseRequest,
    nowMs: number,
  ): Promise<LeaseGrant>;
  /** Records spent units (0: a heartbeat) and renews the lease; false when the lease is gone. */
  recordSpend(ref: CounterRef, holder: string, units: number, nowMs: number): Promise<boolean>;
  /**
   * Returns `unused` units to the counter and deletes the lease, only if it is exactly as
   * `recorded` (else false, and the reclaimer deals with it once it expires).
   */
  retire(
    ref: CounterRef,
    holder: string,
    recorded: { amount: number; spent: number },
    unused: number,
  ): Promise<boolean>;
  /**
   * Returns the unspent part of every lease (of `ref` only, when given) not renewed within the TTL
   * as of `nowMs`, and deletes those leases.
   */
  reclaimExpired(nowMs: number, ref?: CounterRef): Promise<{ leases: number; units: number }>;
  read(ref: CounterRef): Promise<{ limit: number; granted: number } | null>;
}
