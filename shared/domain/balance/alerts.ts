/**
 * When a balance reading raises an alert (seed 002: "balance < threshold → send_alarm"), made
 * stateful so a low balance is announced once, not on every poll:
 * - ok → low: one `low` alert;
 * - low → low: silent, unless `realertAfterMs` has passed since the last alert (a reminder);
 * - low → ok: one `recovered` notice;
 * - a failed reading changes nothing (the source's state stays what the last good reading said).
 */
import { decimal } from '../money';

export type BalanceState = 'ok' | 'low';

/** What the monitor remembers about one source between polls. */
export interface BalanceAlertState {
  state: BalanceState;
  /** ISO instant of the last low alert (first or repeated); undefined when never alerted. */
  lastAlertAt?: string;
}

export type AlertDecision =
  | { action: 'none'; next: BalanceAlertState }
  | { action: 'low' | 'still-low' | 'recovered'; next: BalanceAlertState };

export interface AlertRules {
  /** Exact decimal: a balance strictly below it is low. */
  threshold: string;
  /** Repeat a low alert after this long while the balance stays low; 0 or undefined never repeats. */
  realertAfterMs?: number;
}

/** The alert a new balance calls for, and the state to remember. `previous` undefined: first reading. */
export const decideAlert = (
  previous: BalanceAlertState | undefined,
  balance: string,
  rules: AlertRules,
  now: Date,
): AlertDecision => {
  const low = decimal(balance).lessThan(decimal(rules.threshold));
  const at = now.toISOString();
  if (!low) {
    return previous?.state === 'low'
      ? { action: 'recovered', next: { state: 'ok', lastAlertAt: previous.lastAlertAt } }
      : { action: 'none', next: { state: 'ok', lastAlertAt: previous?.lastAlertAt } };
  }
  if (previous?.state !== 'low') return { action: 'low', next: { state: 'low', lastAlertAt: at } };
  const since = previous.lastAlertAt ? now.getTime() - Date.parse(previous.lastAlertAt) : Infinity;
  if (rules.realertAfterMs && since >= rules.realertAfterMs) {
    return { action: 'still-low', next: { state: 'low', lastAlertAt: at } };
  }
  return { action: 'none', next: previous };
};
