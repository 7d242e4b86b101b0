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
  /**
   * Claims the one probe a half-open circuit lets through: true for exactly one caller, which
   * reopens the circuit for a cooldown (its success closes it); every other caller sees it open.
   */
  claimProbe(accountId: string, model: string, now: number): Promise<boolean>;
  /** Keeps the circuit open at least until `until` (a provider's Retry-After); never shortens it. */
  coolDown(accountId: string, model: string, until: number): Promise<void>;
}
