/**
 * ElectroDB entities of the cloud-bills capability (issue 4), in the same single table as the rest
 * (key templates in ACCESS_PATTERNS.md). A service of their own, so the gateway's router does not
 * build them at cold start. Amounts are exact decimal strings.
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLOUD_PROVIDERS, SERVICE_CATEGORIES } from '../../domain/bills/types';
import { uniqueGuardEntity, withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;
const providers = CLOUD_PROVIDERS;
const snapshotProviders = [...CLOUD_PROVIDERS, 'all'] as const;

const timestamps = {
  createdAt: { type: 'string', required: true, readOnly: true },
  updatedAt: { type: 'string', required: true },
} as const;

const defineBillEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const cloudAccount = new Entity(
    {
      model: { entity: 'cloudAccount', version: '1', service },
      attributes: {
        cloudAccountId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        provider: { type: providers, required: true, readOnly: true },
        accountId: { type: 'string', required: true, readOnly: true },
        accountName: { type: 'string', required: true },
        /** Secret store reference of the provider credentials (absent for FOCUS file sources). */
        credentialRef: { type: 'string' },
        credentialHint: { type: 'string' },
        status: { type: ['active', 'disabled', 'error'] as const, required: true },
        settings: { type: 'any', required: true },
        projectTagKeys: { type: 'list', items: { type: 'string' }, required: true },
        lastSyncAt: { type: 'string' },
        lastError: { type: 'string' },
        ...timestamps,
      },
      indexes: {
        byId: {
          pk: {
            field: 'pk',
            composite: ['cloudAccountId'],
            template: 'CLOUDACCT#${cloudAccountId}',
            casing: none,
          },
          sk: { field: 'sk', composite: [], template: 'PROFILE', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'ENT#${enterpriseId}#CLOUDACCTS',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['provider', 'cloudAccountId'],
            template: '${provider}#${cloudAccountId}',
            casing: none,
          },
        },
        byStatus: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['status'], template: 'CLOUDACCTS#${status}', casing: none },
          sk: { field: 'gsi2sk', composite: ['cloudAccountId'], template: '${cloudAccountId}', casing: none },
        },
      },
    },
    config,
  );

  const billingSyncJob = new Entity(
    {
      model: { entity: 'billingSyncJob', version: '1', service },
      attributes: {
        jobId: { type: 'string', required: true, readOnly: true },
        cloudAccountId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        provider: { type: providers, required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        trigger: { type: ['schedule', 'manual', 'upload', 'file-drop'] as const, required: true },
        /** For file imports: where the file is (local path, or the bill-file store key). */
        source: { type: 'any' },
        status: { type: ['pending', 'running', 'success', 'failed'] as const, required: true },
        attempts: { type: 'number', required: true },
        requestedAt: { type: 'string', required: true, readOnly: true },
        startedAt: { type: 'string' },
        finishedAt: { type: 'string' },
        lastError: { type: 'string' },
        summary: { type: 'any' },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byAccount: {
          pk: {
            field: 'pk',
            composite: ['cloudAccountId'],
            template: 'CLOUDACCT#${cloudAccountId}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['requestedAt', 'jobId'],
            template: 'JOB#${requestedAt}#${jobId}',
            casing: none,
          },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'JOBS#${enterpriseId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['requestedAt', 'jobId'],
            template: '${requestedAt}#${jobId}',
            casing: none,
          },
        },
        byId: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['jobId'], template: 'JOB#${jobId}', casing: none },
          sk: { field: 'gsi2sk', composite: [], template: 'JOB', casing: none },
        },
      },
    },
    config,
  );

  /** One account + period syncs at most once at a time: a conditional put with a lease expiry. */
  const syncLock = new Entity(
    {
      model: { entity: 'syncLock', version: '1', service },
      attributes: {
        cloudAccountId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        jobId: { type: 'string', required: true },
        /** Epoch seconds; an expired lock may be taken over (its holder died). */
        leaseExpiresAt: { type: 'number', required: true },
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byAccountPeriod: {
          pk: {
            field: 'pk',
            composite: ['cloudAccountId', 'periodMonth'],
            template: 'LOCK#SYNC#${cloudAccountId}#${periodMonth}',
            casing: none,
          },
          sk: { field: 'sk', composite: [], template: 'LOCK', casing: none },
        },
      },
    },
    config,
  );

  const cloudBillItem = new Entity(
    {
      model: { entity: 'cloudBillItem', version: '1', service },
      attributes: {
        itemId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true },
        cloudAccountId: { type: 'string', required: true },
        provider: { type: providers, required: true },
        periodMonth: { type: 'string', required: true },
        billingDate: { type: 'string', required: true },
        originalServiceName: { type: 'string', required: true },
        normalizedService: { type: SERVICE_CATEGORIES, required: true },
        projectCode: { type: 'string' },
        region: { type: 'string' },
        resourceId: { type: 'string' },
        usageAccountId: { type: 'string' },
        currency: { type: 'string', required: true },
        originalAmount: { type: 'string', required: true },
        exchangeRate: { type: 'string', required: true },
        normalizedAmount: { type: 'string', required: true },
        reportingCurrency: { type: 'string', required: true },
        amortizedAmount: { type: 'string' },
        /** JSON text of the item's tags (see bill-store.ts). */
        tags: { type: 'string', required: true },
        untagged: { type: 'boolean', required: true },
        /** JSON text of the provider's line as fetched. */
        rawPayload: { type: 'string', required: true },
        /** The sync job that last wrote the item: items of an earlier sync that it did not see are swept. */
        jobId: { type: 'string', required: true },
      },
      indexes: {
        byAccountPeriod: {
          pk: {
            field: 'pk',
            composite: ['cloudAccountId', 'periodMonth'],
            template: 'BILL#${cloudAccountId}#${periodMonth}',
            casing: none,
          },
          sk: { field: 'sk', composite: ['itemId'], template: 'ITEM#${itemId}', casing: none },
        },
        byEnterprisePeriod: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId', 'periodMonth'],
            template: 'BILL#${enterpriseId}#${periodMonth}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['provider', 'normalizedService', 'itemId'],
            template: '${provider}#${normalizedService}#${itemId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const exchangeRate = new Entity(
    {
      model: { entity: 'exchangeRate', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        fromCurrency: { type: 'string', required: true, readOnly: true },
        toCurrency: { type: 'string', required: true, readOnly: true },
        /** Units of `toCurrency` per one unit of `fromCurrency`, exact decimal string. */
        rate: { type: 'string', required: true },
        ...timestamps,
      },
      indexes: {
        byPeriod: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId', 'periodMonth'],
            template: 'FX#${enterpriseId}#${periodMonth}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['fromCurrency', 'toCurrency'],
            template: '${fromCurrency}#${toCurrency}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  /** The published snapshot version of a period: readers see only complete versions. */
  const snapshotHead = new Entity(
    {
      model: { entity: 'snapshotHead', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        snapshotVersion: { type: 'number', required: true },
        reportingCurrency: { type: 'string', required: true },
        itemCount: { type: 'number', required: true },
        snapshotCount: { type: 'number', required: true },
        publishedAt: { type: 'string', required: true },
      },
      indexes: {
        byPeriod: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId', 'periodMonth'],
            template: 'SNAP#${enterpriseId}#${periodMonth}',
            casing: none,
          },
          sk: { field: 'sk', composite: [], template: 'HEAD', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'SNAPHEADS#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['periodMonth'], template: '${periodMonth}', casing: none },
        },
      },
    },
    config,
  );

  const monthlyCostSnapshot = new Entity(
    {
      model: { entity: 'monthlyCostSnapshot', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        /** Zero-padded, so versions sort as strings. */
        snapshotVersion: { type: 'string', required: true, readOnly: true },
        provider: { type: snapshotProviders, required: true, readOnly: true },
        dimensionType: {
          type: ['provider', 'account', 'project', 'service', 'region'] as const,
          required: true,
          readOnly: true,
        },
        dimensionKey: { type: 'string', required: true, readOnly: true },
        currency: { type: 'string', required: true },
        totalAmount: { type: 'string', required: true },
        previousAmount: { type: 'string' },
        changeAmount: { type: 'string' },
        changeRate: { type: 'string' },
        itemCount: { type: 'number', required: true },
        originalAmounts: { type: 'any', required: true },
        createdAt: { type: 'string', required: true },
      },
      indexes: {
        byPeriodVersion: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId', 'periodMonth'],
            template: 'SNAP#${enterpriseId}#${periodMonth}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['snapshotVersion', 'provider', 'dimensionType', 'dimensionKey'],
            template: 'V${snapshotVersion}#${provider}#${dimensionType}#${dimensionKey}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const costAnomaly = new Entity(
    {
      model: { entity: 'costAnomaly', version: '1', service },
      attributes: {
        anomalyId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        provider: { type: snapshotProviders, required: true, readOnly: true },
        anomalyType: {
          type: ['spike', 'budget_overrun', 'untagged_cost'] as const,
          required: true,
          readOnly: true,
        },
        scopeKey: { type: 'string', required: true, readOnly: true },
        severity: { type: ['low', 'medium', 'high'] as const, required: true },
        title: { type: 'string', required: true },
        evidence: { type: 'any', required: true },
        status: { type: ['open', 'acknowledged', 'resolved'] as const, required: true },
        detectedAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byPeriod: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId', 'periodMonth'],
            template: 'ANOM#${enterpriseId}#${periodMonth}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['anomalyType', 'provider', 'scopeKey'],
            template: '${anomalyType}#${provider}#${scopeKey}',
            casing: none,
          },
        },
        byId: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['anomalyId'], template: 'ANOM#${anomalyId}', casing: none },
          sk: { field: 'gsi2sk', composite: [], template: 'ANOM', casing: none },
        },
      },
    },
    config,
  );

  const costBudget = new Entity(
    {
      model: { entity: 'costBudget', version: '1', service },
      attributes: {
        budgetId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        scopeType: {
          type: ['all', 'provider', 'project', 'department'] as const,
          required: true,
          readOnly: true,
        },
        scopeKey: { type: 'string', required: true, readOnly: true },
        currency: { type: 'string', required: true, readOnly: true },
        budgetAmount: { type: 'string', required: true },
        alertThresholds: { type: 'list', items: { type: 'number' }, required: true },
        ...timestamps,
      },
      indexes: {
        byScope: {
          pk: { field: 'pk', composite: ['enterpriseId'], template: 'BUDGET#${enterpriseId}', casing: none },
          sk: {
            field: 'sk',
            composite: ['scopeType', 'scopeKey', 'currency'],
            template: '${scopeType}#${scopeKey}#${currency}',
            casing: none,
          },
        },
        byId: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['budgetId'], template: 'BUDGET#${budgetId}', casing: none },
          sk: { field: 'gsi2sk', composite: [], template: 'BUDGET', casing: none },
        },
      },
    },
    config,
  );

  return new Service(
    {
      cloudAccount,
      billingSyncJob,
      syncLock,
      cloudBillItem,
      exchangeRate,
      snapshotHead,
      monthlyCostSnapshot,
      costAnomaly,
      costBudget,
      uniqueGuard: uniqueGuardEntity(config),
    },
    config,
  );
};

export type BillService = ReturnType<typeof defineBillEntities>;

export const buildBillEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): BillService => withModelValidation(validateModels, () => defineBillEntities(client, table));
