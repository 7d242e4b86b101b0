import { describe, expect, it } from 'vitest';
import { alertMessage, kindMatches, routeAlert } from '../../../../shared/domain/notifications/routing';

describe('kindMatches', () => {
  it('matches exact kinds, prefix patterns and the wildcard', () => {
    expect(kindMatches('balance.low', 'balance.low')).toBe(true);
    expect(kindMatches('balance.*', 'balance.recovered')).toBe(true);
    expect(kindMatches('balance.*', 'balances.low')).toBe(false);
    expect(kindMatches('bills.*', 'bills.budget.threshold')).toBe(true);
    expect(kindMatches('*', 'anything.at.all')).toBe(true);
    expect(kindMatches('balance.low', 'balance.lower')).toBe(false);
  });
});

describe('routeAlert', () => {
  const enabled = ['feishu', 'slack', 'mail'];

  it('sends everything to every enabled channel when there are no rules', () => {
    expect(routeAlert([], enabled, 'balance.low', 'critical')).toEqual(enabled);
  });

  it('unions the channels of every matching rule, from its minimum severity, enabled only', () => {
    const rules = [
      { kinds: ['balance.*'], minSeverity: 'warning' as const, channelIds: ['feishu', 'slack'] },
      { kinds: ['*'], minSeverity: 'critical' as const, channelIds: ['mail', 'disabled-one'] },
      { kinds: ['subscription.renewal'], minSeverity: 'info' as const, channelIds: ['mail'] },
    ];
    expect(routeAlert(rules, enabled, 'balance.low', 'critical')).toEqual(['feishu', 'slack', 'mail']);
    expect(routeAlert(rules, enabled, 'balance.recovered', 'info')).toEqual([]);
    expect(routeAlert(rules, enabled, 'subscription.renewal', 'warning')).toEqual(['mail']);
    expect(routeAlert(rules, enabled, 'bills.anomaly.spike', 'warning')).toEqual([]);
  });
});

describe('alertMessage', () => {
  const alert = {
    enterpriseId: 'e1',
    subject: 'balance-source:s1',
    message: 'OpenRouter main balance 12.5 USD is below the 50 USD threshold',
    at: '2026-11-24T10:00:00.000Z',
  };

  it('reads as an alert, a reminder or a recovery by kind and severity', () => {
    expect(alertMessage({ ...alert, kind: 'balance.low', severity: 'critical' })).toMatchObject({
      tone: 'alert',
      title: 'Balance below threshold',
      text: alert.message,
      occurredAt: alert.at,
    });
    expect(alertMessage({ ...alert, kind: 'subscription.renewal', severity: 'warning' }).tone).toBe(
      'reminder',
    );
    expect(alertMessage({ ...alert, kind: 'balance.recovered', severity: 'info' }).tone).toBe('recovery');
    expect(alertMessage({ ...alert, kind: 'bills.anomaly.spike', severity: 'info' })).toMatchObject({
      tone: 'info',
      title: 'bills.anomaly.spike',
    });
  });
});
