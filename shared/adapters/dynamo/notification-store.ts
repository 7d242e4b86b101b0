/**
 * Channels, routing rules, alerts and the delivery log over the single table. Alerts are the tenancy
 * service's `alert` entity; a once-only alert writes its guard item in the same transaction, so two
 * concurrent senders of the same key record (and deliver) it once.
 */
import type { EntityItem } from 'electrodb';
import type { RoutingRule } from '../../domain/notifications/routing';
import { newId } from '../../domain/ids';
import { notFound } from '../../domain/errors';
import type {
  AlertRecord,
  DeliveryRecord,
  NotificationChannelRecord,
  NotificationStore,
} from '../../ports/channels';
import type { Notification } from '../../ports/notifications';
import type { TollgateService } from './entities';
import type { NotificationService } from './notification-entities';
import { isConditionFailure } from './errors';

type Entities = NotificationService['entities'];
type Item<K extends keyof Entities> = EntityItem<Entities[K]>;

const toChannel = ({ channelId, ...rest }: Item<'notificationChannel'>): NotificationChannelRecord => ({
  ...rest,
  id: channelId,
  settings: rest.settings as Record<string, string>,
});

const toAlert = (item: EntityItem<TollgateService['entities']['alert']>): AlertRecord => item;

export class DynamoNotificationStore implements NotificationStore {
  private readonly e: Entities;

  constructor(
    service: NotificationService,
    private readonly tenancy: TollgateService,
  ) {
    this.e = service.entities;
  }

  async createChannel({ id, ...rest }: NotificationChannelRecord): Promise<void> {
    await this.e.notificationChannel.create({ channelId: id, ...rest }).go();
  }

  async getChannel(id: string): Promise<NotificationChannelRecord | null> {
    const { data } = await this.e.notificationChannel.get({ channelId: id }).go();
    return data ? toChannel(data) : null;
  }

  async listChannels(enterpriseId: string): Promise<NotificationChannelRecord[]> {
    const { data } = await this.e.notificationChannel.query
      .byEnterprise({ enterpriseId })
      .go({ pages: 'all' });
    return data.map(toChannel);
  }

  async updateChannel(
    id: string,
    patch: Parameters<NotificationStore['updateChannel']>[1],
  ): Promise<NotificationChannelRecord> {
    try {
      const { data } = await this.e.notificationChannel
        .patch({ channelId: id })
        .set(patch)
        .go({ response: 'all_new' });
      return toChannel(data as Item<'notificationChannel'>);
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('Notification channel', id);
      throw err;
    }
  }

  async deleteChannel(id: string): Promise<void> {
    await this.e.notificationChannel.delete({ channelId: id }).go();
  }

  async routing(enterpriseId: string): Promise<RoutingRule[]> {
    const { data } = await this.e.notificationRouting.get({ enterpriseId }).go();
    return (data?.rules as RoutingRule[] | undefined) ?? [];
  }

  async putRouting(enterpriseId: string, rules: RoutingRule[], updatedAt: string): Promise<void> {
    await this.e.notificationRouting.put({ enterpriseId, rules, updatedAt }).go();
  }

  async recordAlert(notification: Notification, at: Date, onceKey?: string): Promise<AlertRecord | null> {
    const alert = { alertId: newId(at), at: at.toISOString(), ...notification };
    if (onceKey === undefined) {
      await this.tenancy.entities.alert.create(alert).go({ response: 'none' });
      return alert;
    }
    const result = await this.tenancy.transaction
      .write(({ uniqueGuard, alert: alertEntity }) => [
        uniqueGuard.create({ scope: 'NOTIFIED', value: onceKey, ownerId: alert.alertId }).commit(),
        alertEntity.create(alert).commit(),
      ])
      .go();
    return result.canceled ? null : alert;
  }

  async getAlert(enterpriseId: string, alertAt: string, alertId: string): Promise<AlertRecord | null> {
    const { data } = await this.tenancy.entities.alert.get({ enterpriseId, at: alertAt, alertId }).go();
    return data ? toAlert(data) : null;
  }

  async listAlerts(enterpriseId: string, fromIso: string, toIso: string): Promise<AlertRecord[]> {
    const { data } = await this.tenancy.entities.alert.query
      .byEnterprise({ enterpriseId })
      .between({ at: fromIso }, { at: `${toIso}\uffff` })
      .go({ pages: 'all', order: 'desc' });
    return data.map(toAlert);
  }

  async createDeliveries(deliveries: DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    const { unprocessed } = await this.e.delivery.put(deliveries).go();
    if (unprocessed.length > 0) throw new Error(`${unprocessed.length} deliveries were not written`);
  }

  async getDelivery(deliveryId: string): Promise<DeliveryRecord | null> {
    const { data } = await this.e.delivery.get({ deliveryId }).go();
    return data ?? null;
  }

  async updateDelivery(
    deliveryId: string,
    patch: Parameters<NotificationStore['updateDelivery']>[1],
  ): Promise<void> {
    await this.e.delivery.patch({ deliveryId }).set(patch).go({ response: 'none' });
  }

  async deliveriesOf(alertId: string): Promise<DeliveryRecord[]> {
    const { data } = await this.e.delivery.query.byAlert({ alertId }).go({ pages: 'all' });
    return data;
  }

  async listDeliveries(enterpriseId: string, limit: number): Promise<DeliveryRecord[]> {
    const { data } = await this.e.delivery.query
      .byEnterprise({ enterpriseId })
      .go({ count: limit, order: 'desc' });
    return data;
  }
}
