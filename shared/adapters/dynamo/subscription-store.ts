/** The subscription renewals' repository over the single table (entities in subscription-entities.ts). */
import type { EntityItem } from 'electrodb';
import { monotonicFactory } from 'ulidx';
import { notFound } from '../../domain/errors';
import type {
  SubscriptionEvent,
  SubscriptionPatch,
  SubscriptionRecord,
  SubscriptionStore,
} from '../../ports/subscriptions';
import { isConditionFailure } from './errors';
import type { SubscriptionService } from './subscription-entities';

type Entities = SubscriptionService['entities'];
type Item<K extends keyof Entities> = EntityItem<Entities[K]>;

const toSubscription = ({
  subscriptionId,
  reminderState: _state,
  ...rest
}: Item<'subscription'>): SubscriptionRecord => ({ ...rest, id: subscriptionId });

const toEvent = ({ eventId: _id, ...event }: Item<'subscriptionEvent'>): SubscriptionEvent => event;

const reminderState = (enabled: boolean) => (enabled ? 'ENABLED' : 'DISABLED') as 'ENABLED' | 'DISABLED';

export class DynamoSubscriptionStore implements SubscriptionStore {
  private readonly e: Entities;
  // Events recorded in the same millisecond (the renewals one run passed) keep their order.
  private readonly eventId = monotonicFactory();

  constructor(service: SubscriptionService) {
    this.e = service.entities;
  }

  async create({ id, ...rest }: SubscriptionRecord): Promise<void> {
    await this.e.subscription
      .create({ subscriptionId: id, reminderState: reminderState(rest.enabled), ...rest })
      .go();
  }

  async get(id: string): Promise<SubscriptionRecord | null> {
    const { data } = await this.e.subscription.get({ subscriptionId: id }).go();
    return data ? toSubscription(data) : null;
  }

  async listByEnterprise(enterpriseId: string): Promise<SubscriptionRecord[]> {
    const { data } = await this.e.subscription.query.byEnterprise({ enterpriseId }).go({ pages: 'all' });
    return data.map(toSubscription);
  }

  async listEnabled(): Promise<SubscriptionRecord[]> {
    const { data } = await this.e.subscription.query
      .byReminderState({ reminderState: 'ENABLED' })
      .go({ pages: 'all' });
    return data.map(toSubscription);
  }

  async update(id: string, patch: SubscriptionPatch): Promise<SubscriptionRecord> {
    const { customDays, notes, ...rest } = patch;
    try {
      let op = this.e.subscription.patch({ subscriptionId: id }).set({
        ...rest,
        ...(rest.enabled === undefined ? {} : { reminderState: reminderState(rest.enabled) }),
        ...(typeof customDays === 'number' ? { customDays } : {}),
        ...(typeof notes === 'string' ? { notes } : {}),
      });
      const cleared = [customDays === null && 'customDays', notes === null && 'notes'].filter(
        (f): f is 'customDays' | 'notes' => Boolean(f),
      );
      if (cleared.length > 0) op = op.remove(cleared);
      const { data } = await op.go({ response: 'all_new' });
      return toSubscription(data as Item<'subscription'>);
    } catch (err) {
      // patch() is conditional on the item existing: a subscription deleted meanwhile is not recreated.
      if (isConditionFailure(err)) throw notFound('Subscription', id);
      throw err;
    }
  }

  async advance(id: string, from: string, to: string, updatedAt: string): Promise<boolean> {
    try {
      await this.e.subscription
        .patch({ subscriptionId: id })
        .set({ nextRenewalDate: to, updatedAt })
        .where(({ nextRenewalDate }, { eq }) => eq(nextRenewalDate, from))
        .go({ response: 'none' });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    // History first: a failure leaves the subscription in place, so deleting it again finishes the job.
    const { data } = await this.e.subscriptionEvent.query
      .bySubscriptionTime({ subscriptionId: id })
      .go({ pages: 'all', attributes: ['subscriptionId', 'at', 'eventId'] });
    if (data.length > 0) {
      const { unprocessed } = await this.e.subscriptionEvent.delete(data).go();
      if (unprocessed.length > 0)
        throw new Error(`${unprocessed.length} subscription events were not deleted`);
    }
    await this.e.subscription.delete({ subscriptionId: id }).go();
  }

  async addEvent(event: SubscriptionEvent): Promise<void> {
    await this.e.subscriptionEvent
      .put({ ...event, eventId: this.eventId(Date.parse(event.at)) })
      .go({ response: 'none' });
  }

  async events(subscriptionId: string): Promise<SubscriptionEvent[]> {
    const { data } = await this.e.subscriptionEvent.query
      .bySubscriptionTime({ subscriptionId })
      .go({ pages: 'all' });
    return data.map(toEvent);
  }
}
