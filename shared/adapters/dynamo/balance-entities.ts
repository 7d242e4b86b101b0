/**
 * ElectroDB entities of the balance monitor (issue 5), in the same single table (key templates in
 * ACCESS_PATTERNS.md). A service of their own, like the bills one, so other functions do not build
 * them at cold start. Balances and thresholds are exact decimal strings.
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BALANCE_PROVIDERS } from '../../domain/balance/types';
import { withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;

const defineBalanceEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const balanceSource = new Entity(
    {
      model: { entity: 'balanceSource', version: '1', service },
      attributes: {
        sourceId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        provider: { type: BALANCE_PROVIDERS, required: true, readOnly: true },
        credentialRef: { type: 'string', required: true },
        credentialHint: { type: 'string', required: true },
        settings: { type: 'any', required: true },
        threshold: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        enabled: { type: 'boolean', required: true },
        /** `ENABLED` or `DISABLED`: the scheduled poll lists the enabled ones through gsi2. */
        pollState: { type: ['ENABLED', 'DISABLED'] as const, required: true },
        realertAfterMinutes: { type: 'number', required: true },
        alert: { type: 'any', required: true },
        lastReading: { type: 'any' },
        lastManualRefreshAt: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['sourceId'], template: 'BALSRC#${sourceId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'SOURCE', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'BALSRCS#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['sourceId'], template: '${sourceId}', casing: none },
        },
        byPollState: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            composite: ['pollState'],
            template: 'BALSRCPOLL#${pollState}',
            casing: none,
          },
          sk: { field: 'gsi2sk', composite: ['sourceId'], template: '${sourceId}', casing: none },
        },
      },
    },
    config,
  );

  const balanceReading = new Entity(
    {
      model: { entity: 'balanceReading', version: '1', service },
      attributes: {
        sourceId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        at: { type: 'string', required: true, readOnly: true },
        status: { type: ['ok', 'failed'] as const, required: true },
        balance: { type: 'string' },
        currency: { type: 'string' },
        details: { type: 'any' },
        error: { type: 'any' },
        attempts: { type: 'number', required: true },
        latencyMs: { type: 'number', required: true },
      },
      indexes: {
        bySourceTime: {
          pk: { field: 'pk', composite: ['sourceId'], template: 'BALSRC#${sourceId}', casing: none },
          sk: { field: 'sk', composite: ['at'], template: 'READING#${at}', casing: none },
        },
      },
    },
    config,
  );

  return new Service({ balanceSource, balanceReading });
};

export type BalanceService = ReturnType<typeof defineBalanceEntities>;

export const buildBalanceEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): BalanceService => withModelValidation(validateModels, () => defineBalanceEntities(client, table));
