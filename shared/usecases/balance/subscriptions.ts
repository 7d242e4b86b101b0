/**
 * Subscription renewals (seed 002 SubscriptionChecker): subscriptions for admins with their history,
 * the renewals coming up with the amounts due, and the daily job that moves passed renewals on and
 * reminds ahead of the next one, once per lead time.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/subscriptions';
import { requireEnterpriseAccess, requireFinanceManager, requireVisible } from '../../domain/access';
import {
  advanceRenewal,
  daysBetween,
  dueReminder,
  nextRenewal,
  reminderKey,
  utcDay,
  type BillingCycle,
} from '../../domain/balance/subscriptions';
import { invalid, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { decimal, toDecimalString, type DecimalValue } from '../../domain/money';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifications';
import type { SubscriptionEvent, SubscriptionRecord, SubscriptionStore } from '../../ports/subscriptions';
import type { RequestContext } from '../tenancy';

type In<T extends z.ZodType> = z.output<T>;

interface StoreDeps {
  store: SubscriptionStore;
  clock: Clock;
}

/** The API: it raises no alerts. */
export interface SubscriptionDeps extends StoreDeps {
  enterpriseExists(enterpriseId: string): Promise<boolean>;
}

/** The daily job. */
export interface RenewalJobDeps extends StoreDeps {
  notifier: Notifier;
}

export interface RenewalRunSummary {
  checked: number;
  /** Renewal dates passed and recorded. */
  renewed: number;
  reminders: number;
}

// ---------- views ----------
const subscriptionView = (s: SubscriptionRecord) => ({
  ...s,
  customDays: s.customDays ?? null,
  notes: s.notes ?? null,
});

const eventView = (e: SubscriptionEvent) => ({
  at: e.at,
  type: e.type,
  renewalDate: e.renewalDate ?? null,
  leadDays: e.leadDays ?? null,
  daysLeft: e.daysLeft ?? null,
});

const billingOf = (cycle: SubscriptionRecord['cycle'], customDays?: number | null): BillingCycle =>
  cycle === 'custom' ? { cycle, days: customDays! } : { cycle };

const dayOfMonth = (day: string): number => Number(day.slice(8, 10));

/** Largest lead time first, the order reminders go out in. */
const leadTimes = (days: readonly number[]): number[] => [...days].sort((a, b) => b - a);

const visibleSubscription = async (deps: SubscriptionDeps, ctx: RequestContext, id: string) => {
  const subscription = await deps.store.get(id);
  if (!subscription) throw notFound('Subscription', id);
  requireVisible(ctx.caller, subscription.enterpriseId, 'Subscription', id);
  return subscription;
};

const record = (
  deps: StoreDeps,
  s: SubscriptionRecord,
  at: string,
  event: Omit<SubscriptionEvent, 'subscriptionId' | 'enterpriseId' | 'at'>,
) => deps.store.addEvent({ subscriptionId: s.id, enterpriseId: s.enterpriseId, at, ...event });

