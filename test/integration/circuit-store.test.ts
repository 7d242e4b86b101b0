/** Circuit state shared by instances through DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { CachedCircuitStore } from '../../shared/adapters/cached-circuit-store';
import { DynamoCircuitStore } from '../../shared/adapters/dynamo/circuit-store';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { phase } from '../../shared/domain/gateway/circuit';
import type { CircuitStore } from '../../shared/ports/circuits';
import { freshTable } from '../factories/dynamo-table';

const settings = { failureThreshold: 20, windowMs: 60_000, cooldownMs: 5_000 };
let instances: DynamoCircuitStore[];
let probeStore: DynamoCircuitStore;

beforeAll(async () => {
  const tableName = await freshTable('circuit');
  const db = buildEntities(dynamoDocumentClient(), tableName);
  instances = [new DynamoCircuitStore(db, settings), new DynamoCircuitStore(db, settings)];
  probeStore = new DynamoCircuitStore(db, { failureThreshold: 1, windowMs: 10_000, cooldownMs: 5_000 });
});

describe('circuit store', () => {
  it('counts every failure recorded concurrently by several instances, and opens for all of them', async () => {
    const now = 1_000_000;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => instances[i % 2]!.record('acct-1', 'gpt-4o', 'failure', now + i)),
    );
    const seenByOther = await instances[1]!.states(['acct-1', 'acct-2'], 'gpt-4o');
    expect(phase(seenByOther.get('acct-1')!, now + 100)).toBe('open');
    expect(phase(seenByOther.get('acct-2')!, now + 100)).toBe('closed');
    // Other models of the same account are unaffected.
    expect(phase((await instances[0]!.states(['acct-1'], 'gpt-4o-mini')).get('acct-1')!, now)).toBe('closed');
  });

  it('lets a probe through after the cooldown and closes on its success', async () => {
    const later = 1_000_000 + 20 + settings.cooldownMs;
    expect(phase((await instances[0]!.states(['acct-1'], 'gpt-4o')).get('acct-1')!, later)).toBe('half-open');
    await instances[0]!.record('acct-1', 'gpt-4o', 'success', later);
    expect(phase((await instances[1]!.states(['acct-1'], 'gpt-4o')).get('acct-1')!, later)).toBe('closed');
  });

  it('cools an account down until its Retry-After, never shortening a longer one', async () => {
    const store = instances[0]!;
    await store.coolDown('acct-3', 'gpt-4o', 50_000);
    expect(phase((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!, 49_999)).toBe('open');
    await store.coolDown('acct-3', 'gpt-4o', 20_000);
    expect((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!.openUntil).toBe(50_000);
    expect(phase((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!, 50_000)).toBe('half-open');
  });

  it('lets exactly one of many concurrent callers probe a half-open circuit, and none while open or closed', async () => {
    const store = probeStore;
    expect(await store.claimProbe('acct-probe', 'gpt-4o', 1_000)).toBe(false); // never opened
    await store.record('acct-probe', 'gpt-4o', 'failure', 1_000); // opens until 6_000
    expect(await store.claimProbe('acct-probe', 'gpt-4o', 5_999)).toBe(false); // still open
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => store.claimProbe('acct-probe', 'gpt-4o', 6_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // The winner reopened it for a cooldown: the others see it open.
    const state = (await store.states(['acct-probe'], 'gpt-4o')).get('acct-probe')!;
    expect(phase(state, 6_001)).toBe('open');
    expect(state.openUntil).toBe(11_000);
  });
});

/** A table-backed store whose reads are counted on their way through. */
const countingStore = (inner: DynamoCircuitStore) => {
  const reads: string[][] = [];
  const store: CircuitStore = {
    states: (accountIds, model) => {
      reads.push([...accountIds]);
      return inner.states(accountIds, model);
    },
    record: (...args) => inner.record(...args),
    coolDown: (...args) => inner.coolDown(...args),
    claimProbe: (...args) => inner.claimProbe(...args),
  };
  return { store, reads };
};

