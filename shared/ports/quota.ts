/** A strict quota counter: a group's tokens for a day (`D#2026-11-24`) or budget for a month (`M#2026-11`). */
export interface CounterRef {
  groupId: string;
  counter: string;
}

/**
 * The shared side of strict quotas (ARCHITECTURE §5: counters use conditional atomic adds). Every
 * unit an instance may spend was first granted here, and grants never pass the limit.
 */
export interface QuotaLeaseStore {
  /** Grants this instance a lease sized for `demand` (see leaseSize); 0 when even the demand does not fit. */
  acquire(ref: CounterRef, limit: number, demand: number, instanceId: string, nowMs: number): Promise<number>;
  /** Records units spent from this instance's lease and keeps the lease alive. */
  recordSpend(ref: CounterRef, instanceId: string, units: number, nowMs: number): Promise<void>;
  /** Returns unspent units of this instance's lease to the counter. */
  giveBack(ref: CounterRef, instanceId: string, units: number): Promise<void>;
  /** Returns the unspent part of every lease whose holder stopped renewing it; how many units. */
  reclaimExpired(nowMs: number): Promise<number>;
  read(ref: CounterRef): Promise<{ limit: number; granted: number } | null>;
}
