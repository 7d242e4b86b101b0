/**
 * ElectroDB entities of the subscription renewals (issue 5), in the same single table (key templates
 * in ACCESS_PATTERNS.md). A service of their own, like the balance one, so other functions do not
 * build them at cold start. Amounts are exact decimal strings.
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;

const defineSubscriptionEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const subscription = new Entity(
    {
      model: { entity: 'subscription', version: '1', service },
      attributes: {
        subscriptionId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        provider: { type: 'string', required: true },
        amount: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        cycle: { type: ['monthly', 'quarterly', 'yearly', 'custom'] as const, required: true },
        customDays: { type: 'number' },
        anchorDay: { type: 'number', required: true },
        nextRenewalDate: { type: 'string', required: true },
        reminderDays: { type: 'list', items: { type: 'number' }, required: true },
        enabled: { type: 'boolean', required: true },
        /** `ENABLED` or `DISABLED`: the daily reminder job lists the enabled ones through gsi2. */
        reminderState: { type: ['ENABLED', 'DISABLED'] as const, required: true },
        notes: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['subscriptionId'], template: 'SUB#${subscriptionId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'SUBSCRIPTION', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'SUBS#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['subscriptionId'], template: '${subscriptionId}', casing: none },
        },
        byReminderState: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            composite: ['reminderState'],
            template: 'SUBREMIND#${reminderState}',
            casing: none,
          },
          sk: { field: 'gsi2sk', composite: ['subscriptionId'], template: '${subscriptionId}', casing: none },
        },
      },
    },
    config,
  );

  const subscriptionEvent = new Entity(
    {
      model: { entity: 'subscriptionEvent', version: '1', service },
      attributes: {
        subscriptionId: { type: 'string', required: true, readOnly: true },
        /** Time-ordered within one `at`, so events recorded together keep their order. */
        eventId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        at: { type: 'string', required: true, readOnly: true },
        type: { type: ['created', 'updated', 'renewed', 'reminded'] as const, required: true },
        renewalDate: { type: 'string' },
        leadDays: { type: 'number' },
        daysLeft: { type: 'number' },
      },
      indexes: {
        bySubscriptionTime: {
          pk: { field: 'pk', composite: ['subscriptionId'], template: 'SUB#${subscriptionId}', casing: none },
          sk: { field: 'sk', composite: ['at', 'eventId'], template: 'EVENT#${at}#${eventId}', casing: none },
        },
      },
    },
    config,
  );

  return new Service({ subscription, subscriptionEvent });
};

export type SubscriptionService = ReturnType<typeof defineSubscriptionEntities>;

export const buildSubscriptionEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): SubscriptionService =>
  withModelValidation(validateModels, () => defineSubscriptionEntities(client, table));
