/**
 * One instance's gate in front of strict quotas: requests reserve their worst case from a local
 * lease ledger (no table round trip while the lease lasts), fetch a new lease from the shared
 * counter when the ledger runs dry, and settle their actual use afterwards.
 */
import { LeaseLedger } from '../domain/gateway/quota';
import type { Clock } from '../ports/clock';
import type { CounterRef, QuotaLeaseStore } from '../ports/quota';

export interface Reservation {
  ref: CounterRef;
  units: number;
  /** The share of the limit granted to all instances once this reservation took a new lease (else null). */
  grantedShare: number | null;
}

export class QuotaGate {
  private readonly ledgers = new Map<string, LeaseLedger>();
  /** The limit each ledger's lease was granted under: a changed limit invalidates what is held. */
  private readonly limits = new Map<string, number>();
  /** Lease requests per counter run one at a time, so an instance never races itself. */
  private readonly acquiring = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: QuotaLeaseStore,
    private readonly instanceId: string,
    private readonly clock: Clock,
  ) {}

  private key(ref: CounterRef): string {
    return `${ref.groupId}|${ref.counter}`;
  }

  private ledger(ref: CounterRef): LeaseLedger {
    const key = this.key(ref);
    let ledger = this.ledgers.get(key);
    if (!ledger) this.ledgers.set(key, (ledger = new LeaseLedger()));
    return ledger;
  }

  private serialized<T>(ref: CounterRef, work: () => Promise<T>): Promise<T> {
    const key = this.key(ref);
    const next = (this.acquiring.get(key) ?? Promise.resolve()).then(work, work);
    this.acquiring.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Reserves `units` against a counter with `limit`; null when the limit leaves no room (→ 429). */
  async admit(ref: CounterRef, limit: number, units: number): Promise<Reservation | null> {
    const ledger = this.ledger(ref);
    const key = this.key(ref);
    const leasedUnder = this.limits.get(key);
    if (leasedUnder !== limit) {
      this.limits.set(key, limit);
      // Units leased under another limit go back first, so a lowered limit takes effect at once.
      if (leasedUnder !== undefined) {
        await this.serialized(ref, () => this.store.giveBack(ref, this.instanceId, ledger.release()));
      }
    }
    if (ledger.reserve(units).admitted) return { ref, units, grantedShare: null };
    return this.serialized(ref, async () => {
      const again = ledger.reserve(units);
      if (again.admitted) return { ref, units, grantedShare: null };
      const granted = await this.store.acquire(
        ref,
        limit,
        again.needLease,
        this.instanceId,
        this.clock.now().getTime(),
      );
      if (granted === 0) return null;
      ledger.credit(granted);
      if (!ledger.reserve(units).admitted) return null;
      // Leases are rare (one per many calls), so reading the counter here costs little.
      const counter = await this.store.read(ref);
      return { ref, units, grantedShare: counter && limit > 0 ? counter.granted / limit : null };
    });
  }

  /** After the response: spend what was actually used (≤ reserved) and record it for reclaim accounting. */
  async settle(reservation: Reservation, actualUnits: number): Promise<void> {
    this.ledger(reservation.ref).settle(reservation.units, actualUnits);
    if (actualUnits > 0) {
      await this.store.recordSpend(reservation.ref, this.instanceId, actualUnits, this.clock.now().getTime());
    }
  }

  /** Gives every unreserved unit back (on idle or shutdown). */
  async release(): Promise<void> {
    await Promise.all(
      [...this.ledgers.entries()].map(([key, ledger]) => {
        const [groupId = '', counter = ''] = key.split('|');
        return this.serialized({ groupId, counter }, () =>
          this.store.giveBack({ groupId, counter }, this.instanceId, ledger.release()),
        );
      }),
    );
  }
}
