/** Notification channels, routing rules, alert history and the delivery log (issue 5). */
import * as z from 'zod';
import { KIND_PATTERN } from '../domain/notifications/routing';
import { CHANNEL_TYPES } from '../domain/notifications/types';
import { EmptyObject, Id, Timestamp } from './common';
import { defineRoute } from './route';

const tag = 'notifications';
const EnterpriseParams = z.strictObject({ enterpriseId: Id });
const ChannelParams = z.strictObject({ channelId: Id });
const Settings = z.record(z.string().max(100), z.string().max(4000));
/** The channel's secret part: webhook URL (it carries the bot token), signing secret. Stored in the secret store only. */
const Secret = z.record(z.string().max(100), z.string().max(4000));
const Severity = z.enum(['info', 'warning', 'critical']);

export const Channel = z.object({
  id: Id,
  enterpriseId: Id,
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  settings: Settings,
  enabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateChannel = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: z.string().max(32),
  settings: Settings.default({}),
  secret: Secret.default({}),
  enabled: z.boolean().default(true),
});

export const UpdateChannel = z
  .strictObject({ name: CreateChannel.shape.name, settings: Settings, secret: Secret, enabled: z.boolean() })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');

const Rule = z.strictObject({
  kinds: z
    .array(z.string().regex(KIND_PATTERN, 'an event kind such as "balance.low", "bills.*" or "*"'))
    .min(1)
    .max(50),
  minSeverity: Severity.default('info'),
  channelIds: z.array(Id).min(1).max(50),
});
export const Routing = z.strictObject({ rules: z.array(Rule).max(100) });

export const Delivery = z.object({
  deliveryId: Id,
  alertId: Id,
  channelId: Id,
  channelType: z.enum(CHANNEL_TYPES),
  kind: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  providerMessageId: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Alert = z.object({
  alertId: Id,
  enterpriseId: Id,
  at: Timestamp,
  kind: z.string(),
  severity: Severity,
  subject: z.string(),
  message: z.string(),
  deliveries: z.array(Delivery),
});

export const AlertsQuery = z
  .strictObject({ from: Timestamp, to: Timestamp, kind: z.string().max(100).optional() })
  .refine((q) => q.from <= q.to, { message: 'to is before from', path: ['to'] });
export const DeliveriesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const notificationRoutes = {
  createChannel: defineRoute({
    id: 'createNotificationChannel',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/notification-channels',
    auth: 'admin',
    tag,
    summary: 'Add a channel: Feishu, DingTalk, WeCom, Slack, generic webhook or e-mail (checked now)',
    params: EnterpriseParams,
    body: CreateChannel,
    response: Channel,
    successStatus: 201,
  }),
  listChannels: defineRoute({
    id: 'listNotificationChannels',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/notification-channels',
    auth: 'admin',
    tag,
    summary: 'The enterprise’s channels (never their secrets)',
    params: EnterpriseParams,
    response: z.array(Channel),
  }),
  updateChannel: defineRoute({
    id: 'updateNotificationChannel',
    method: 'PATCH',
    path: '/api/notification-channels/{channelId}',
    auth: 'admin',
    tag,
    summary: 'Rename, reconfigure, enable or disable a channel',
    params: ChannelParams,
    body: UpdateChannel,
    response: Channel,
  }),
  deleteChannel: defineRoute({
    id: 'deleteNotificationChannel',
    method: 'DELETE',
    path: '/api/notification-channels/{channelId}',
    auth: 'admin',
    tag,
    summary: 'Remove a channel and its secret',
    params: ChannelParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  testChannel: defineRoute({
    id: 'testNotificationChannel',
    method: 'POST',
    path: '/api/notification-channels/{channelId}/test',
    auth: 'admin',
    tag,
    summary: 'Send a test message now and return the delivery result',
    params: ChannelParams,
    body: EmptyObject,
    response: Delivery,
  }),
  getRouting: defineRoute({
    id: 'getNotificationRouting',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/notification-routing',
    auth: 'admin',
    tag,
    summary: 'Which events go to which channels (no rules: every alert to every enabled channel)',
    params: EnterpriseParams,
    response: Routing,
  }),
  putRouting: defineRoute({
    id: 'putNotificationRouting',
    method: 'PUT',
    path: '/api/enterprises/{enterpriseId}/notification-routing',
    auth: 'admin',
    tag,
    summary: 'Replace the routing rules',
    params: EnterpriseParams,
    body: Routing,
    response: Routing,
  }),
  listAlerts: defineRoute({
    id: 'listAlerts',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/alerts',
    auth: 'admin',
    tag,
    summary: 'Alert history with each alert’s delivery results, newest first',
    params: EnterpriseParams,
    query: AlertsQuery,
    response: z.array(Alert),
  }),
  listDeliveries: defineRoute({
    id: 'listDeliveries',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/deliveries',
    auth: 'admin',
    tag,
    summary: 'The delivery log, newest first',
    params: EnterpriseParams,
    query: DeliveriesQuery,
    response: z.array(Delivery),
  }),
} as const;