export const createSubscription = async (
  deps: SubscriptionDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateSubscription>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const now = deps.clock.now();
  const { customDays, notes, nextRenewalDate, reminderDays, ...fields } = input;
  const anchorDay = dayOfMonth(nextRenewalDate);
  const subscription: SubscriptionRecord = {
    id: newId(now),
    enterpriseId,
    ...fields,
    amount: toDecimalString(decimal(fields.amount)),
    ...(customDays === undefined ? {} : { customDays }),
    anchorDay,
    // A start date in the past is not a renewal Tollgate saw: move to the next one without history.
    nextRenewalDate: advanceRenewal(
      nextRenewalDate,
      billingOf(fields.cycle, customDays),
      anchorDay,
      utcDay(now),
    ).nextRenewalDate,
    reminderDays: leadTimes(reminderDays),
    ...(notes === undefined ? {} : { notes }),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.store.create(subscription);
  await record(deps, subscription, subscription.createdAt, {
    type: 'created',
    renewalDate: subscription.nextRenewalDate,
  });
  return subscriptionView(subscription);
};

export const listSubscriptions = async (
  deps: SubscriptionDeps,
  ctx: RequestContext,
  enterpriseId: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return (await deps.store.listByEnterprise(enterpriseId)).map(subscriptionView);
};

export const getSubscription = async (deps: SubscriptionDeps, ctx: RequestContext, id: string) =>
  subscriptionView(await visibleSubscription(deps, ctx, id));

export const updateSubscription = async (
  deps: SubscriptionDeps,
  ctx: RequestContext,
  id: string,
  patch: In<typeof c.UpdateSubscription>,
) => {
  const current = await visibleSubscription(deps, ctx, id);
  requireFinanceManager(ctx.caller, current.enterpriseId);
  const { customDays, nextRenewalDate, reminderDays, amount, ...fields } = patch;
  // The cycle and its length are checked as they will be stored, not only as sent.
  const cycle = fields.cycle ?? current.cycle;
  const length = cycle === 'custom' ? (customDays ?? current.customDays) : null;
  if (length === undefined) throw invalid('A custom cycle needs customDays', { path: 'body.customDays' });
  if (cycle !== 'custom' && customDays !== undefined)
    throw invalid('customDays is only for a custom cycle', { path: 'body.customDays' });

  const now = deps.clock.now();
  const anchorDay = nextRenewalDate === undefined ? current.anchorDay : dayOfMonth(nextRenewalDate);
  // A paused subscription resumes at its next renewal: the ones while it was off are not recorded.
  const resumes = fields.enabled === true && !current.enabled;
  const renewal = nextRenewalDate ?? (resumes ? current.nextRenewalDate : undefined);
  const updated = await deps.store.update(id, {
    ...fields,
    // null drops the length of a cycle that is no longer custom.
    customDays: length,
    ...(amount === undefined ? {} : { amount: toDecimalString(decimal(amount)) }),
    ...(reminderDays === undefined ? {} : { reminderDays: leadTimes(reminderDays) }),
    ...(renewal === undefined
      ? {}
      : {
          anchorDay,
          nextRenewalDate: advanceRenewal(renewal, billingOf(cycle, length), anchorDay, utcDay(now))
            .nextRenewalDate,
        }),
    updatedAt: now.toISOString(),
  });
  await record(deps, updated, updated.updatedAt, { type: 'updated', renewalDate: updated.nextRenewalDate });
  return subscriptionView(updated);
};

export const deleteSubscription = async (deps: SubscriptionDeps, ctx: RequestContext, id: string) => {
  const subscription = await visibleSubscription(deps, ctx, id);
  requireFinanceManager(ctx.caller, subscription.enterpriseId);
  await deps.store.delete(id);
  return { deleted: true as const };
};

export const subscriptionHistory = async (deps: SubscriptionDeps, ctx: RequestContext, id: string) => {
  await visibleSubscription(deps, ctx, id);
  return (await deps.store.events(id)).map(eventView);
};

export const upcomingRenewals = async (
  deps: SubscriptionDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.UpcomingQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const today = utcDay(deps.clock.now());
  const renewals: z.output<typeof c.UpcomingRenewals>['renewals'] = [];
  const totals = new Map<string, DecimalValue>();
  for (const s of await deps.store.listByEnterprise(enterpriseId)) {
    if (!s.enabled) continue;
    const billing = billingOf(s.cycle, s.customDays);
    // Counted from today even when the job has not moved a passed renewal on yet; a short cycle
    // renews more than once in the window, and each renewal is due.
    let date = advanceRenewal(s.nextRenewalDate, billing, s.anchorDay, today).nextRenewalDate;
    for (; daysBetween(today, date) <= query.days; date = nextRenewal(date, billing, s.anchorDay)) {
      renewals.push({
        subscriptionId: s.id,
        name: s.name,
        provider: s.provider,
        renewalDate: date,
        daysLeft: daysBetween(today, date),
        amount: s.amount,
        currency: s.currency,
      });
      totals.set(s.currency, (totals.get(s.currency) ?? decimal(0)).plus(s.amount));
    }
  }
  renewals.sort((a, b) => a.renewalDate.localeCompare(b.renewalDate) || a.name.localeCompare(b.name));
  return {
    asOf: today,
    days: query.days,
    renewals,
    totals: Object.fromEntries([...totals].map(([currency, total]) => [currency, toDecimalString(total)])),
  };
};

// ---------- the daily job ----------
const when = (daysLeft: number): string =>
  daysLeft === 0 ? 'today' : daysLeft === 1 ? 'tomorrow' : `in ${daysLeft} days`;

/** One subscription: move a passed renewal on, then send the reminder due for the next one, if any. */
const checkSubscription = async (
  deps: RenewalJobDeps,
  s: SubscriptionRecord,
  today: string,
  at: string,
): Promise<{ renewed: number; reminded: boolean }> => {
  let renewal = s.nextRenewalDate;
  let renewed = 0;
  if (renewal < today) {
    const advanced = advanceRenewal(renewal, billingOf(s.cycle, s.customDays), s.anchorDay, today);
    // Changed since it was listed (another run, an admin, a deletion): the next run sees the new state.
    if (!(await deps.store.advance(s.id, renewal, advanced.nextRenewalDate, at)))
      return { renewed: 0, reminded: false };
    for (const renewalDate of advanced.renewed) await record(deps, s, at, { type: 'renewed', renewalDate });
    renewed = advanced.renewed.length;
    renewal = advanced.nextRenewalDate;
  }
  const due = dueReminder(renewal, today, s.reminderDays);
  if (!due) return { renewed, reminded: false };
  const sent = await deps.notifier.notifyOnce(reminderKey(s.id, renewal, due.leadDays), {
    enterpriseId: s.enterpriseId,
    kind: 'subscription.renewal',
    severity: 'warning',
    subject: `subscription:${s.id}`,
    message: `Subscription "${s.name}" (${s.provider}) renews ${when(due.daysLeft)}, on ${renewal}: ${s.amount} ${s.currency}.`,
  });
  // Only the run that sent it records it: a second run the same day finds the reminder's key taken.
  if (sent) await record(deps, s, at, { type: 'reminded', renewalDate: renewal, ...due });
  return { renewed, reminded: sent };
};

/**
 * The daily job over every enabled subscription. One failing subscription does not stop the others;
 * the run then fails as a whole (so it is retried and alarmed on), and a retry repeats nothing.
 */
export const runRenewalReminders = async (deps: RenewalJobDeps): Promise<RenewalRunSummary> => {
  const now = deps.clock.now();
  const today = utcDay(now);
  const summary: RenewalRunSummary = { checked: 0, renewed: 0, reminders: 0 };
  const failures: Error[] = [];
  for (const s of await deps.store.listEnabled()) {
    summary.checked += 1;
    try {
      const { renewed, reminded } = await checkSubscription(deps, s, today, now.toISOString());
      summary.renewed += renewed;
      if (reminded) summary.reminders += 1;
    } catch (err) {
      failures.push(new Error(`Subscription ${s.id}: ${(err as Error).message}`, { cause: err }));
    }
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} of ${summary.checked} subscriptions failed`);
  return summary;
};
