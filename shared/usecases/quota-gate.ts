/**
 * One instance's gate in front of strict quotas: requests reserve their worst case from a local
 * lease (no table round trip while the lease lasts), fetch more from the shared counter when it
 * runs dry, and settle their actual use locally. Settled spend is written in the background, one
 * write per lease per round (every `flushIntervalMs`), or with the next grant when a request needs
 * more; idle leases go back to the counter.
 *
 * Lease liveness (why an instance never spends from a lease another may have reclaimed): the
 * instance spends from a lease only while it is fresh, i.e. within FRESH_SHARE of the TTL since
 * the moment it sent the last write that renewed it. Past that, the next admission first renews it
 * with a write that requires the lease to still exist; if the reclaimer took it, the write fails,
 * the local balance is dropped (the reclaimer returned it) and a new lease, under a new holder id,
 * is taken. While requests are in flight a heartbeat renews the lease every third of the TTL, so
 * their spend still has a lease to land on when they settle.
 *
 * What write-behind costs: spend settled in the last round before an instance dies (a crash, or a
 * Lambda sandbox frozen and then discarded) is not in the table; the reclaimer returns it as
 * unspent. Call `flush()` before a sandbox may freeze and `release()` on shutdown to close that gap.
 */
import { HEARTBEAT_SHARE, LeaseLedger } from '../domain/gateway/quota';
import type { Clock } from '../ports/clock';
import type { CounterRef, LeaseGrant, QuotaLeaseStore } from '../ports/quota';

export interface Reservation {
  ref: CounterRef;
  units: number;
  /** The share of the limit granted to all instances once this reservation took a new lease (else null). */
  grantedShare: number | null;
}

export interface QuotaGateSettings {
  /** Settled spend reaches the table at most about this long after it settled. */
  flushIntervalMs: number;
  /** A lease with nothing in flight and no request started or ended for this long goes back. */
  idleReleaseMs: number;
}

interface CounterState {
  readonly key: string;
  readonly ref: CounterRef;
  limit: number | undefined;
  /** The lease new reservations come from. */
  current: LeaseLedger | undefined;
  /** Leases that admit no more: their requests in flight settle, their spend is written, then they go back. */
  readonly closing: Set<LeaseLedger>;
  /** Table writes for one counter run one at a time, so an instance never races itself. */
  queue: Promise<unknown>;
  /** Jobs queued or running on `queue`. */
  busy: number;
  /** Admissions that went to the queue so far (numbers them in arrival order). */
  arrivals: number;
  /**
   * The last refused grant: the counter could not give `need` units, as read after every
   * admission up to `arrivalsBefore` arrived. Those still queued that need as much are refused
   * without another read, so a burst over the limit costs one read per instance, not per request.
   */
  refusal?: { need: number; limit: number; arrivalsBefore: number };
}

/** How often a request that lost the race for a fresh grant to concurrent ones tries again. */
const ADMIT_ROUNDS = 3;

const rethrowFailures = (results: PromiseSettledResult<unknown>[], what: string): void => {
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length > 0) throw new AggregateError(errors, `${what}: ${errors.length} counter(s) failed`);
};

