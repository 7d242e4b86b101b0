import type { ChannelType } from '../domain/notifications/types';
import type { RoutingRule } from '../domain/notifications/routing';
import type { Notification } from './notifications';

/** A place an enterprise's alerts are delivered to (its secret — webhook URL, signing key — in the secret store). */
export interface NotificationChannelRecord {
  id: string;
  enterpriseId: string;
  name: string;
  type: ChannelType;
  /** Non-secret settings (e-mail recipients, a label). */
  settings: Record<string, string>;
  credentialRef: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One recorded alert (AlertHistory), whatever channels it went to. */
export interface AlertRecord extends Notification {
  alertId: string;
  at: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One alert to one channel: the delivery log. */
export interface DeliveryRecord {
  deliveryId: string;
  enterpriseId: string;
  alertId: string;
  /** The alert's time (deliveries are found by alert through it). */
  alertAt: string;
  channelId: string;
  channelType: ChannelType;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  /** HTTP status of the last answer (200 for an accepted e-mail). */
  httpStatus?: number;
  providerMessageId?: string;
  createdAt: string;
  updatedAt: string;
}

export interface NotificationStore {
  createChannel(channel: NotificationChannelRecord): Promise<void>;
  getChannel(id: string): Promise<NotificationChannelRecord | null>;
  listChannels(enterpriseId: string): Promise<NotificationChannelRecord[]>;
  updateChannel(
    id: string,
    patch: Partial<Pick<NotificationChannelRecord, 'name' | 'settings' | 'enabled' | 'updatedAt'>>,
  ): Promise<NotificationChannelRecord>;
  deleteChannel(id: string): Promise<void>;
  /** The enterprise's routing rules; an empty list routes every alert to every enabled channel. */
  routing(enterpriseId: string): Promise<RoutingRule[]>;
  putRouting(enterpriseId: string, rules: RoutingRule[], updatedAt: string): Promise<void>;
  /**
   * Records the alert. With `onceKey`, only the first alert under that key is recorded (a guard item
   * in the same transaction); returns null for a repeat.
   */
  recordAlert(notification: Notification, at: Date, onceKey?: string): Promise<AlertRecord | null>;
  getAlert(enterpriseId: string, alertAt: string, alertId: string): Promise<AlertRecord | null>;
  /** Alerts of an enterprise in [fromIso, toIso], newest first. */
  listAlerts(enterpriseId: string, fromIso: string, toIso: string): Promise<AlertRecord[]>;
  createDeliveries(deliveries: DeliveryRecord[]): Promise<void>;
  getDelivery(deliveryId: string): Promise<DeliveryRecord | null>;
  updateDelivery(
    deliveryId: string,
    patch: Partial<
      Pick<
        DeliveryRecord,
        'status' | 'attempts' | 'lastError' | 'httpStatus' | 'providerMessageId' | 'updatedAt'
      >
    >,
  ): Promise<void>;
  /** Deliveries of one alert. */
  deliveriesOf(alertId: string): Promise<DeliveryRecord[]>;
  /** Deliveries of an enterprise, newest first. */
  listDeliveries(enterpriseId: string, limit: number): Promise<DeliveryRecord[]>;
}

/** Hands deliveries to the delivery worker (SQS in AWS and locally). */
export interface DeliveryQueue {
  enqueue(deliveryIds: string[]): Promise<void>;
}
