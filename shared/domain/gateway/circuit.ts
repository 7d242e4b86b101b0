/**
 * A circuit breaker per (account, model). Consecutive failures inside a window open it for a
 * cooldown; after the cooldown one probe request is let through (half-open): success closes the
 * circuit, failure opens it again. The state lives in the table so every instance sees it.
 */
export interface CircuitSettings {
  failureThreshold: number;
  windowMs: number;
  cooldownMs: number;
}

export const defaultCircuitSettings: CircuitSettings = {
  failureThreshold: 5,
  windowMs: 30_000,
  cooldownMs: 30_000,
};

export interface CircuitState {
  failures: number;
  /** When the first failure of the current streak happened (epoch ms); meaningless while failures is 0. */
  windowStart: number;
  /** While now < openUntil the circuit is open; 0 when closed. */
  openUntil: number;
}

export const closedCircuit: CircuitState = { failures: 0, windowStart: 0, openUntil: 0 };

export type CircuitPhase = 'closed' | 'open' | 'half-open';

export const phase = (state: CircuitState, now: number): CircuitPhase =>
  state.openUntil === 0 ? 'closed' : now < state.openUntil ? 'open' : 'half-open';

export const afterFailure = (state: CircuitState, now: number, settings: CircuitSettings): CircuitState => {
  if (phase(state, now) === 'half-open') {
    return { failures: settings.failureThreshold, windowStart: now, openUntil: now + settings.cooldownMs };
  }
  const inWindow = state.failures > 0 && now - state.windowStart <= settings.windowMs;
  const failures = inWindow ? state.failures + 1 : 1;
  const windowStart = inWindow ? state.windowStart : now;
  const opens = failures >= settings.failureThreshold;
  return { failures, windowStart, openUntil: opens ? now + settings.cooldownMs : state.openUntil };
};

export const afterSuccess = (): CircuitState => closedCircuit;
