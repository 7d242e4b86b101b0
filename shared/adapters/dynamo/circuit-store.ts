/**
 * Circuit states in the table. Every change is one atomic write (ADD within the window, a
 * conditional reset outside it, a conditional open), so failures recorded at the same moment by
 * many instances are all counted and exactly one of them opens the circuit.
 */
import { closedCircuit, type CircuitSettings, type CircuitState } from '../../domain/gateway/circuit';
import type { CircuitStore } from '../../ports/circuits';
import type { TollgateService } from './entities';
import { isConditionFailure } from './errors';

const MAX_ATTEMPTS = 5;

type Stored = {
  failures?: number | undefined;
  windowStart?: number | undefined;
  openUntil?: number | undefined;
};
const toState = (item: Stored | null | undefined): CircuitState =>
  item
    ? { failures: item.failures ?? 0, windowStart: item.windowStart ?? 0, openUntil: item.openUntil ?? 0 }
    : closedCircuit;

export class DynamoCircuitStore implements CircuitStore {
  constructor(
    private readonly db: TollgateService,
    private readonly settings: CircuitSettings,
  ) {}

  async states(accountIds: readonly string[], model: string): Promise<Map<string, CircuitState>> {
    const states = new Map(accountIds.map((id) => [id, closedCircuit]));
    if (accountIds.length === 0) return states;
    const { data } = await this.db.entities.circuitState
      .get(accountIds.map((accountId) => ({ accountId, model })))
      .go();
    for (const item of data) states.set(item.accountId, toState(item));
    return states;
  }

  async record(
    accountId: string,
    model: string,
    outcome: 'success' | 'failure',
    now: number,
  ): Promise<CircuitState> {
    const entity = this.db.entities.circuitState;
    const key = { accountId, model };
    if (outcome === 'success') {
      await entity.update(key).set({ failures: 0, windowStart: 0, openUntil: 0 }).go({ response: 'none' });
      return closedCircuit;
    }
    const windowFloor = now - this.settings.windowMs;
    let state: CircuitState | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !state; attempt++) {
      try {
        // A failure inside the current window: count it.
        const { data } = await entity
          .update(key)
          .add({ failures: 1 })
          .where((a, { gte }) => gte(a.windowStart, windowFloor))
          .go({ response: 'all_new' });
        state = toState(data);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        try {
          // No streak yet, or it is too old: start a new one (unless another instance just did).
          const { data } = await entity
            .update(key)
            .set({ failures: 1, windowStart: now })
            .where(
              (a, { notExists, lt }) => `${notExists(a.windowStart)} OR ${lt(a.windowStart, windowFloor)}`,
            )
            .go({ response: 'all_new' });
          state = toState(data);
        } catch (inner) {
          if (!isConditionFailure(inner)) throw inner;
        }
      }
    }
    if (!state) throw new Error(`Circuit ${accountId}/${model} is too contended to record`);

    const halfOpen = state.openUntil !== 0 && now >= state.openUntil;
    const tripped = state.failures >= this.settings.failureThreshold && now >= state.openUntil;
    if (!halfOpen && !tripped) return state;
    const openUntil = now + this.settings.cooldownMs;
    try {
      // Whoever gets here first opens it; the others see it open already.
      await entity
        .patch(key)
        .set({ openUntil })
        .where((a, { notExists, lte }) => `${notExists(a.openUntil)} OR ${lte(a.openUntil, now)}`)
        .go({ response: 'none' });
      return { ...state, openUntil };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return toState((await entity.get(key).go({ consistent: true })).data);
    }
  }

  async claimProbe(accountId: string, model: string, now: number): Promise<boolean> {
    try {
      // Only while half-open (opened once, cooldown over); the winner's write reopens it for others.
      await this.db.entities.circuitState
        .patch({ accountId, model })
        .set({ openUntil: now + this.settings.cooldownMs })
        .where((a, { gt, lte }) => `${gt(a.openUntil, 0)} AND ${lte(a.openUntil, now)}`)
        .go({ response: 'none' });
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return false;
    }
  }

  async coolDown(accountId: string, model: string, until: number): Promise<void> {
    try {
      await this.db.entities.circuitState
        .update({ accountId, model })
        .set({ openUntil: until })
        .where((a, { notExists, lt }) => `${notExists(a.openUntil)} OR ${lt(a.openUntil, until)}`)
        .go({ response: 'none' });
    } catch (err) {
      // Already open for longer: nothing to do.
      if (!isConditionFailure(err)) throw err;
    }
  }
}
