/**
 * Strict quota leases on DynamoDB: a grant is one transaction of two conditional writes (the
 * counter's `granted` may only grow while it stays within `limit`; the holder's lease records what
 * it holds), so concurrent instances and replicas can never together pass the limit.
 */
import { leaseSize } from '../../domain/gateway/quota';
import type { CounterRef, QuotaLeaseStore } from '../../ports/quota';
import type { TollgateService } from './entities';

const MAX_ATTEMPTS = 8;

export interface LeaseSettings {
  /** Largest single lease, in counter units. */
  maxLease: number;
  /** A lease not renewed for this long is reclaimed. */
  leaseTtlMs: number;
}

export class DynamoQuotaLeaseStore implements QuotaLeaseStore {
  constructor(
    private readonly db: TollgateService,
    private readonly settings: LeaseSettings,
  ) {}

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
    instanceId: string,
    nowMs: number,
  ): Promise<number> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.read(ref);
      const size = leaseSize(limit, current?.granted ?? 0, demand, this.settings.maxLease);
      if (size === 0) return 0;
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
          // upsert (not update) so the static expiry-index partition key is written too.
          quotaLease
            .upsert({ ...ref, instanceId, leaseExpiresAt: this.expiry(nowMs) })
            .add({ amount: size, spent: 0 })
            .commit(),
        ])
        .go();
      if (!result.canceled) return size;
      // Another instance moved the counter first: read it again and size the lease anew.
    }
    return 0;
  }

  async recordSpend(ref: CounterRef, instanceId: string, units: number, nowMs: number): Promise<void> {
    await this.db.entities.quotaLease
      .patch({ ...ref, instanceId })
      .add({ spent: units })
      .set({ leaseExpiresAt: this.expiry(nowMs) })
      .go({ response: 'none' });
  }

  async giveBack(ref: CounterRef, instanceId: string, units: number): Promise<void> {
    if (units <= 0) return;
    const result = await this.db.transaction
      .write(({ quotaCounter, quotaLease }) => [
        quotaCounter.patch(ref).subtract({ granted: units }).commit(),
        quotaLease
          .patch({ ...ref, instanceId })
          .subtract({ amount: units })
          .where((a, { gte }) => `${gte(a.amount, units)}`)
          .commit(),
      ])
      .go();
    if (result.canceled) throw new Error('A lease cannot give back more than it holds');
  }

  async reclaimExpired(nowMs: number): Promise<number> {
    const nowSeconds = Math.floor(nowMs / 1000);
    const { data } = await this.db.entities.quotaLease.query
      .byExpiry({})
      .lt({ leaseExpiresAt: nowSeconds })
      .go({ pages: 'all' });
    let reclaimed = 0;
    for (const lease of data) {
      const amount = lease.amount ?? 0;
      const spent = lease.spent ?? 0;
      const unused = amount - spent;
      const ref = { groupId: lease.groupId, counter: lease.counter };
      // Only if the holder did not come back in the meantime: the lease must be exactly as read.
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
      if (!result.canceled) reclaimed += Math.max(unused, 0);
    }
    return reclaimed;
  }
}