describe('cached circuit store', () => {
  const cacheSettings = { failureThreshold: 2, windowMs: 60_000, cooldownMs: 5_000 };
  let db: ReturnType<typeof buildEntities>;

  beforeAll(async () => {
    db = buildEntities(dynamoDocumentClient(), await freshTable('circuit-cache'));
  });

  it('reads the table once within ttlMs, only for pairs it lacks, and again once ttlMs has passed', async () => {
    const { store, reads } = countingStore(new DynamoCircuitStore(db, cacheSettings));
    let clock = 10_000;
    const cached = new CachedCircuitStore(store, { ttlMs: 1000, now: () => clock });

    const first = await cached.states(['c-1', 'c-2'], 'gpt-4o');
    expect([...first.keys()]).toEqual(['c-1', 'c-2']);
    clock += 999;
    expect([...(await cached.states(['c-2', 'c-1'], 'gpt-4o')).keys()]).toEqual(['c-2', 'c-1']);
    expect(reads).toEqual([['c-1', 'c-2']]);

    // A pair not cached yet is fetched alone; another model is another pair.
    await cached.states(['c-1', 'c-3'], 'gpt-4o');
    await cached.states(['c-1'], 'gpt-4o-mini');
    expect(reads).toEqual([['c-1', 'c-2'], ['c-3'], ['c-1']]);

    clock += 1; // c-1 and c-2 are now ttlMs old; c-3 is younger.
    await cached.states(['c-1', 'c-2', 'c-3'], 'gpt-4o');
    expect(reads.at(-1)).toEqual(['c-1', 'c-2']);
  });

  it('shares one table read among concurrent requests for the same pairs (no stampede on expiry)', async () => {
    const { store, reads } = countingStore(new DynamoCircuitStore(db, cacheSettings));
    const cached = new CachedCircuitStore(store, { ttlMs: 1000, now: () => 50_000 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => cached.states(['s-1', 's-2'], 'gpt-4o')),
    );
    expect(reads).toEqual([['s-1', 's-2']]);
    expect(answers.every((a) => [...a.keys()].join() === 's-1,s-2')).toBe(true);
  });

  it("sees another instance's opened circuit once ttlMs has passed", async () => {
    const { store, reads } = countingStore(new DynamoCircuitStore(db, cacheSettings));
    const other = new DynamoCircuitStore(db, cacheSettings);
    let clock = 2_000_000;
    const cached = new CachedCircuitStore(store, { ttlMs: 1000, now: () => clock });

    expect(phase((await cached.states(['c-4'], 'gpt-4o')).get('c-4')!, clock)).toBe('closed');
    await other.record('c-4', 'gpt-4o', 'failure', clock);
    await other.record('c-4', 'gpt-4o', 'failure', clock + 1);
    clock += 500;
    // Still the cached state: the staleness the cache trades for fewer reads.
    expect(phase((await cached.states(['c-4'], 'gpt-4o')).get('c-4')!, clock)).toBe('closed');
    clock += 500;
    expect(phase((await cached.states(['c-4'], 'gpt-4o')).get('c-4')!, clock)).toBe('open');
    expect(reads).toHaveLength(2);
  });

  it('sees its own record() and coolDown() at once, without reading the table', async () => {
    const { store, reads } = countingStore(new DynamoCircuitStore(db, cacheSettings));
    const clock = 3_000_000;
    const cached = new CachedCircuitStore(store, { ttlMs: 1000, now: () => clock });

    await cached.states(['c-5', 'c-6'], 'gpt-4o');
    await cached.record('c-5', 'gpt-4o', 'failure', clock);
    expect((await cached.states(['c-5'], 'gpt-4o')).get('c-5')).toMatchObject({ failures: 1, openUntil: 0 });
    await cached.record('c-5', 'gpt-4o', 'failure', clock + 1);
    expect(phase((await cached.states(['c-5'], 'gpt-4o')).get('c-5')!, clock + 2)).toBe('open');
    await cached.record('c-5', 'gpt-4o', 'success', clock + 3);
    expect(phase((await cached.states(['c-5'], 'gpt-4o')).get('c-5')!, clock + 3)).toBe('closed');

    await cached.coolDown('c-6', 'gpt-4o', clock + 60_000);
    expect((await cached.states(['c-6'], 'gpt-4o')).get('c-6')!.openUntil).toBe(clock + 60_000);
    // A shorter Retry-After never shortens it, in the cache as in the table.
    await cached.coolDown('c-6', 'gpt-4o', clock + 10_000);
    expect((await cached.states(['c-6'], 'gpt-4o')).get('c-6')!.openUntil).toBe(clock + 60_000);
    expect(reads).toHaveLength(1);
    expect(
      (await new DynamoCircuitStore(db, cacheSettings).states(['c-6'], 'gpt-4o')).get('c-6')!.openUntil,
    ).toBe(clock + 60_000);
  });

  it('keeps its own write when a read that started before it returns after it', async () => {
    const inner = new DynamoCircuitStore(db, cacheSettings);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowReads: CircuitStore = {
      states: async (ids, model) => {
        const states = await inner.states(ids, model);
        await gate;
        return states;
      },
      record: (...args) => inner.record(...args),
      coolDown: (...args) => inner.coolDown(...args),
      claimProbe: (...args) => inner.claimProbe(...args),
    };
    const clock = 4_000_000;
    const cached = new CachedCircuitStore(slowReads, { ttlMs: 1000, now: () => clock });

    const staleRead = cached.states(['c-7'], 'gpt-4o');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await cached.record('c-7', 'gpt-4o', 'failure', clock);
    await cached.record('c-7', 'gpt-4o', 'failure', clock + 1);
    release();
    expect(phase((await staleRead).get('c-7')!, clock + 2)).toBe('open');
    expect(phase((await cached.states(['c-7'], 'gpt-4o')).get('c-7')!, clock + 2)).toBe('open');
  });
});
