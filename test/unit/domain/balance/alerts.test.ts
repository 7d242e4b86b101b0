import { describe, expect, it } from 'vitest';
import { decideAlert } from '../../../../shared/domain/balance/alerts';

const t0 = new Date('2026-11-24T10:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const rules = { threshold: '50', realertAfterMs: 60 * 60_000 };

describe('decideAlert', () => {
  it('alerts once when the balance drops below the threshold, then stays silent', () => {
    const first = decideAlert(undefined, '49.99', rules, t0);
    expect(first).toEqual({ action: 'low', next: { state: 'low', lastAlertAt: t0.toISOString() } });
    const second = decideAlert(first.next, '40', rules, later(10));
    expect(second).toEqual({ action: 'none', next: first.next });
  });

  it('repeats after the re-alert interval while still low, and never when it is off', () => {
    const low = { state: 'low' as const, lastAlertAt: t0.toISOString() };
    expect(decideAlert(low, '10', rules, later(60))).toEqual({
      action: 'still-low',
      next: { state: 'low', lastAlertAt: later(60).toISOString() },
    });
    expect(decideAlert(low, '10', { threshold: '50' }, later(6000)).action).toBe('none');
  });

  it('sends one recovery notice when the balance is back at or above the threshold', () => {
    const low = { state: 'low' as const, lastAlertAt: t0.toISOString() };
    const recovered = decideAlert(low, '50', rules, later(5));
    expect(recovered.action).toBe('recovered');
    expect(recovered.next.state).toBe('ok');
    expect(decideAlert(recovered.next, '75', rules, later(10)).action).toBe('none');
  });

  it('compares exactly: a balance equal to the threshold is not low; no float rounding', () => {
    expect(decideAlert(undefined, '0.30', { threshold: '0.3' }, t0).action).toBe('none');
    expect(decideAlert(undefined, '0.29999999999999999999', { threshold: '0.3' }, t0).action).toBe('low');
  });
});
