import type { Readable } from 'node:stream';
import type { AnomalyFinding } from '../domain/bills/anomalies';
import type { CostBudget } from '../domain/bills/budgets';
import type { CloudBillItem } from '../domain/bills/normalize';
import type { MonthlyCostSnapshot, RollupBillItem } from '../domain/bills/snapshots';
import type { CloudProvider } from '../domain/bills/types';
import type { Page, PageRequest } from './tenancy';

export interface CloudAccount {
  id: string;
  enterpriseId: string;
  provider: CloudProvider;
  /** The provider's own account id; unique per provider. */
  accountId: string;
  accountName: string;
  /** Secret store reference (never the secret); absent for FOCUS file sources. */
  credentialRef?: string;
  credentialHint?: string;
  status: 'active' | 'disabled' | 'error';
  settings: Record<string, string>;
  /** Tag keys that carry the project / cost-center code, first match wins. */
  projectTagKeys: string[];
  lastSyncAt?: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export type SyncJobStatus = 'pending' | 'running' | 'success' | 'failed';
export type SyncTrigger = 'schedule' | 'manual' | 'upload' | 'file-drop';

/** Where a file import reads from: a local path, or a key of the bill-file store. */
export type FileSource = { kind: 'path'; path: string } | { kind: 'store'; key: string };

export interface SyncJobSummary {
  itemCount: number;
  /** Original amounts per currency, exact. */
  totalsByCurrency: Record<string, string>;
  /** In the enterprise's reporting currency. */
  normalizedTotal: string;
  reportingCurrency: string;
  /** Items of an earlier sync of the period that this one no longer saw, deleted. */
  removedItems: number;
  /** Rows skipped (skip-row imports) and file errors, with row numbers. */
  errors: { row?: number; column?: string; message: string }[];
  durationMs: number;
  pages: number;
}

export interface BillingSyncJob {
  id: string;
  cloudAccountId: string;
  enterpriseId: string;
  provider: CloudProvider;
  periodMonth: string;
  trigger: SyncTrigger;
  source?: FileSource & { mode: 'all-or-nothing' | 'skip-row' };
  status: SyncJobStatus;
  attempts: number;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  lastError?: string;
  summary?: SyncJobSummary;
  updatedAt: string;
}

export interface ExchangeRate {
  enterpriseId: string;
  periodMonth: string;
  fromCurrency: string;
  toCurrency: string;
  rate: string;
  createdAt: string;
  updatedAt: string;
}

export interface SnapshotHead {
  enterpriseId: string;
  periodMonth: string;
  snapshotVersion: number;
  reportingCurrency: string;
  itemCount: number;
  snapshotCount: number;
  publishedAt: string;
}

export interface StoredAnomaly extends Omit<AnomalyFinding, 'dedupeKey'> {
  id: string;
  enterpriseId: string;
  periodMonth: string;
  status: 'open' | 'acknowledged' | 'resolved';
  detectedAt: string;
  updatedAt: string;
}

export interface BillItemFilter {
  provider?: CloudProvider;
  normalizedService?: string;
  projectCode?: string;
  region?: string;
  cloudAccountId?: string;
}

/** Persistence of the cloud-bills capability (DynamoDB single table). */
export interface BillStore {
  createCloudAccount(account: CloudAccount): Promise<void>;
  getCloudAccount(id: string): Promise<CloudAccount | null>;
  updateCloudAccount(
    id: string,
    patch: Partial<Omit<CloudAccount, 'id' | 'enterpriseId' | 'provider' | 'accountId' | 'createdAt'>>,
  ): Promise<CloudAccount>;
  listCloudAccounts(enterpriseId: string, page: PageRequest): Promise<Page<CloudAccount>>;
  activeCloudAccounts(): Promise<CloudAccount[]>;

  createJob(job: BillingSyncJob): Promise<void>;
  getJob(jobId: string): Promise<BillingSyncJob | null>;
  updateJob(
    job: BillingSyncJob,
    patch: Partial<
      Pick<BillingSyncJob, 'status' | 'attempts' | 'startedAt' | 'finishedAt' | 'lastError' | 'summary'>
    >,
  ): Promise<BillingSyncJob>;
  listJobs(enterpriseId: string, page: PageRequest): Promise<Page<BillingSyncJob>>;

  /** Takes the account+period sync lock for `jobId` unless another live job holds it; true when taken. */
  acquireSyncLock(
    cloudAccountId: string,
    periodMonth: string,
    jobId: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean>;
  releaseSyncLock(cloudAccountId: string, periodMonth: string, jobId: string): Promise<void>;

  /** Idempotent: items are keyed by their deterministic id. Returns the number of write requests made. */
  putBillItems(items: CloudBillItem[], jobId: string): Promise<number>;
  /** Deletes the account+period's items not written by `jobId` (lines the source no longer reports). */
  sweepBillItems(cloudAccountId: string, periodMonth: string, jobId: string): Promise<number>;
  /**
   * Every item of an enterprise for a period, page by page, with only the fields a rollup reads (the
   * rollup reads each item once).
   */
  scanPeriodItems(enterpriseId: string, periodMonth: string): AsyncIterable<RollupBillItem[]>;
  listBillItems(
    enterpriseId: string,
    periodMonth: string,
    filter: BillItemFilter,
    page: PageRequest,
  ): Promise<Page<CloudBillItem>>;

  putExchangeRate(rate: ExchangeRate): Promise<void>;
  exchangeRates(enterpriseId: string, periodMonth: string): Promise<ExchangeRate[]>;

  /** Writes the snapshots of a new version, then publishes it if `expectedVersion` is still current. */
  publishSnapshots(
    head: SnapshotHead,
    snapshots: MonthlyCostSnapshot[],
    expectedVersion: number | null,
  ): Promise<number>;
  snapshotHead(enterpriseId: string, periodMonth: string): Promise<SnapshotHead | null>;
  snapshotHeads(enterpriseId: string, fromPeriod: string, toPeriod: string): Promise<SnapshotHead[]>;
  snapshots(enterpriseId: string, periodMonth: string, version: number): Promise<MonthlyCostSnapshot[]>;

  /** Inserts the anomaly, or updates the one of the same kind+scope+period; `created` says which. */
  upsertAnomaly(
    anomaly: Omit<StoredAnomaly, 'status' | 'detectedAt' | 'updatedAt'>,
    at: string,
  ): Promise<{ created: boolean; anomaly: StoredAnomaly }>;
  listAnomalies(enterpriseId: string, periodMonth: string): Promise<StoredAnomaly[]>;
  getAnomaly(anomalyId: string): Promise<StoredAnomaly | null>;
  setAnomalyStatus(
    anomaly: StoredAnomaly,
    status: StoredAnomaly['status'],
    at: string,
  ): Promise<StoredAnomaly>;

  createBudget(budget: CostBudget): Promise<void>;
  getBudget(budgetId: string): Promise<CostBudget | null>;
  updateBudget(
    budget: CostBudget,
    patch: Pick<CostBudget, 'budgetAmount' | 'alertThresholds' | 'updatedAt'>,
  ): Promise<CostBudget>;
  deleteBudget(budget: CostBudget): Promise<void>;
  listBudgets(enterpriseId: string): Promise<CostBudget[]>;
}

/** Where uploaded and dropped bill files live (S3 in AWS, a directory locally). */
export interface BillFileStore {
  put(key: string, body: Buffer): Promise<void>;
  open(key: string): Promise<Readable>;
}

/** Queue of sync jobs for the worker. */
export interface SyncQueue {
  enqueue(message: { jobId: string }): Promise<void>;
}
