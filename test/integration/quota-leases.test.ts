/**
 * Strict quotas across instances sharing DynamoDB Local: several gates (as separate gateway
 * processes would have) admit concurrently from one counter; settlement stays local and reaches
 * the table in the background; leases of dead instances are reclaimed, and a live instance never
 * spends from a lease that may have been reclaimed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities, type TollgateService } from '../../shared/adapters/dynamo/entities';
import { DynamoQuotaLeaseStore } from '../../shared/adapters/dynamo/quota-lease-store';
import type { CounterRef } from '../../shared/ports/quota';
import { QuotaGate } from '../../shared/usecases/quota-gate';
import { freshTable } from '../factories/dynamo-table';

let tableName: string;
let db: TollgateService;
let store: DynamoQuotaLeaseStore;
const clock = { now: () => new Date() };
const TTL = 30_000;

/** A clock that can be moved forward, as an instance whose process was frozen or whose clock runs ahead. */
const movableClock = () => {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) };
};

const leasesOf = async (ref: CounterRef) =>
  (await db.entities.quotaLease.query.byHolder(ref).go({ consistent: true })).data.filter(
    (l) => l.counter === ref.counter,
  );

const dayRef = (): CounterRef => ({ groupId: `G-${randomUUID()}`, counter: 'D#2026-11-24' });

beforeAll(async () => {
  tableName = await freshTable('quota');
  db = buildEntities(dynamoDocumentClient(), tableName);
  store = new DynamoQuotaLeaseStore(db, { maxLease: 1_000, leaseTtlMs: TTL });
});

describe('strict quota leases', () => {
  it('admits at most the limit from 200 concurrent requests over 4 instances', async () => {
    const ref = dayRef();
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
    expect(await leasesOf(ref)).toEqual([]);
  });

  it('admits the rest of a limit once a request settles below its reservation', async () => {
    const ref = { groupId: `G-${randomUUID()}`, counter: 'M#2026-11#USD' };
    const gate = new QuotaGate(store, 'solo', clock);
    const big = await gate.admit(ref, 1_000, 900);
    expect(big).not.toBeNull();
    expect(await gate.admit(ref, 1_000, 200)).toBeNull();
    await gate.settle(big!, 300);
    expect(await gate.admit(ref, 1_000, 200)).not.toBeNull();
  });

  it('reclaims the unspent lease of an instance that died', async () => {
    const ref = dayRef();
    const crashed = new QuotaGate(store, 'crashed', clock);
    const r = await crashed.admit(ref, 100, 40);
    await crashed.settle(r!, 25);
    // It dies after its spend reached the table (what settles after the last flush is the
    // write-behind gap the quota-gate module describes).
    await crashed.flush();
    // The dead instance still holds its lease (40 granted, 25 spent): only 60 are left to others.
    const other = new QuotaGate(store, 'alive', clock);
    expect(await other.admit(ref, 100, 70)).toBeNull();

    const later = Date.now() + 60_000;
    // Leases of the other tests expired too: at least this one's 15 unspent units come back.
    expect((await store.reclaimExpired(later)).units).toBeGreaterThanOrEqual(15);
    expect((await store.read(ref))?.granted).toBe(25);
    expect(await leasesOf(ref)).toEqual([]);
    expect(await other.admit(ref, 100, 70)).not.toBeNull();
  });

  it('reclaims a dead instance\u2019s expired lease when a request finds no room, and admits it', async () => {
    const ref = dayRef();
    const crashed = new QuotaGate(store, 'crashed-2', clock);
    const r = await crashed.admit(ref, 100, 40);
    await crashed.settle(r!, 10);
    await crashed.flush();
    const [dead] = await leasesOf(ref);
    expect(dead).toMatchObject({ amount: 40, spent: 10 });

    // An instance that runs past the dead lease's TTL (its own store: no shared look-up cache).
    const future = movableClock();
    future.advance(TTL + 2_000);
    const otherStore = new DynamoQuotaLeaseStore(db, { maxLease: 1_000, leaseTtlMs: TTL });
    const other = new QuotaGate(otherStore, 'alive-2', future, { flushIntervalMs: 3_600_000 });
    // 70 do not fit beside the dead lease's 40: only reclaiming its 30 unspent units makes room.
    const admitted = await other.admit(ref, 100, 70);
    expect(admitted).not.toBeNull();
    const leases = await leasesOf(ref);
    expect(leases.map((l) => l.instanceId)).not.toContain(dead!.instanceId);
    const alive = leases.find((l) => l.instanceId.startsWith('alive-2.'));
    expect((await store.read(ref))?.granted).toBe(10 + alive!.amount!);
  });
});

