/**
 * Strict quotas across instances sharing DynamoDB Local: several gates (as separate gateway
 * processes would have) admit concurrently from one counter.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { DynamoQuotaLeaseStore } from '../../shared/adapters/dynamo/quota-lease-store';
import { QuotaGate } from '../../shared/usecases/quota-gate';
import { freshTable } from '../factories/dynamo-table';

let store: DynamoQuotaLeaseStore;
const clock = { now: () => new Date() };

beforeAll(async () => {
  const tableName = await freshTable('quota');
  store = new DynamoQuotaLeaseStore(buildEntities(dynamoDocumentClient(), tableName), {
    maxLease: 1_000,
    leaseTtlMs: 30_000,
  });
});

describe('strict quota leases', () => {
  it('admits at most the limit from 200 concurrent requests over 4 instances', async () => {
    const ref = { groupId: `G-${randomUUID()}`, counter: 'D#2026-11-24' };
    const gates = Array.from({ length: 4 }, (_, i) => new QuotaGate(store, `instance-${i}`, clock));
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const gate = gates[i % gates.length]!;
        const reservation = await gate.admit(ref, 50, 1);
        if (!reservation) return 'refused';
        await gate.settle(reservation, 1);
        return 'admitted';
      }),
    );
    const admitted = outcomes.filter((o) => o === 'admitted').length;
    expect(admitted).toBeLessThanOrEqual(50);
    expect(admitted).toBeGreaterThanOrEqual(45);
    expect(outcomes.filter((o) => o === 'refused').length).toBe(200 - admitted);

    await Promise.all(gates.map((g) => g.release()));
    // After every instance gave its unspent units back, what stays granted is exactly what was spent.
    expect((await store.read(ref))?.granted).toBe(admitted);
  });

  it('admits the rest of a limit once a request settles below its reservation', async () => {
    const ref = { groupId: `G-${randomUUID()}`, counter: 'M#2026-11' };
    const gate = new QuotaGate(store, 'solo', clock);
    const big = await gate.admit(ref, 1_000, 900);
    expect(big).not.toBeNull();
    expect(await gate.admit(ref, 1_000, 200)).toBeNull();
    await gate.settle(big!, 300);
    expect(await gate.admit(ref, 1_000, 200)).not.toBeNull();
  });

  it('reclaims the unspent lease of an instance that died', async () => {
    const ref = { groupId: `G-${randomUUID()}`, counter: 'D#2026-11-24' };
    const crashed = new QuotaGate(store, 'crashed', clock);
    const r = await crashed.admit(ref, 100, 40);
    await crashed.settle(r!, 25);
    // The dead instance still holds its lease (40 granted, 25 spent): only 60 are left to others.
    const other = new QuotaGate(store, 'alive', clock);
    expect(await other.admit(ref, 100, 70)).toBeNull();

    const later = Date.now() + 60_000;
    // Leases of the other tests expired too: at least this one's 15 unspent units come back.
    expect(await store.reclaimExpired(later)).toBeGreaterThanOrEqual(15);
    expect((await store.read(ref))?.granted).toBe(25);
    expect(await other.admit(ref, 100, 70)).not.toBeNull();
  });
});

describe('a changed limit', () => {
  it('takes effect at once even while an instance holds a lease', async () => {
    const ref = { groupId: `G-${randomUUID()}`, counter: 'D#2026-11-24' };
    const gate = new QuotaGate(store, 'holder', clock);
    const first = await gate.admit(ref, 10_000, 10);
    await gate.settle(first!, 10);
    // The lease covers far more than 10 units, but the limit is now 15: only 5 more may pass.
    expect(await gate.admit(ref, 15, 6)).toBeNull();
    expect(await gate.admit(ref, 15, 5)).not.toBeNull();
  });
});
