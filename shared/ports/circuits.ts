import type { CircuitState } from '../domain/gateway/circuit';

/** Circuit state per (account, model), shared across instances. */
export interface CircuitStore {
  /** Current state of each (account, model) pair asked for; closed when never recorded. */
  states(accountIds: readonly string[], model: string): Promise<Map<string, CircuitState>>;
  /** Applies an outcome atomically against the latest stored state; returns the new state. */
  record(
    accountId: string,
    model: string,
    outcome: 'success' | 'failure',
    now: number,
  ): Promise<CircuitState>;
  /** Keeps the circuit open at least until `until` (a provider's Retry-After); never shortens it. */
  coolDown(accountId: string, model: string, until: number): Promise<void>;
}