/** One per process (Lambda sandbox); `instanceId` prefixes the holder id of every lease it takes. */
export class QuotaGate {
  private readonly counters = new Map<string, CounterState>();
  private readonly leaseOf = new WeakMap<Reservation, LeaseLedger>();
  private readonly settings: QuotaGateSettings;
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly store: QuotaLeaseStore,
    private readonly instanceId: string,
    private readonly clock: Clock,
    settings: Partial<QuotaGateSettings> = {},
  ) {
    this.settings = {
      flushIntervalMs: 50,
      idleReleaseMs: Math.floor(store.leaseTtlMs * HEARTBEAT_SHARE),
      ...settings,
    };
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private counter(ref: CounterRef): CounterState {
    const key = `${ref.groupId}|${ref.counter}`;
    let state = this.counters.get(key);
    if (!state) {
      state = {
        key,
        ref: { groupId: ref.groupId, counter: ref.counter },
        limit: undefined,
        current: undefined,
        closing: new Set(),
        queue: Promise.resolve(),
        busy: 0,
        arrivals: 0,
      };
      this.counters.set(key, state);
    }
    return state;
  }

  private serialized<T>(state: CounterState, work: () => Promise<T>): Promise<T> {
    state.busy += 1;
    const next = state.queue.then(work, work).finally(() => {
      state.busy -= 1;
    });
    state.queue = next.catch(() => undefined);
    return next;
  }

  private reservation(ref: CounterRef, units: number, grantedShare: number | null, lease?: LeaseLedger) {
    const reservation: Reservation = { ref, units, grantedShare };
    if (lease) this.leaseOf.set(reservation, lease);
    this.ensureTicking();
    return reservation;
  }

  /** Reserves `units` against a counter with `limit`; null when the limit leaves no room (→ 429). */
  async admit(ref: CounterRef, limit: number, units: number): Promise<Reservation | null> {
    // Nothing to spend always fits, even a used-up limit.
    if (units === 0) return this.reservation(ref, 0, null);
    const state = this.counter(ref);
    if (state.limit !== limit) {
      const changed = state.limit !== undefined;
      state.limit = limit;
      if (changed && state.current) {
        // Units leased under another limit go back first, so a lowered limit takes effect at once
        // (what is reserved by requests in flight goes back when they settle).
        this.closeCurrent(state);
        await this.serialized(state, () => this.drain(state));
      }
    }
    const lease = state.current;
    if (lease?.reserve(units, this.now()).admitted) return this.reservation(state.ref, units, null, lease);
    const arrival = ++state.arrivals;
    return this.serialized(state, () => this.admitWithWrite(state, limit, units, arrival));
  }

  /** Admission that needs the table: a renewal of a stale lease, more units, or a new lease. */
  private async admitWithWrite(
    state: CounterState,
    limit: number,
    units: number,
    arrival: number,
  ): Promise<Reservation | null> {
    for (let round = 0; round < ADMIT_ROUNDS; round++) {
      const nowMs = this.now();
      let lease = state.current;
      if (lease) {
        const admission = lease.reserve(units, nowMs);
        if (admission.admitted) return this.reservation(state.ref, units, null, lease);
        if (admission.needLease === 0) {
          // Enough is held, but the lease is past its fresh window: renew it before spending from it.
          if (await this.write(state, lease)) continue;
          lease = state.current;
        }
      }
      lease ??= this.newLease(state, nowMs);
      const need = units - lease.free;
      const { refusal } = state;
      if (refusal && arrival <= refusal.arrivalsBefore && limit === refusal.limit && need >= refusal.need)
        return null;
      const arrivalsBefore = state.arrivals;
      const spent = lease.beginWrite();
      let grant: LeaseGrant;
      try {
        grant = await this.store.acquire(
          state.ref,
          limit,
          need,
          { holder: lease.holder, exists: lease.exists, spent },
          nowMs,
        );
      } catch (err) {
        lease.writeFailed(spent);
        // Unknown outcome: the table may hold more for this lease than we know. Stop using it; it
        // goes back through a conditional write (which then fails) or the reclaimer.
        lease.assumeExists();
        if (state.current === lease) this.closeCurrent(state);
        throw err;
      }
      if (grant.outcome === 'refused' || grant.outcome === 'contended') {
        lease.writeFailed(spent);
        // Only a real refusal says something about the requests queued behind this one.
        if (grant.outcome === 'refused') state.refusal = { need, limit, arrivalsBefore };
        return null;
      }
      if (grant.outcome === 'lost') {
        // Reclaimed although we thought it fresh (a clock far off): its units are back on the counter.
        lease.writeFailed(spent);
        lease.lose();
        if (state.current === lease) this.closeCurrent(state);
        continue;
      }
      lease.writeSucceeded(spent, nowMs);
      lease.credit(grant.units, nowMs);
      // Requests on the fast path may have taken part of the grant meanwhile: then try again.
      if (!lease.reserve(units, this.now()).admitted) continue;
      // Leases are rare (one per many calls), so reading the counter here costs little. The units
      // are reserved now: a failed read must not lose the reservation (only the threshold check).
      const counter = await this.store.read(state.ref).catch(() => null);
      return this.reservation(state.ref, units, counter && limit > 0 ? counter.granted / limit : null, lease);
    }
    return null;
  }

  private newLease(state: CounterState, nowMs: number): LeaseLedger {
    // A fresh holder id per lease: a reclaimed lease can never be revived by a later grant.
    const lease = new LeaseLedger(`${this.instanceId}.${++this.sequence}`, this.store.leaseTtlMs, nowMs);
    state.current = lease;
    return lease;
  }

  /** New reservations stop coming from the current lease; it goes back once what is in flight settles. */
  private closeCurrent(state: CounterState): void {
    const lease = state.current;
    if (!lease) return;
    state.current = undefined;
    lease.close();
    if (lease.exists) state.closing.add(lease);
  }

  /**
   * Writes a lease's unwritten spend (0: a heartbeat) and renews it. False when the lease is gone:
   * then it is marked lost and replaced. Runs inside the counter's queue.
   */
  private async write(state: CounterState, lease: LeaseLedger): Promise<boolean> {
    const units = lease.beginWrite();
    const sentAtMs = this.now();
    let alive: boolean;
    try {
      alive = await this.store.recordSpend(state.ref, lease.holder, units, sentAtMs);
    } catch (err) {
      lease.writeFailed(units);
      throw err;
    }
    if (alive) {
      lease.writeSucceeded(units, sentAtMs);
      return true;
    }
    lease.writeFailed(units);
    lease.lose();
    if (state.current === lease) this.closeCurrent(state);
    return false;
  }

  /** Writes, renews and returns the closing leases as far as their requests in flight allow. */
  private async drain(state: CounterState): Promise<void> {
    for (const lease of [...state.closing]) {
      if (lease.status !== 'lost') await this.giveBack(state, lease);
      if (lease.finished) state.closing.delete(lease);
    }
  }

  private async giveBack(state: CounterState, lease: LeaseLedger): Promise<void> {
    const nowMs = this.now();
    if ((lease.unwritten > 0 || lease.heartbeatDue(nowMs)) && !(await this.write(state, lease))) return;
    if (lease.inFlight > 0) return;
    // Everything spent is written: the conditional delete returns exactly what is left. If it
    // fails, the lease changed under us or is gone; the reclaimer settles it either way.
    await this.store.retire(state.ref, lease.holder, lease.recorded, lease.held);
    // Done with it either way: nothing is admitted from or written to it again.
    lease.lose();
  }

  /** One background round for a counter: idle leases go back, settled spend is written, heartbeats. */
  private async maintain(state: CounterState): Promise<void> {
    const nowMs = this.now();
    const lease = state.current;
    if (
      lease &&
      lease.inFlight === 0 &&
      (lease.isIdle(nowMs, this.settings.idleReleaseMs) || !lease.isFresh(nowMs))
    )
      this.closeCurrent(state);
    else if (lease && (lease.unwritten > 0 || lease.heartbeatDue(nowMs))) await this.write(state, lease);
    await this.drain(state);
  }

  private ensureTicking(): void {
    if (this.timer || this.ticking) return;
    this.timer = setTimeout(() => void this.tick(), this.settings.flushIntervalMs);
    // Never keeps a process alive on its own; shutdown goes through release().
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.ticking = true;
    try {
      // A failed write keeps its units for the next round; admissions report table errors themselves.
      await Promise.allSettled(
        [...this.counters.values()].map((s) => this.serialized(s, () => this.maintain(s))),
      );
    } finally {
      this.ticking = false;
    }
    for (const [key, state] of this.counters) {
      if (state.busy === 0 && !state.current && state.closing.size === 0) this.counters.delete(key);
    }
    if (this.counters.size > 0) this.ensureTicking();
  }

  /** After the response: spend what was actually used (≤ reserved); it reaches the table in the background. */
  async settle(reservation: Reservation, actualUnits: number): Promise<void> {
    const lease = this.leaseOf.get(reservation);
    // Settling twice must not spend twice.
    if (!lease) return;
    this.leaseOf.delete(reservation);
    lease.settle(reservation.units, actualUnits, this.now());
    this.ensureTicking();
  }

  /** Writes every settled unit now (one write per lease), e.g. before a Lambda sandbox may freeze. */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.counters.values()].map((state) =>
        this.serialized(state, async () => {
          for (const lease of [state.current, ...state.closing]) {
            if (lease && lease.status !== 'lost' && lease.unwritten > 0) await this.write(state, lease);
          }
        }),
      ),
    );
    rethrowFailures(results, 'Quota spend flush');
  }

  /**
   * Writes all spend and gives every unreserved unit back (on idle or shutdown). Leases with
   * requests still in flight go back as those settle; call it once they have finished.
   */
  async release(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.counters.values()].map((state) =>
        this.serialized(state, async () => {
          this.closeCurrent(state);
          await this.drain(state);
        }),
      ),
    );
    rethrowFailures(results, 'Quota release');
  }
}
