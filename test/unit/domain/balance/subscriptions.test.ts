import { describe, expect, it } from 'vitest';
import {
  advanceRenewal,
  dueReminder,
  nextRenewal,
  reminderKey,
} from '../../../../shared/domain/balance/subscriptions';

describe('nextRenewal', () => {
  it('monthly from the 31st clamps to short months and returns to the 31st', () => {
    expect(nextRenewal('2026-01-31', { cycle: 'monthly' }, 31)).toBe('2026-02-28');
    expect(nextRenewal('2026-02-28', { cycle: 'monthly' }, 31)).toBe('2026-03-31');
    expect(nextRenewal('2028-01-31', { cycle: 'monthly' }, 31)).toBe('2028-02-29');
  });

  it('quarterly, yearly (leap day) and custom cycles', () => {
    expect(nextRenewal('2026-11-30', { cycle: 'quarterly' }, 30)).toBe('2027-02-28');
    expect(nextRenewal('2028-02-29', { cycle: 'yearly' }, 29)).toBe('2029-02-28');
    expect(nextRenewal('2026-12-25', { cycle: 'custom', days: 10 }, 25)).toBe('2027-01-04');
    expect(() => nextRenewal('2026-12-25', { cycle: 'custom', days: 0 }, 25)).toThrow(/days ≥ 1/);
    expect(() => nextRenewal('2026-02-30', { cycle: 'monthly' }, 30)).toThrow(/calendar day/);
  });
});

describe('advanceRenewal', () => {
  it('moves a passed renewal to the first one on or after today, listing the ones passed', () => {
    expect(advanceRenewal('2026-09-15', { cycle: 'monthly' }, 15, '2026-11-24')).toEqual({
      nextRenewalDate: '2026-12-15',
      renewed: ['2026-09-15', '2026-10-15', '2026-11-15'],
    });
    expect(advanceRenewal('2026-11-24', { cycle: 'monthly' }, 24, '2026-11-24')).toEqual({
      nextRenewalDate: '2026-11-24',
      renewed: [],
    });
  });
});

describe('dueReminder', () => {
  const leads = [7, 3, 1];
  it('is due on each lead day, and catches up on a missed one', () => {
    expect(dueReminder('2026-12-01', '2026-11-24', leads)).toEqual({ leadDays: 7, daysLeft: 7 });
    expect(dueReminder('2026-12-01', '2026-11-26', leads)).toEqual({ leadDays: 7, daysLeft: 5 });
    expect(dueReminder('2026-12-01', '2026-11-28', leads)).toEqual({ leadDays: 3, daysLeft: 3 });
    expect(dueReminder('2026-12-01', '2026-11-30', leads)).toEqual({ leadDays: 1, daysLeft: 1 });
    expect(dueReminder('2026-12-01', '2026-12-01', leads)).toEqual({ leadDays: 1, daysLeft: 0 });
  });

  it('is not due too early or after the renewal', () => {
    expect(dueReminder('2026-12-01', '2026-11-20', leads)).toBeNull();
    expect(dueReminder('2026-12-01', '2026-12-02', leads)).toBeNull();
  });

  it('keys one reminder per subscription, renewal and lead time', () => {
    expect(reminderKey('s1', '2026-12-01', 3)).toBe('subscription:s1:2026-12-01:3d');
  });
});
