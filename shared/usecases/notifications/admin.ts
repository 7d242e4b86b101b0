/**
 * Notification channels and routing for admins: a channel's configuration is checked when it is
 * given (its secret goes to the secret store only), routing rules may name only the enterprise's own
 * channels, a test send goes through the real sender, and the alert history shows each alert with
 * its delivery results.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/notifications';
import { requireEnterpriseAccess, requireEnterpriseAdmin, requireVisible } from '../../domain/access';
import type { ChannelType } from '../../domain/notifications/types';
import { invalid, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type { DeliveryRecord, NotificationChannelRecord } from '../../ports/channels';
import type { RequestContext } from '../tenancy';
import { deliver, pendingDelivery, type DeliverDeps } from './dispatch';

type In<T extends z.ZodType> = z.output<T>;

export interface NotificationAdminDeps extends DeliverDeps {
  enterpriseExists(enterpriseId: string): Promise<boolean>;
  /** Throws VALIDATION_ERROR (with problems) for an unusable channel; returns it trimmed. */
  validateChannel(
    type: string,
    settings: unknown,
    secret: unknown,
  ): { type: ChannelType; settings: Record<string, string>; secret: Record<string, string> };
}

const channelView = ({ credentialRef: _ref, ...channel }: NotificationChannelRecord) => channel;

const deliveryView = (d: DeliveryRecord) => ({
  deliveryId: d.deliveryId,
  alertId: d.alertId,
  channelId: d.channelId,
  channelType: d.channelType,
  kind: d.kind,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError ?? null,
  httpStatus: d.httpStatus ?? null,
  providerMessageId: d.providerMessageId ?? null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

const visibleChannel = async (deps: NotificationAdminDeps, ctx: RequestContext, id: string) => {
  const channel = await deps.store.getChannel(id);
  if (!channel) throw notFound('Notification channel', id);
  requireVisible(ctx.caller, channel.enterpriseId, 'Notification channel', id);
  return channel;
};

export const createChannel = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateChannel>,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const { type, settings, secret } = deps.validateChannel(input.type, input.settings, input.secret);
  const now = deps.clock.now();
  const id = newId(now);
  const credentialRef = await deps.secrets.put(`notification-channels/${id}`, JSON.stringify(secret));
  const channel: NotificationChannelRecord = {
    id,
    enterpriseId,
    name: input.name,
    type,
    settings,
    credentialRef,
    enabled: input.enabled,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  try {
    await deps.store.createChannel(channel);
  } catch (err) {
    await deps.secrets.delete(credentialRef);
    throw err;
  }
  return channelView(channel);
};

export const listChannels = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return (await deps.store.listChannels(enterpriseId)).map(channelView);
};

export const updateChannel = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  id: string,
  patch: In<typeof c.UpdateChannel>,
) => {
  const channel = await visibleChannel(deps, ctx, id);
  requireEnterpriseAdmin(ctx.caller, channel.enterpriseId);
  const { secret: newSecret, ...fields } = patch;
  if (newSecret || fields.settings) {
    const secret = newSecret ?? JSON.parse(await deps.secrets.get(channel.credentialRef));
    const checked = deps.validateChannel(channel.type, fields.settings ?? channel.settings, secret);
    if (newSecret) await deps.secrets.replace(channel.credentialRef, JSON.stringify(checked.secret));
    if (fields.settings) fields.settings = checked.settings;
  }
  return channelView(
    await deps.store.updateChannel(id, { ...fields, updatedAt: deps.clock.now().toISOString() }),
  );
};

export const deleteChannel = async (deps: NotificationAdminDeps, ctx: RequestContext, id: string) => {
  const channel = await visibleChannel(deps, ctx, id);
  requireEnterpriseAdmin(ctx.caller, channel.enterpriseId);
  await deps.store.deleteChannel(id);
  await deps.secrets.delete(channel.credentialRef);
  return { deleted: true as const };
};

export const getRouting = async (deps: NotificationAdminDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return { rules: await deps.store.routing(enterpriseId) };
};

export const putRouting = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.Routing>,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  const own = new Set((await deps.store.listChannels(enterpriseId)).map((ch) => ch.id));
  const unknown = input.rules.flatMap((r) => r.channelIds).filter((id) => !own.has(id));
  if (unknown.length > 0)
    throw invalid('Routing rules name channels this enterprise does not have', {
      channelIds: [...new Set(unknown)],
    });
  await deps.store.putRouting(enterpriseId, input.rules, deps.clock.now().toISOString());
  return { rules: input.rules };
};

/** Sends a test message to one channel now, through its real sender, and returns the delivery result. */
export const testChannel = async (deps: NotificationAdminDeps, ctx: RequestContext, id: string) => {
  const channel = await visibleChannel(deps, ctx, id);
  requireEnterpriseAdmin(ctx.caller, channel.enterpriseId);
  const now = deps.clock.now();
  const alert = (await deps.store.recordAlert(
    {
      enterpriseId: channel.enterpriseId,
      kind: 'notification.test',
      severity: 'info',
      subject: `notification-channel:${channel.id}`,
      message: `Test message for the channel "${channel.name}", sent by ${ctx.caller.subject}.`,
    },
    now,
  ))!;
  const delivery = pendingDelivery(alert, channel, now);
  await deps.store.createDeliveries([delivery]);
  await deliver(deps, delivery.deliveryId);
  return deliveryView((await deps.store.getDelivery(delivery.deliveryId))!);
};

export const listAlerts = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.AlertsQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const alerts = (await deps.store.listAlerts(enterpriseId, query.from, query.to)).filter(
    (a) => !query.kind || a.kind === query.kind,
  );
  return Promise.all(
    alerts.map(async (alert) => ({
      ...alert,
      deliveries: (await deps.store.deliveriesOf(alert.alertId)).map(deliveryView),
    })),
  );
};

export const listDeliveries = async (
  deps: NotificationAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.DeliveriesQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return (await deps.store.listDeliveries(enterpriseId, query.limit)).map(deliveryView);
};
