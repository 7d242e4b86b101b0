import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, closedCircuit, phase } from '../../../../shared/domain/gateway/circuit';

const settings = { failureThreshold: 3, windowMs: 10_000, cooldownMs: 5_000 };

describe('circuit breaker', () => {
  it('opens after the threshold of failures inside the window, for the cooldown', () => {
    let s = closedCircuit;
    s = afterFailure(s, 1_000, settings);
    s = afterFailure(s, 2_000, settings);
    expect(phase(s, 2_000)).toBe('closed');
    s = afterFailure(s, 3_000, settings);
    expect(phase(s, 3_000)).toBe('open');
    expect(phase(s, 7_999)).toBe('open');
    expect(phase(s, 8_000)).toBe('half-open');
  });

  it('does not count failures that are further apart than the window', () => {
    let s = closedCircuit;
    s = afterFailure(s, 0, settings);
    s = afterFailure(s, 5_000, settings);
    s = afterFailure(s, 20_000, settings);
    expect(phase(s, 20_000)).toBe('closed');
    expect(s.failures).toBe(1);
  });

  it('re-opens on a failed probe and closes on a successful one', () => {
    let s = closedCircuit;
    for (const t of [0, 1, 2]) s = afterFailure(s, t, settings);
    const probeAt = 6_000;
    expect(phase(s, probeAt)).toBe('half-open');
    const reopened = afterFailure(s, probeAt, settings);
    expect(phase(reopened, probeAt + 1)).toBe('open');
    expect(reopened.openUntil).toBe(probeAt + settings.cooldownMs);
    expect(phase(afterSuccess(), probeAt)).toBe('closed');
  });
});
