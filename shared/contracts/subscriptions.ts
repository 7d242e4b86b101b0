/** Subscription renewals API (issue 5): subscriptions, their history and the renewals coming up. */
import * as z from 'zod';
import { DEFAULT_REMINDER_DAYS } from '../domain/balance/subscriptions';
import { CurrencyCode, DecimalString, Id, NonNegativeDecimalString, Timestamp } from './common';
import { defineRoute } from './route';

const tag = 'subscriptions';
const EnterpriseParams = z.strictObject({ enterpriseId: Id });
const SubscriptionParams = z.strictObject({ subscriptionId: Id });

const Cycle = z.enum(['monthly', 'quarterly', 'yearly', 'custom']);
/** A real UTC calendar day: `2026-02-30` is refused. */
const CalendarDay = z.iso.date();
const CustomDays = z.number().int().min(1).max(3660);
const ReminderDays = z
  .array(z.number().int().min(0).max(365))
  .max(10)
  .refine((days) => new Set(days).size === days.length, 'must be distinct');
const Notes = z.string().trim().min(1).max(2000);

export const Subscription = z.object({
  id: Id,
  enterpriseId: Id,
  name: z.string(),
  provider: z.string(),
  amount: DecimalString,
  currency: CurrencyCode,
  cycle: Cycle,
  customDays: z.number().int().nullable(),
  /** Day of month of the first renewal; monthly renewals return to it after shorter months. */
  anchorDay: z.number().int(),
  nextRenewalDate: CalendarDay,
  reminderDays: z.array(z.number().int()),
  enabled: z.boolean(),
  notes: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateSubscription = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    /** Who bills it, free text (e.g. "GitHub Copilot"). */
    provider: z.string().trim().min(1).max(200),
    amount: NonNegativeDecimalString,
    currency: CurrencyCode,
    cycle: Cycle,
    /** Required by a `custom` cycle, refused by the others. */
    customDays: CustomDays.optional(),
    /** The first renewal; a past one moves to the first renewal on or after today. */
    nextRenewalDate: CalendarDay,
    /** Days before a renewal on which to remind; empty: no reminders. */
    reminderDays: ReminderDays.default([...DEFAULT_REMINDER_DAYS]),
    enabled: z.boolean().default(true),
    notes: Notes.optional(),
  })
  .refine((v) => v.cycle !== 'custom' || v.customDays !== undefined, {
    message: 'a custom cycle needs customDays',
    path: ['customDays'],
  })
  .refine((v) => v.cycle === 'custom' || v.customDays === undefined, {
    message: 'customDays is only for a custom cycle',
    path: ['customDays'],
  });

/** Checked against the stored subscription too: the cycle and customDays must still fit together. */
export const UpdateSubscription = z
  .strictObject({
    name: CreateSubscription.shape.name,
    provider: CreateSubscription.shape.provider,
    amount: NonNegativeDecimalString,
    currency: CurrencyCode,
    cycle: Cycle,
    customDays: CustomDays,
    /** Also moves the anchor day to this date's day of month; a past one moves on as at creation. */
    nextRenewalDate: CalendarDay,
    reminderDays: ReminderDays,
    enabled: z.boolean(),
    /** null removes them. */
    notes: Notes.nullable(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change')
  .refine((v) => v.cycle === undefined || v.cycle === 'custom' || v.customDays === undefined, {
    message: 'customDays is only for a custom cycle',
    path: ['customDays'],
  });

export const SubscriptionEvent = z.object({
  at: Timestamp,
  type: z.enum(['created', 'updated', 'renewed', 'reminded']),
  renewalDate: CalendarDay.nullable(),
  leadDays: z.number().int().nullable(),
  daysLeft: z.number().int().nullable(),
});

export const UpcomingQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(366).default(30),
});

export const UpcomingRenewals = z.object({
  /** The UTC day counted from. */
  asOf: CalendarDay,
  days: z.number().int(),
  /** Every renewal of an enabled subscription in [asOf, asOf + days], soonest first. */
  renewals: z.array(
    z.object({
      subscriptionId: Id,
      name: z.string(),
      provider: z.string(),
      renewalDate: CalendarDay,
      daysLeft: z.number().int(),
      amount: DecimalString,
      currency: CurrencyCode,
    }),
  ),
  /** Amounts due added up per currency, exact. */
  totals: z.record(z.string(), DecimalString),
});

export const subscriptionRoutes = {
  createSubscription: defineRoute({
    id: 'createSubscription',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/subscriptions',
    auth: 'admin',
    tag,
    summary: 'Track a subscription and remind before each renewal',
    params: EnterpriseParams,
    body: CreateSubscription,
    response: Subscription,
    successStatus: 201,
  }),
  listSubscriptions: defineRoute({
    id: 'listSubscriptions',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/subscriptions',
    auth: 'admin',
    tag,
    summary: 'Subscriptions of an enterprise',
    params: EnterpriseParams,
    response: z.array(Subscription),
  }),
  upcomingRenewals: defineRoute({
    id: 'upcomingRenewals',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/subscriptions/upcoming',
    auth: 'admin',
    tag,
    summary: 'Renewals due in the next N days and the amounts due per currency',
    params: EnterpriseParams,
    query: UpcomingQuery,
    response: UpcomingRenewals,
  }),
  getSubscription: defineRoute({
    id: 'getSubscription',
    method: 'GET',
    path: '/api/subscriptions/{subscriptionId}',
    auth: 'admin',
    tag,
    summary: 'One subscription',
    params: SubscriptionParams,
    response: Subscription,
  }),
  updateSubscription: defineRoute({
    id: 'updateSubscription',
    method: 'PATCH',
    path: '/api/subscriptions/{subscriptionId}',
    auth: 'admin',
    tag,
    summary: 'Change a subscription',
    params: SubscriptionParams,
    body: UpdateSubscription,
    response: Subscription,
  }),
  deleteSubscription: defineRoute({
    id: 'deleteSubscription',
    method: 'DELETE',
    path: '/api/subscriptions/{subscriptionId}',
    auth: 'admin',
    tag,
    summary: 'Stop tracking a subscription (its history goes with it)',
    params: SubscriptionParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  subscriptionHistory: defineRoute({
    id: 'subscriptionHistory',
    method: 'GET',
    path: '/api/subscriptions/{subscriptionId}/history',
    auth: 'admin',
    tag,
    summary: 'What happened to a subscription: created, changed, renewed, reminded; oldest first',
    params: SubscriptionParams,
    response: z.array(SubscriptionEvent),
  }),
} as const;
