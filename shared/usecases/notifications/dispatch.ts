/**
 * The one notifier every capability uses (gateway quota and account health, bill anomalies and
 * budgets, balances, subscriptions, reports): each alert is recorded (AlertHistory), routed by the
 * enterprise's rules to its enabled channels, and handed to the delivery worker as one delivery per
 * channel. The worker sends each with its own timeout and retries (3 tries, backoff ≤ 10 s) and
 * records the outcome in the delivery log, so a failing channel never holds up another.
 */
import pRetry from 'p-retry';
import { alertMessage, routeAlert } from '../../domain/notifications/routing';
import type { ChannelType } from '../../domain/notifications/types';
import { newId } from '../../domain/ids';
import type { Clock } from '../../ports/clock';
import type {
  AlertRecord,
  DeliveryQueue,
  DeliveryRecord,
  NotificationChannelRecord,
  NotificationStore,
} from '../../ports/channels';
import {
  DeliveryError,
  type ChannelSender,
  type Notification,
  type Notifier,
} from '../../ports/notifications';
import type { SecretStore } from '../../ports/secrets';

export interface DeliverySettings {
  tries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Per send. */
  timeoutMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  tries: 3,
  minBackoffMs: 500,
  maxBackoffMs: 10_000,
  timeoutMs: 10_000,
};

export interface DispatchDeps {
  store: NotificationStore;
  queue: DeliveryQueue;
  clock: Clock;
}

export interface DeliverDeps {
  store: NotificationStore;
  secrets: SecretStore;
  senders: Record<ChannelType, ChannelSender>;
  clock: Clock;
  settings: DeliverySettings;
}

/** A delivery of `alert` to `channel`, not yet attempted. */
export const pendingDelivery = (
  alert: AlertRecord,
  channel: NotificationChannelRecord,
  now: Date,
): DeliveryRecord => ({
  deliveryId: newId(now),
  enterpriseId: alert.enterpriseId,
  alertId: alert.alertId,
  alertAt: alert.at,
  channelId: channel.id,
  channelType: channel.type,
  kind: alert.kind,
  status: 'pending',
  attempts: 0,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
});

/** Routes a recorded alert: one pending delivery per chosen channel, queued for the worker. */
export const routeRecordedAlert = async (
  deps: DispatchDeps,
  alert: AlertRecord,
): Promise<DeliveryRecord[]> => {
  const channels = (await deps.store.listChannels(alert.enterpriseId)).filter((c) => c.enabled);
  const rules = await deps.store.routing(alert.enterpriseId);
  const chosen = routeAlert(
    rules,
    channels.map((c) => c.id),
    alert.kind,
    alert.severity,
  );
  const now = deps.clock.now();
  const deliveries = channels.filter((c) => chosen.includes(c.id)).map((c) => pendingDelivery(alert, c, now));
  await deps.store.createDeliveries(deliveries);
  await deps.queue.enqueue(deliveries.map((d) => d.deliveryId));
  return deliveries;
};

/** The Notifier port over the alert log, the routing rules and the delivery queue. */
export class RoutingNotifier implements Notifier {
  constructor(private readonly deps: DispatchDeps) {}

  async notify(notification: Notification): Promise<void> {
    const alert = await this.deps.store.recordAlert(notification, this.deps.clock.now());
    await routeRecordedAlert(this.deps, alert!);
  }

  async notifyOnce(onceKey: string, notification: Notification): Promise<boolean> {
    const alert = await this.deps.store.recordAlert(notification, this.deps.clock.now(), onceKey);
    if (alert) await routeRecordedAlert(this.deps, alert);
    return alert !== null;
  }
}

const describe = (err: unknown): string =>
  err instanceof DeliveryError
    ? `${err.kind}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);

/**
 * Sends one delivery (the worker's job): retried while the channel's failure is transient, honouring
 * its Retry-After within the backoff cap; the outcome, attempts and last error go to the delivery log.
 * A delivery already delivered or failed is left alone (SQS may hand a message over twice).
 */
export const deliver = async (
  deps: DeliverDeps,
  deliveryId: string,
): Promise<DeliveryRecord['status'] | 'skipped'> => {
  const delivery = await deps.store.getDelivery(deliveryId);
  if (!delivery || delivery.status !== 'pending') return 'skipped';
  const finish = (patch: Parameters<NotificationStore['updateDelivery']>[1]) =>
    deps.store.updateDelivery(deliveryId, { ...patch, updatedAt: deps.clock.now().toISOString() });

  const channel = await deps.store.getChannel(delivery.channelId);
  const alert = await deps.store.getAlert(delivery.enterpriseId, delivery.alertAt, delivery.alertId);
  if (!channel || !alert) {
    await finish({
      status: 'failed',
      lastError: channel ? 'The alert no longer exists' : 'The channel was deleted',
    });
    return 'failed';
  }
  const secret = JSON.parse(await deps.secrets.get(channel.credentialRef)) as Record<string, string>;
  const message = alertMessage(alert);
  let attempts = 0;
  try {
    const receipt = await pRetry(
      () => {
        attempts++;
        return deps.senders[channel.type].send(
          { type: channel.type, settings: channel.settings, secret },
          message,
          AbortSignal.timeout(deps.settings.timeoutMs),
        );
      },
      {
        retries: deps.settings.tries - 1,
        factor: 2,
        minTimeout: deps.settings.minBackoffMs,
        maxTimeout: deps.settings.maxBackoffMs,
        randomize: false,
        shouldRetry: ({ error }) => error instanceof DeliveryError && error.retryable,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          const wait = error instanceof DeliveryError ? error.options.retryAfterMs : undefined;
          if (retriesLeft > 0 && wait)
            await new Promise((resolve) => setTimeout(resolve, Math.min(wait, deps.settings.maxBackoffMs)));
        },
      },
    );
    await finish({
      status: 'delivered',
      attempts,
      httpStatus: receipt.status,
      ...(receipt.providerMessageId ? { providerMessageId: receipt.providerMessageId } : {}),
    });
    return 'delivered';
  } catch (err) {
    const status = err instanceof DeliveryError ? err.options.status : undefined;
    await finish({
      status: 'failed',
      attempts,
      lastError: describe(err).slice(0, 1000),
      ...(status === undefined ? {} : { httpStatus: status }),
    });
    return 'failed';
  }
};
