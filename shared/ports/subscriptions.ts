import type { BillingCycle } from '../domain/balance/subscriptions';

/** A paid subscription whose renewals are announced ahead (seed 002 SubscriptionChecker). */
export interface SubscriptionRecord {
  id: string;
  enterpriseId: string;
  name: string;
  /** Free text: who bills it, e.g. "GitHub Copilot". */
  provider: string;
  /** Exact decimal in `currency`, charged at each renewal. */
  amount: string;
  currency: string;
  cycle: BillingCycle['cycle'];
  /** Length of a `custom` cycle in days; absent for the other cycles. */
  customDays?: number;
  /** Day of month of the first renewal: monthly renewals return to it after shorter months. */
  anchorDay: number;
  /** `YYYY-MM-DD` (UTC). */
  nextRenewalDate: string;
  /** Days before a renewal on which to remind, largest first. */
  reminderDays: number[];
  enabled: boolean;
  notes?: string;
  createdAt: string;
  updatedAt: string;
}

/** One line of a subscription's history (seed 002 SubscriptionHistory). */
export interface SubscriptionEvent {
  subscriptionId: string;
  enterpriseId: string;
  at: string;
  type: 'created' | 'updated' | 'renewed' | 'reminded';
  /** The renewal concerned: the one passed (`renewed`), announced (`reminded`) or next (the others). */
  renewalDate?: string;
  /** `reminded`: the lead time announced and the days that were actually left. */
  leadDays?: number;
  daysLeft?: number;
}

/** Fields a change may set; `null` removes an optional one. */
export type SubscriptionPatch = Partial<
  Omit<SubscriptionRecord, 'id' | 'enterpriseId' | 'createdAt' | 'customDays' | 'notes'>
> & { customDays?: number | null; notes?: string | null };

export interface SubscriptionStore {
  create(subscription: SubscriptionRecord): Promise<void>;
  get(id: string): Promise<SubscriptionRecord | null>;
  listByEnterprise(enterpriseId: string): Promise<SubscriptionRecord[]>;
  /** Every enabled subscription of every enterprise (the daily reminder job). */
  listEnabled(): Promise<SubscriptionRecord[]>;
  /** Applies `patch`; NOT_FOUND when the subscription is gone. */
  update(id: string, patch: SubscriptionPatch): Promise<SubscriptionRecord>;
  /**
   * Moves the next renewal from `from` to `to`, unless it is no longer `from` (another run of the
   * job, an admin's change, a deletion): false then, so one renewal is never recorded twice.
   */
  advance(id: string, from: string, to: string, updatedAt: string): Promise<boolean>;
  /** Deletes the subscription and its history. */
  delete(id: string): Promise<void>;
  addEvent(event: SubscriptionEvent): Promise<void>;
  /** History of a subscription, oldest first. */
  events(subscriptionId: string): Promise<SubscriptionEvent[]>;
}
