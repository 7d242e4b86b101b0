/**
 * Strict quota leases on DynamoDB: a grant is one transaction of two conditional writes (the
 * counter's `granted` may only grow while it stays within `limit`; the holder's lease records what
 * it holds), so concurrent instances and replicas can never together pass the limit.
 *
 * Liveness: every write to a lease renews `leaseExpiresAt` and requires the lease to exist; the
 * reclaimer deletes a lease (returning `amount - spent`) only if it is exactly as it read it. The
 * two race on one item, so either the holder's write lands first (and the reclaim fails) or the
 * reclaim does (and the holder learns its lease is lost). Holder ids are unique per lease, so a
 * reclaimed lease is never revived by a later grant.
 */
import { leaseSize } from '../../domain/gateway/quota';
import type { CounterRef, LeaseGrant, LeaseRequest, QuotaLeaseStore } from '../../ports/quota';
import type { TollgateService } from './entities';
import { isConditionFailure } from './errors';

const MAX_ATTEMPTS = 8;

export interface LeaseSettings {
  /** Largest single lease, in counter units. */
  maxLease: number;
  /** A lease not renewed for this long is reclaimed. */
  leaseTtlMs: number;
}

interface StoredLease {
  groupId: string;
  counter: string;
  instanceId: string;
  amount?: number;
  spent?: number;
  leaseExpiresAt: number;
}

const counterKey = (ref: CounterRef) => `${ref.groupId}|${ref.counter}`;

export class DynamoQuotaLeaseStore implements QuotaLeaseStore {
  /**
   * Per counter: no lease of it can be reclaimable before this instant (ms), as of the last look.
   * Refusals skip the reclaim query until then, so a group over its limit costs one read per
   * refused request, not a query too. A new lease always expires a full TTL after it was taken.
   */
  private readonly noExpiryBefore = new Map<string, number>();

  constructor(
    private readonly db: TollgateService,
    private readonly settings: LeaseSettings,
  ) {}

  get leaseTtlMs(): number {
    return this.settings.leaseTtlMs;
  }

  /** Epoch seconds, rounded up: the lease lives at least the TTL from `nowMs`. */
  private expiry(nowMs: number): number {
    return Math.ceil((nowMs + this.settings.leaseTtlMs) / 1000);
  }

  async read(ref: CounterRef) {
    const { data } = await this.db.entities.quotaCounter.get(ref).go({ consistent: true });
    return data ? { limit: data.limit, granted: data.granted } : null;
  }

