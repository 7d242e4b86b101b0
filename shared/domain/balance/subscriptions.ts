/**
 * Subscription renewals (seed 002 SubscriptionChecker: "续费提醒, 周期计算, 灵活周期"): the next
 * renewal date after each cycle, and which reminders are due. Dates are UTC calendar days
 * `YYYY-MM-DD`; a monthly renewal on the 31st falls on the last day of shorter months and returns
 * to the 31st after them (it is computed from the anchor day, not from the previous renewal).
 */
import { DomainError } from '../errors';

export type BillingCycle =
  { cycle: 'monthly' } | { cycle: 'quarterly' } | { cycle: 'yearly' } | { cycle: 'custom'; days: number };

export const DEFAULT_REMINDER_DAYS = [7, 3, 1] as const;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const parseDay = (day: string): number => {
  const m = DATE.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day)
    throw new DomainError('VALIDATION_ERROR', `"${day}" is not a calendar day (YYYY-MM-DD)`);
  return ms;
};

const formatDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `YYYY-MM-DD` of `now` in UTC. */
export const utcDay = (now: Date): string => now.toISOString().slice(0, 10);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((parseDay(to) - parseDay(from)) / DAY_MS);

/** `months` calendar months after `day`, on `anchorDay` or the month's last day when it is shorter. */
const addMonths = (day: string, months: number, anchorDay: number): string => {
  const ms = parseDay(day);
  const date = new Date(ms);
  const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
  const target = new Date(first);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return formatDay(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(anchorDay, lastDay)));
};

/** The renewal after `renewal`; `anchorDay` is the day of month the subscription started on. */
export const nextRenewal = (renewal: string, billing: BillingCycle, anchorDay: number): string => {
  switch (billing.cycle) {
    case 'monthly':
      return addMonths(renewal, 1, anchorDay);
    case 'quarterly':
      return addMonths(renewal, 3, anchorDay);
    case 'yearly':
      return addMonths(renewal, 12, anchorDay);
    case 'custom':
      if (!Number.isInteger(billing.days) || billing.days < 1)
        throw new DomainError('VALIDATION_ERROR', 'A custom cycle needs a whole number of days ≥ 1');
      return formatDay(parseDay(renewal) + billing.days * DAY_MS);
  }
};

/**
 * Moves a renewal date that has passed to the first renewal on or after `today` (a renewal happened
 * each cycle in between). Returns the dates passed over, oldest first, for the history.
 */
export const advanceRenewal = (
  renewal: string,
  billing: BillingCycle,
  anchorDay: number,
  today: string,
): { nextRenewalDate: string; renewed: string[] } => {
  const renewed: string[] = [];
  let next = renewal;
  while (next < today) {
    renewed.push(next);
    next = nextRenewal(next, billing, anchorDay);
  }
  return { nextRenewalDate: next, renewed };
};

/**
 * The reminder due today for a renewal, if any: the smallest configured lead time that is ≥ the days
 * left. A reminder the poller missed (a failed run on day 7) is still sent on day 6, as the 7-day one,
 * so each lead time is announced once per renewal (the caller dedupes by `reminderKey`).
 */
export const dueReminder = (
  renewal: string,
  today: string,
  reminderDays: readonly number[],
): { leadDays: number; daysLeft: number } | null => {
  const daysLeft = daysBetween(today, renewal);
  if (daysLeft < 0) return null;
  const due = [...reminderDays].sort((a, b) => a - b).find((lead) => lead >= daysLeft);
  return due === undefined ? null : { leadDays: due, daysLeft };
};

/** Dedupe key of one reminder: one per subscription, renewal date and lead time. */
export const reminderKey = (subscriptionId: string, renewal: string, leadDays: number): string =>
  `subscription:${subscriptionId}:${renewal}:${leadDays}d`;
