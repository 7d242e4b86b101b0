/**
 * ElectroDB entities of notification channels, routing rules and the delivery log (issue 5), in the
 * same single table (key templates in ACCESS_PATTERNS.md). Alerts themselves are the tenancy
 * service's `alert` entity, written with their once-only guard in one transaction.
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHANNEL_TYPES } from '../../domain/notifications/types';
import { withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;

const defineNotificationEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const notificationChannel = new Entity(
    {
      model: { entity: 'notificationChannel', version: '1', service },
      attributes: {
        channelId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        type: { type: CHANNEL_TYPES, required: true, readOnly: true },
        settings: { type: 'any', required: true },
        credentialRef: { type: 'string', required: true, readOnly: true },
        enabled: { type: 'boolean', required: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['channelId'], template: 'NCHAN#${channelId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'CHANNEL', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'NCHANS#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['channelId'], template: '${channelId}', casing: none },
        },
      },
    },
    config,
  );

  const notificationRouting = new Entity(
    {
      model: { entity: 'notificationRouting', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        rules: { type: 'any', required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byEnterprise: {
          pk: { field: 'pk', composite: ['enterpriseId'], template: 'NROUTE#${enterpriseId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'ROUTING', casing: none },
        },
      },
    },
    config,
  );

  const delivery = new Entity(
    {
      model: { entity: 'delivery', version: '1', service },
      attributes: {
        deliveryId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        alertId: { type: 'string', required: true, readOnly: true },
        alertAt: { type: 'string', required: true, readOnly: true },
        channelId: { type: 'string', required: true, readOnly: true },
        channelType: { type: CHANNEL_TYPES, required: true, readOnly: true },
        kind: { type: 'string', required: true, readOnly: true },
        status: { type: ['pending', 'delivered', 'failed'] as const, required: true },
        attempts: { type: 'number', required: true },
        lastError: { type: 'string' },
        httpStatus: { type: 'number' },
        providerMessageId: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['deliveryId'], template: 'DELIVERY#${deliveryId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'DELIVERY', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'DELIVERIES#${enterpriseId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['createdAt', 'deliveryId'],
            template: '${createdAt}#${deliveryId}',
            casing: none,
          },
        },
        byAlert: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['alertId'], template: 'ALERTDELIV#${alertId}', casing: none },
          sk: { field: 'gsi2sk', composite: ['channelId'], template: '${channelId}', casing: none },
        },
      },
    },
    config,
  );

  return new Service({ notificationChannel, notificationRouting, delivery });
};

export type NotificationService = ReturnType<typeof defineNotificationEntities>;

export const buildNotificationEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): NotificationService =>
  withModelValidation(validateModels, () => defineNotificationEntities(client, table));