describe('settlement', () => {
  it('writes nothing on the response path and coalesces spend into a few background writes', async () => {
    const counted = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const writes: string[] = [];
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        if (/Transact|Update|Put|Delete/.test(context.commandName ?? '')) writes.push(context.commandName!);
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const countedStore = new DynamoQuotaLeaseStore(buildEntities(counted, tableName), {
      maxLease: 1_000,
      leaseTtlMs: TTL,
    });
    const gate = new QuotaGate(countedStore, 'busy', clock);
    const ref = dayRef();
    const first = await gate.admit(ref, 10_000, 1);
    await gate.settle(first!, 1);
    expect(writes).toEqual([expect.stringMatching(/^TransactWrite/)]);

    for (let i = 0; i < 100; i++) {
      const reservation = await gate.admit(ref, 10_000, 1);
      await gate.settle(reservation!, 1);
    }
    // 101 requests admitted and settled: the only write so far is the lease grant.
    expect(writes).toHaveLength(1);
    expect((await leasesOf(ref))[0]).toMatchObject({ amount: 1_000, spent: 0 });

    await sleep(200);
    expect((await leasesOf(ref))[0]).toMatchObject({ amount: 1_000, spent: 101 });
    expect(writes.length).toBeLessThanOrEqual(3);

    await gate.release();
    expect(await leasesOf(ref)).toEqual([]);
    expect((await store.read(ref))?.granted).toBe(101);
  });

  it('flush() writes settled spend at once; release() returns the rest', async () => {
    const gate = new QuotaGate(store, 'flusher', clock, { flushIntervalMs: 3_600_000 });
    const ref = dayRef();
    const a = await gate.admit(ref, 10_000, 300);
    const b = await gate.admit(ref, 10_000, 300);
    await gate.settle(a!, 120);
    expect((await leasesOf(ref))[0]?.spent).toBe(0);
    await gate.flush();
    expect((await leasesOf(ref))[0]?.spent).toBe(120);
    // With b still in flight, release writes spend but cannot return the lease yet.
    await gate.release();
    expect(await leasesOf(ref)).toHaveLength(1);
    await gate.settle(b!, 80);
    await gate.release();
    expect(await leasesOf(ref)).toEqual([]);
    expect((await store.read(ref))?.granted).toBe(200);
  });
});

describe('lease liveness', () => {
  it('renews a lease past its fresh window before spending from it again', async () => {
    const ref = dayRef();
    const own = movableClock();
    const gate = new QuotaGate(store, 'sleeper', own, { flushIntervalMs: 3_600_000 });
    const r = await gate.admit(ref, 1_000, 10);
    await gate.settle(r!, 10);
    await gate.flush();
    const [before] = await leasesOf(ref);

    // Frozen for most of the TTL: what it holds may not be spent without a renewal first.
    own.advance(TTL * 0.8);
    const again = await gate.admit(ref, 1_000, 10);
    expect(again).not.toBeNull();
    const [after] = await leasesOf(ref);
    // The same lease, renewed (not a new grant).
    expect(after!.instanceId).toBe(before!.instanceId);
    expect(after!.leaseExpiresAt).toBeGreaterThan(before!.leaseExpiresAt);
    expect((await store.read(ref))?.granted).toBe(before!.amount);
    await gate.settle(again!, 10);
    await gate.release();
    expect((await store.read(ref))?.granted).toBe(20);
  });

  it('drops a lease another reclaimed and takes a new one instead of spending the old balance', async () => {
    const ref = dayRef();
    const own = movableClock();
    const gate = new QuotaGate(store, 'frozen', own, { flushIntervalMs: 3_600_000 });
    const r = await gate.admit(ref, 1_000, 20);
    await gate.settle(r!, 20);
    await gate.flush();
    const [old] = await leasesOf(ref);
    expect(old).toMatchObject({ amount: 100, spent: 20 });

    // Frozen past the TTL; meanwhile the reclaimer returns its 80 unspent units.
    own.advance(TTL + 2_000);
    const reclaimer = new DynamoQuotaLeaseStore(db, { maxLease: 1_000, leaseTtlMs: TTL });
    expect(await reclaimer.reclaimExpired(own.now().getTime(), ref)).toEqual({ leases: 1, units: 80 });
    expect((await store.read(ref))?.granted).toBe(20);

    // Locally it still holds 80 free units, but may not spend them: it finds the lease gone.
    const again = await gate.admit(ref, 1_000, 10);
    expect(again).not.toBeNull();
    const [fresh] = await leasesOf(ref);
    expect(fresh!.instanceId).not.toBe(old!.instanceId);
    // leaseSize(1000, 20, 10): a tenth of the 980 left.
    expect(fresh).toMatchObject({ amount: 98, spent: 0 });
    expect((await store.read(ref))?.granted).toBe(20 + 98);

    await gate.settle(again!, 10);
    await gate.release();
    expect((await store.read(ref))?.granted).toBe(30);
    expect(await leasesOf(ref)).toEqual([]);
  });

  it('keeps a lease alive while a request is in flight, and returns it once idle', async () => {
    const short = new DynamoQuotaLeaseStore(db, { maxLease: 1_000, leaseTtlMs: 3_000 });
    const gate = new QuotaGate(short, 'long-call', clock);
    const ref = dayRef();
    const r = await gate.admit(ref, 1_000, 50);
    const [taken] = await leasesOf(ref);
    // A call that outlasts the lease's first expiry: heartbeats keep it from being reclaimed under it.
    await sleep((taken!.leaseExpiresAt + 1) * 1000 + 300 - Date.now());
    expect(await short.reclaimExpired(Date.now(), ref)).toEqual({ leases: 0, units: 0 });
    expect((await leasesOf(ref))[0]!.leaseExpiresAt).toBeGreaterThan(taken!.leaseExpiresAt);
    await gate.settle(r!, 40);
    // Idle for a third of the TTL: the lease goes back by itself, spend included.
    await sleep(1_600);
    expect(await leasesOf(ref)).toEqual([]);
    expect((await short.read(ref))?.granted).toBe(40);
  }, 15_000);
});

describe('a changed limit', () => {
  it('takes effect at once even while an instance holds a lease', async () => {
    const ref = dayRef();
    const gate = new QuotaGate(store, 'holder', clock);
    const first = await gate.admit(ref, 10_000, 10);
    await gate.settle(first!, 10);
    // The lease covers far more than 10 units, but the limit is now 15: only 5 more may pass.
    expect(await gate.admit(ref, 15, 6)).toBeNull();
    expect(await gate.admit(ref, 15, 5)).not.toBeNull();
  });
});
