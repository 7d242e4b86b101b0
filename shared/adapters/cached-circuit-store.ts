/**
 * Circuit states cached briefly per instance, so the gateway does not read the table on every call.
 */
import { LRUCache } from 'lru-cache';
import type { CircuitState } from '../domain/gateway/circuit';
import type { CircuitStore } from '../ports/circuits';

/** How long {@link CachedCircuitStore} trusts what it read, and its clock. */
export interface CircuitCacheSettings {
  /** A state read from the inner store is served for this long. Default 1000 ms. */
  ttlMs: number;
  /** Epoch ms; injected so tests control time. Default `Date.now`. */
  now: () => number;
}

interface Entry {
  state: CircuitState;
  /** When the state was read or written (by {@link CircuitCacheSettings.now}). */
  at: number;
  /** Local writes are numbered, so a read that started before one cannot overwrite it. */
  version: number;
}

/** (account, model) pairs remembered at most: plenty for any binding, bounded for safety. */
const MAX_ENTRIES = 10_000;

/**
 * A {@link CircuitStore} decorator: `states()` serves each (account, model) from memory while it is
 * younger than `ttlMs` and fetches only the missing or stale ones, in one call; `record()` and
 * `coolDown()` write through and update the cache with the outcome. So an instance sees a circuit
 * opened by another instance within `ttlMs` (a few more calls may reach a failing account in the
 * meantime, which the breaker tolerates), and its own failures and Retry-Afters at once.
 */
export class CachedCircuitStore implements CircuitStore {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  /** Reads under way, per (account, model). */
  private readonly reading = new Map<string, Promise<CircuitState | undefined>>();
  private version = 0;

  constructor(
    private readonly inner: CircuitStore,
    settings: Partial<CircuitCacheSettings> = {},
  ) {
    this.ttlMs = settings.ttlMs ?? 1000;
    this.now = settings.now ?? Date.now;
  }

  async states(accountIds: readonly string[], model: string): Promise<Map<string, CircuitState>> {
    const readAt = this.now();
    const states = new Map<string, CircuitState>();
    const joined: Promise<void>[] = [];
    const stale: string[] = [];
    for (const id of accountIds) {
      const key = keyOf(id, model);
      const entry = this.cache.get(key);
      if (entry && readAt - entry.at < this.ttlMs) states.set(id, entry.state);
      else if (this.reading.has(key)) {
        // Another request is reading this pair already: share its answer rather than read it again.
        joined.push(this.reading.get(key)!.then((state) => void (state && states.set(id, state))));
      } else if (!stale.includes(id)) stale.push(id);
    }
    if (stale.length > 0) joined.push(this.read(stale, model, readAt, states));
    await Promise.all(joined);
    // In the order asked for, like the inner store's answer.
    return new Map(accountIds.filter((id) => states.has(id)).map((id) => [id, states.get(id)!]));
  }

  /** One read of the pairs nobody is reading yet; requests arriving meanwhile join it. */
  private async read(
    stale: readonly string[],
    model: string,
    readAt: number,
    into: Map<string, CircuitState>,
  ): Promise<void> {
    const readVersion = this.version;
    const fetching = this.inner.states(stale, model);
    for (const id of stale) {
      this.reading.set(
        keyOf(id, model),
        fetching.then(
          (fetched) => fetched.get(id),
          () => undefined,
        ),
      );
    }
    try {
      const fetched = await fetching;
      for (const id of stale) {
        const entry = this.cache.get(keyOf(id, model));
        // A local write that landed while this read was under way is newer than what was read.
        if (entry && entry.version > readVersion) {
          into.set(id, entry.state);
          continue;
        }
        const state = fetched.get(id);
        if (!state) continue;
        this.cache.set(keyOf(id, model), { state, at: readAt, version: readVersion });
        into.set(id, state);
      }
    } finally {
      for (const id of stale) this.reading.delete(keyOf(id, model));
    }
  }

  async record(
    accountId: string,
    model: string,
    outcome: 'success' | 'failure',
    now: number,
  ): Promise<CircuitState> {
    const state = await this.inner.record(accountId, model, outcome, now);
    this.cache.set(keyOf(accountId, model), { state, at: this.now(), version: ++this.version });
    return state;
  }

  async claimProbe(accountId: string, model: string, now: number): Promise<boolean> {
    const claimed = await this.inner.claimProbe(accountId, model, now);
    // Won or lost, the circuit is open to everyone else now: read it afresh next time.
    this.cache.delete(keyOf(accountId, model));
    return claimed;
  }

  async coolDown(accountId: string, model: string, until: number): Promise<void> {
    await this.inner.coolDown(accountId, model, until);
    const key = keyOf(accountId, model);
    const entry = this.cache.get(key);
    // The store never shortens a cooldown, so the max is what it now holds; the other fields are as
    // fresh as before, hence the entry keeps its age. Uncached pairs are read on the next states().
    if (entry) {
      this.cache.set(key, {
        state: { ...entry.state, openUntil: Math.max(entry.state.openUntil, until) },
        at: entry.at,
        version: ++this.version,
      });
    }
  }
}

const keyOf = (accountId: string, model: string) => `${model}\u0000${accountId}`;
