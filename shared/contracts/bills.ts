/** Cloud bills API (issue 4): cloud accounts, syncs and imports, rates, snapshots, anomalies, budgets. */
import * as z from 'zod';
import { CLOUD_PROVIDERS, SERVICE_CATEGORIES } from '../domain/bills/types';
import {
  CurrencyCode,
  DecimalString,
  Id,
  NonNegativeDecimalString,
  PageQuery,
  Timestamp,
  page,
} from './common';
import { defineRoute } from './route';

const tag = 'bills';
const PeriodMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as "2026-11"');
const Provider = z.enum(CLOUD_PROVIDERS);
const SnapshotProvider = z.enum([...CLOUD_PROVIDERS, 'all']);
const DimensionType = z.enum(['provider', 'account', 'project', 'service', 'region']);
const Settings = z.record(z.string().max(100), z.string().max(2000));
const ImportMode = z.enum(['all-or-nothing', 'skip-row']);
const EnterpriseParams = z.strictObject({ enterpriseId: Id });

// ---------- cloud accounts ----------
export const CloudAccount = z.object({
  id: Id,
  enterpriseId: Id,
  provider: Provider,
  accountId: z.string(),
  accountName: z.string(),
  /** Only a hint of the stored credentials (never the secret itself). */
  credentialHint: z.string().nullable(),
  status: z.enum(['active', 'disabled', 'error']),
  settings: Settings,
  projectTagKeys: z.array(z.string()),
  lastSyncAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateCloudAccount = z
  .strictObject({
    provider: Provider,
    accountId: z.string().trim().min(1).max(128),
    accountName: z.string().trim().min(1).max(200),
    /** Provider credentials (e.g. accessKeyId/accessKeySecret); stored in the secret store only. */
    credentials: z.record(z.string().max(100), z.string().max(20_000)).optional(),
    settings: Settings.default({}),
    projectTagKeys: z.array(z.string().min(1).max(128)).max(10).default(['project', 'cost-center']),
  })
  .refine((v) => v.provider === 'focus' || v.provider === 'aws' || v.credentials !== undefined, {
    message: 'credentials are required for this provider',
    path: ['credentials'],
  });
export const UpdateCloudAccount = z
  .strictObject({
    accountName: z.string().trim().min(1).max(200),
    status: z.enum(['active', 'disabled']),
    credentials: z.record(z.string().max(100), z.string().max(20_000)),
    settings: Settings,
    projectTagKeys: z.array(z.string().min(1).max(128)).max(10),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');

// ---------- sync jobs ----------
const JobError = z.object({
  row: z.number().int().optional(),
  column: z.string().optional(),
  message: z.string(),
});
export const SyncJob = z.object({
  id: Id,
  cloudAccountId: Id,
  enterpriseId: Id,
  provider: Provider,
  periodMonth: PeriodMonth,
  trigger: z.enum(['schedule', 'manual', 'upload', 'file-drop']),
  status: z.enum(['pending', 'running', 'success', 'failed']),
  attempts: z.number().int(),
  requestedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  summary: z
    .object({
      itemCount: z.number().int(),
      totalsByCurrency: z.record(z.string(), z.string()),
      normalizedTotal: z.string(),
      reportingCurrency: z.string(),
      removedItems: z.number().int(),
      errors: z.array(JobError),
      durationMs: z.number(),
      pages: z.number().int(),
    })
    .nullable(),
});
export const RequestSync = z.strictObject({ periodMonth: PeriodMonth.optional() });
export const FocusUpload = z.strictObject({
  periodMonth: PeriodMonth,
  mode: ImportMode.default('all-or-nothing'),
  /** The FOCUS CSV text (header row first). Larger files go through the bucket drop or a path source. */
  csv: z.string().min(1),
});

// ---------- exchange rates ----------
export const ExchangeRate = z.object({
  fromCurrency: CurrencyCode,
  toCurrency: CurrencyCode,
  rate: DecimalString,
  updatedAt: Timestamp,
});
export const PutExchangeRates = z.strictObject({
  rates: z
    .array(
      z.strictObject({
        fromCurrency: CurrencyCode,
        toCurrency: CurrencyCode,
        rate: NonNegativeDecimalString.refine((v) => !/^0+(\.0+)?$/.test(v), 'must be positive'),
      }),
    )
    .min(1)
    .max(200),
});

// ---------- snapshots and reads ----------
export const Snapshot = z.object({
  periodMonth: PeriodMonth,
  provider: SnapshotProvider,
  dimensionType: DimensionType,
  dimensionKey: z.string(),
  currency: z.string(),
  totalAmount: z.string(),
  previousAmount: z.string().nullable(),
  changeAmount: z.string().nullable(),
  changeRate: z.string().nullable(),
  itemCount: z.number().int(),
  originalAmounts: z.record(z.string(), z.string()),
});
const SnapshotVersion = z.object({
  snapshotVersion: z.number().int(),
  publishedAt: Timestamp,
  itemCount: z.number().int(),
});
export const SnapshotsQuery = z.strictObject({
  periodMonth: PeriodMonth,
  provider: SnapshotProvider.optional(),
  dimensionType: DimensionType.optional(),
});
export const Snapshots = z.object({
  periodMonth: PeriodMonth,
  version: SnapshotVersion.nullable(),
  snapshots: z.array(Snapshot),
});
export const OverviewQuery = z.strictObject({
  periodMonth: PeriodMonth,
  topN: z.coerce.number().int().min(1).max(50).default(5),
});
export const CostOverview = z.object({
  periodMonth: PeriodMonth,
  currency: z.string().nullable(),
  version: SnapshotVersion.nullable(),
  total: z.object({
    amount: z.string(),
    previousAmount: z.string().nullable(),
    changeRate: z.string().nullable(),
  }),
  byDimension: z.record(DimensionType, z.array(Snapshot)),
  top: z.object({ services: z.array(Snapshot), projects: z.array(Snapshot), accounts: z.array(Snapshot) }),
  openAnomalies: z.number().int(),
});
export const TrendQuery = z
  .strictObject({ from: PeriodMonth, to: PeriodMonth })
  .refine((q) => q.from <= q.to, { message: 'to is before from', path: ['to'] });
export const CostTrend = z.object({
  months: z.array(
    z.object({
      periodMonth: PeriodMonth,
      currency: z.string().nullable(),
      total: z.string(),
      byProvider: z.record(z.string(), z.string()),
    }),
  ),
});
export const BillItemsQuery = PageQuery.extend({
  periodMonth: PeriodMonth,
  provider: Provider.optional(),
  normalizedService: z.enum(SERVICE_CATEGORIES).optional(),
  projectCode: z.string().max(200).optional(),
  region: z.string().max(100).optional(),
  cloudAccountId: Id.optional(),
});
export const BillItem = z.object({
  itemId: z.string(),
  provider: Provider,
  cloudAccountId: z.string(),
  periodMonth: PeriodMonth,
  billingDate: z.string(),
  originalServiceName: z.string(),
  normalizedService: z.enum(SERVICE_CATEGORIES),
  projectCode: z.string().nullable(),
  region: z.string().nullable(),
  resourceId: z.string().nullable(),
  usageAccountId: z.string().nullable(),
  currency: z.string(),
  originalAmount: z.string(),
  exchangeRate: z.string(),
  reportingCurrency: z.string(),
  normalizedAmount: z.string(),
  amortizedAmount: z.string().nullable(),
  tags: z.unknown(),
  untagged: z.boolean(),
  rawPayload: z.unknown(),
});
export const RollupRequest = z.strictObject({ periodMonth: PeriodMonth });
export const RollupOutcome = z.object({
  periodMonth: PeriodMonth,
  snapshotVersion: z.number().int(),
  itemCount: z.number().int(),
  snapshotCount: z.number().int(),
  anomalies: z.object({ created: z.number().int(), updated: z.number().int() }),
});

// ---------- anomalies ----------
export const Anomaly = z.object({
  id: z.string(),
  periodMonth: PeriodMonth,
  provider: SnapshotProvider,
  anomalyType: z.enum(['spike', 'budget_overrun', 'untagged_cost']),
  scopeKey: z.string(),
  severity: z.enum(['low', 'medium', 'high']),
  title: z.string(),
  evidence: z.unknown(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  detectedAt: Timestamp,
  updatedAt: Timestamp,
});
export const AnomaliesQuery = z.strictObject({ periodMonth: PeriodMonth });
export const UpdateAnomaly = z.strictObject({ status: z.enum(['open', 'acknowledged', 'resolved']) });

// ---------- budgets ----------
const Thresholds = z.array(z.number().int().min(1).max(1000)).min(1).max(10).default([50, 80, 100]);
export const CreateBudget = z.strictObject({
  scopeType: z.enum(['all', 'provider', 'project', 'department']),
  scopeKey: z.string().trim().min(1).max(200),
  currency: CurrencyCode,
  budgetAmount: NonNegativeDecimalString.refine((v) => !/^0+(\.0+)?$/.test(v), 'must be positive'),
  alertThresholds: Thresholds,
});
export const UpdateBudget = z
  .strictObject({ budgetAmount: CreateBudget.shape.budgetAmount, alertThresholds: Thresholds.unwrap() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export const Budget = z.object({
  budgetId: Id,
  enterpriseId: Id,
  scopeType: CreateBudget.shape.scopeType,
  scopeKey: z.string(),
  currency: z.string(),
  budgetAmount: z.string(),
  alertThresholds: z.array(z.number()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const BudgetsQuery = z.strictObject({ periodMonth: PeriodMonth.optional() });
export const BudgetWithUtilization = Budget.extend({
  utilization: z
    .object({
      periodMonth: PeriodMonth,
      actual: z.string(),
      forecast: z.string().nullable(),
      utilizationPercent: z.string(),
      remaining: z.string(),
      crossedThresholds: z.array(z.number()),
    })
    .nullable(),
});

const CloudAccountParams = z.strictObject({ cloudAccountId: Id });

export const billRoutes = {
  createCloudAccount: defineRoute({
    id: 'createCloudAccount',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cloud-accounts',
    auth: 'admin',
    tag,
    summary: 'Connect a cloud account (credentials go to the secret store) or a FOCUS file source',
    params: EnterpriseParams,
    body: CreateCloudAccount,
    response: CloudAccount,
    successStatus: 201,
  }),
  listCloudAccounts: defineRoute({
    id: 'listCloudAccounts',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cloud-accounts',
    auth: 'admin',
    tag,
    summary: 'Cloud accounts of an enterprise',
    params: EnterpriseParams,
    query: PageQuery,
    response: page(CloudAccount),
  }),
  getCloudAccount: defineRoute({
    id: 'getCloudAccount',
    method: 'GET',
    path: '/api/cloud-accounts/{cloudAccountId}',
    auth: 'admin',
    tag,
    summary: 'One cloud account',
    params: CloudAccountParams,
    response: CloudAccount,
  }),
  updateCloudAccount: defineRoute({
    id: 'updateCloudAccount',
    method: 'PATCH',
    path: '/api/cloud-accounts/{cloudAccountId}',
    auth: 'admin',
    tag,
    summary: 'Rename, enable/disable, rotate credentials or change settings of a cloud account',
    params: CloudAccountParams,
    body: UpdateCloudAccount,
    response: CloudAccount,
  }),
  requestSync: defineRoute({
    id: 'requestSync',
    method: 'POST',
    path: '/api/cloud-accounts/{cloudAccountId}/sync',
    auth: 'admin',
    tag,
    summary: 'Queue a bill sync of the account for a period (the current month by default)',
    params: CloudAccountParams,
    body: RequestSync,
    response: SyncJob,
    successStatus: 202,
  }),
  uploadFocus: defineRoute({
    id: 'uploadFocus',
    method: 'POST',
    path: '/api/cloud-accounts/{cloudAccountId}/focus-uploads',
    auth: 'admin',
    tag,
    summary: 'Import a FOCUS CSV into a focus cloud account (queued; all-or-nothing or skip-row)',
    params: CloudAccountParams,
    body: FocusUpload,
    response: SyncJob,
    successStatus: 202,
  }),
  listSyncJobs: defineRoute({
    id: 'listSyncJobs',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/sync-jobs',
    auth: 'admin',
    tag,
    summary: 'Recent bill sync jobs, newest first',
    params: EnterpriseParams,
    query: PageQuery,
    response: page(SyncJob),
  }),
  getSyncJob: defineRoute({
    id: 'getSyncJob',
    method: 'GET',
    path: '/api/sync-jobs/{jobId}',
    auth: 'admin',
    tag,
    summary: 'One sync job with its summary and errors',
    params: z.strictObject({ jobId: Id }),
    response: SyncJob,
  }),
  putExchangeRates: defineRoute({
    id: 'putExchangeRates',
    method: 'PUT',
    path: '/api/enterprises/{enterpriseId}/exchange-rates/{periodMonth}',
    auth: 'admin',
    tag,
    summary: 'Set the month’s exchange rates (units of toCurrency per one fromCurrency)',
    params: z.strictObject({ enterpriseId: Id, periodMonth: PeriodMonth }),
    body: PutExchangeRates,
    response: z.array(ExchangeRate),
  }),
  listExchangeRates: defineRoute({
    id: 'listExchangeRates',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/exchange-rates/{periodMonth}',
    auth: 'admin',
    tag,
    summary: 'The month’s exchange rates',
    params: z.strictObject({ enterpriseId: Id, periodMonth: PeriodMonth }),
    response: z.array(ExchangeRate),
  }),
  runRollup: defineRoute({
    id: 'runRollup',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-rollups',
    auth: 'admin',
    tag,
    summary: 'Roll a period’s bill items up into a new snapshot version now',
    params: EnterpriseParams,
    body: RollupRequest,
    response: RollupOutcome,
  }),
  listSnapshots: defineRoute({
    id: 'listSnapshots',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-snapshots',
    auth: 'admin',
    tag,
    summary: 'The published monthly snapshots of a period, by provider and dimension',
    params: EnterpriseParams,
    query: SnapshotsQuery,
    response: Snapshots,
  }),
  costOverview: defineRoute({
    id: 'costOverview',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-overview',
    auth: 'admin',
    tag,
    summary: 'A period’s totals, every dimension, month-over-month change and the top N',
    params: EnterpriseParams,
    query: OverviewQuery,
    response: CostOverview,
  }),
  costTrend: defineRoute({
    id: 'costTrend',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-trend',
    auth: 'admin',
    tag,
    summary: 'Monthly totals by provider over a range of months',
    params: EnterpriseParams,
    query: TrendQuery,
    response: CostTrend,
  }),
  listBillItems: defineRoute({
    id: 'listBillItems',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/bill-items',
    auth: 'admin',
    tag,
    summary: 'Drill down to bill items of a period, filtered, with cursor pagination',
    params: EnterpriseParams,
    query: BillItemsQuery,
    response: page(BillItem),
  }),
  listAnomalies: defineRoute({
    id: 'listAnomalies',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-anomalies',
    auth: 'admin',
    tag,
    summary: 'Cost anomalies of a period',
    params: EnterpriseParams,
    query: AnomaliesQuery,
    response: z.array(Anomaly),
  }),
  updateAnomaly: defineRoute({
    id: 'updateAnomaly',
    method: 'PATCH',
    path: '/api/cost-anomalies/{anomalyId}',
    auth: 'admin',
    tag,
    summary: 'Acknowledge or resolve an anomaly',
    params: z.strictObject({ anomalyId: Id }),
    body: UpdateAnomaly,
    response: Anomaly,
  }),
  createBudget: defineRoute({
    id: 'createBudget',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-budgets',
    auth: 'admin',
    tag,
    summary: 'Create a monthly cost budget (unique per scopeType + scopeKey + currency)',
    params: EnterpriseParams,
    body: CreateBudget,
    response: Budget,
    successStatus: 201,
  }),
  listBudgets: defineRoute({
    id: 'listBudgets',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-budgets',
    auth: 'admin',
    tag,
    summary: 'Budgets, with their utilization for a period (the current month by default)',
    params: EnterpriseParams,
    query: BudgetsQuery,
    response: z.array(BudgetWithUtilization),
  }),
  updateBudget: defineRoute({
    id: 'updateBudget',
    method: 'PATCH',
    path: '/api/cost-budgets/{budgetId}',
    auth: 'admin',
    tag,
    summary: 'Change a budget’s amount or thresholds',
    params: z.strictObject({ budgetId: Id }),
    body: UpdateBudget,
    response: Budget,
  }),
  deleteBudget: defineRoute({
    id: 'deleteBudget',
    method: 'DELETE',
    path: '/api/cost-budgets/{budgetId}',
    auth: 'admin',
    tag,
    summary: 'Delete a budget',
    params: z.strictObject({ budgetId: Id }),
    response: z.object({ deleted: z.literal(true) }),
  }),
} as const;