  async acquire(
    ref: CounterRef,
    limit: number,
    demand: number,
    request: LeaseRequest,
    nowMs: number,
  ): Promise<LeaseGrant> {
    let reclaimed = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.read(ref);
      const size = leaseSize(limit, current?.granted ?? 0, demand, this.settings.maxLease);
      if (size === 0) {
        // No room: crashed instances may still hold some. Reclaim this counter's expired leases, look again once.
        if (!reclaimed && (await this.reclaimExpired(nowMs, ref)).units > 0) {
          reclaimed = true;
          continue;
        }
        return { outcome: 'refused' };
      }
      const key = { ...ref, instanceId: request.holder };
      const leaseExpiresAt = this.expiry(nowMs);
      const result = await this.db.transaction
        .write(({ quotaCounter, quotaLease }) => [
          current
            ? quotaCounter
                .patch(ref)
                .set({ limit })
                .add({ granted: size })
                .where((a, { lte }) => lte(a.granted, limit - size))
                .commit()
            : quotaCounter.create({ ...ref, limit, granted: size }).commit(),
          request.exists
            ? // patch: only while the lease exists, so a reclaimed lease is never topped up.
              quotaLease
                .patch(key)
                .add({ amount: size, spent: request.spent })
                .set({ leaseExpiresAt })
                .commit()
            : quotaLease.create({ ...key, amount: size, spent: request.spent, leaseExpiresAt }).commit(),
        ])
        .go();
      if (!result.canceled) return { outcome: 'granted', units: size };
      if (result.data[1]?.code === 'ConditionalCheckFailed') return { outcome: 'lost' };
      // Another instance moved the counter first (or the transactions conflicted): size the lease anew.
    }
    return { outcome: 'contended' };
  }

  async recordSpend(ref: CounterRef, holder: string, units: number, nowMs: number): Promise<boolean> {
    try {
      await this.db.entities.quotaLease
        .patch({ ...ref, instanceId: holder })
        .add({ spent: units })
        .set({ leaseExpiresAt: this.expiry(nowMs) })
        .go({ response: 'none' });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async retire(
    ref: CounterRef,
    holder: string,
    recorded: { amount: number; spent: number },
    unused: number,
  ): Promise<boolean> {
    if (!Number.isInteger(unused) || unused < 0 || unused > recorded.amount - recorded.spent)
      throw new RangeError('a lease cannot return more than it holds unspent');
    const result = await this.db.transaction
      .write(({ quotaCounter, quotaLease }) => [
        ...(unused > 0 ? [quotaCounter.patch(ref).subtract({ granted: unused }).commit()] : []),
        quotaLease
          .delete({ ...ref, instanceId: holder })
          .where((a, { eq }) => `${eq(a.amount, recorded.amount)} AND ${eq(a.spent, recorded.spent)}`)
          .commit(),
      ])
      .go();
    return !result.canceled;
  }

  async reclaimExpired(nowMs: number, ref?: CounterRef): Promise<{ leases: number; units: number }> {
    const nowSeconds = Math.floor(nowMs / 1000);
    let candidates: StoredLease[];
    if (ref) {
      const known = this.noExpiryBefore.get(counterKey(ref));
      if (known !== undefined && nowMs < known) return { leases: 0, units: 0 };
      // Base-table query of the counter's leases (consistent), not the expiry index.
      const { data } = await this.db.entities.quotaLease.query
        .byHolder(ref)
        .go({ pages: 'all', consistent: true });
      // The sort key prefix of `D#x` also matches `D#x#…`: keep this counter's own leases.
      candidates = data.filter((lease) => lease.counter === ref.counter);
    } else {
      const { data } = await this.db.entities.quotaLease.query
        .byExpiry({})
        .lt({ leaseExpiresAt: nowSeconds })
        .go({ pages: 'all' });
      candidates = data;
    }
    let leases = 0;
    let units = 0;
    let nextExpiryMs = nowMs + this.settings.leaseTtlMs;
    let raced = false;
    for (const lease of candidates) {
      if (lease.leaseExpiresAt >= nowSeconds) {
        nextExpiryMs = Math.min(nextExpiryMs, (lease.leaseExpiresAt + 1) * 1000);
        continue;
      }
      const unused = await this.reclaim(lease);
      if (unused === null) raced = true;
      else {
        leases += 1;
        units += unused;
      }
    }
    // A lease renewed while we looked has an expiry we did not read: look again next time.
    if (ref) this.noExpiryBefore.set(counterKey(ref), raced ? nowMs : nextExpiryMs);
    return { leases, units };
  }

  /** Returns the unspent part of one expired lease; null when its holder came back in the meantime. */
  private async reclaim(lease: StoredLease): Promise<number | null> {
    const amount = lease.amount ?? 0;
    const spent = lease.spent ?? 0;
    const unused = Math.max(amount - spent, 0);
    const ref = { groupId: lease.groupId, counter: lease.counter };
    // Only if the lease is exactly as read: any renewal changes leaseExpiresAt, any spend `spent`.
    const result = await this.db.transaction
      .write(({ quotaCounter, quotaLease }) => [
        ...(unused > 0 ? [quotaCounter.patch(ref).subtract({ granted: unused }).commit()] : []),
        quotaLease
          .delete({ ...ref, instanceId: lease.instanceId })
          .where(
            (a, { eq }) =>
              `${eq(a.amount, amount)} AND ${eq(a.spent, spent)} AND ${eq(a.leaseExpiresAt, lease.leaseExpiresAt)}`,
          )
          .commit(),
      ])
      .go();
    return result.canceled ? null : unused;
  }
}
