/**
 * Composition shared by the bills API and the bill jobs (functions never import each other).
 * Wires the cloud-bills use cases to their adapters, once per process: the bill store and the
 * enterprise settings in the table, credentials in the secret store, FOCUS files in S3 (AWS) or a
 * directory (local), the sync queue, the notifier and one bill source per provider. Shared by the
 * bills API and the sync and rollup jobs.
 */
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Readable } from 'node:stream';
import { anomalyConfigSchema } from '../domain/bills/anomalies';
import { DomainError } from '../domain/errors';
import { systemClock } from '../ports/clock';
import type { BillSource } from '../ports/billing';
import type { CloudAccount } from '../ports/bills';
import { env, required } from '../runtime/env';
import type { BillAdminDeps } from '../usecases/bills/admin';
import type { BillingSettings } from '../usecases/bills/rollup';
import type { FocusReader, SyncDeps } from '../usecases/bills/sync';
import { rollupPeriod } from '../usecases/bills/rollup';
import { AliyunBillSource } from '../adapters/billing/aliyun';
import { AwsCostExplorerBillSource } from '../adapters/billing/aws-cost-explorer';
import { FocusFileError, parseFocusCsv } from '../adapters/billing/focus-csv';
import { GcpBigQueryBillSource } from '../adapters/billing/gcp-bigquery';
import { TencentBillSource } from '../adapters/billing/tencent';
import { buildBillEntities } from '../adapters/dynamo/bill-entities';
import { DynamoBillStore } from '../adapters/dynamo/bill-store';
import { dynamoDocumentClient } from '../adapters/dynamo/client';
import { buildEntities } from '../adapters/dynamo/entities';
import { routingNotifier } from './notifications';
import { DynamoEnterpriseRepository } from '../adapters/dynamo/tenancy-repositories';
import { LocalDirBillFileStore, S3BillFileStore } from '../adapters/files/bill-files';
import { SqsSyncQueue } from '../adapters/sqs/sqs-sync-queue';
import { secretStore } from '../adapters/secrets/secret-store';

/** FOCUS file errors become validation errors carrying their per-row problems (never retried). */
export const readFocus: FocusReader = async function* (open: () => Promise<Readable>, mode) {
  try {
    yield* parseFocusCsv(await open(), { mode });
  } catch (err) {
    if (err instanceof FocusFileError)
      throw new DomainError('VALIDATION_ERROR', err.message, {
        problems: err.problems,
        problemCount: err.problemCount,
      });
    throw err;
  }
};

const billSources = (): Partial<Record<CloudAccount['provider'], BillSource>> => ({
  aws: new AwsCostExplorerBillSource(new CostExplorerClient({ region: 'us-east-1' })),
  aliyun: new AliyunBillSource(),
  tencent: new TencentBillSource(),
  gcp: new GcpBigQueryBillSource(),
});

/** Everything the bills API and jobs need. */
export const billDeps = (): BillAdminDeps & SyncDeps => {
  const config = env();
  const table = required('TABLE_NAME');
  const client = dynamoDocumentClient();
  const tenancy = buildEntities(client, table);
  const store = new DynamoBillStore(buildBillEntities(client, table));
  const enterprises = new DynamoEnterpriseRepository(tenancy);
  const notifier = routingNotifier();

  const billingSettings = async (enterpriseId: string): Promise<BillingSettings> => {
    const enterprise = await enterprises.get(enterpriseId);
    if (!enterprise) throw new DomainError('NOT_FOUND', `Enterprise ${enterpriseId} not found`);
    const settings = enterprise.settings as {
      reportingCurrency?: string;
      departments?: Record<string, string[]>;
      anomalyRules?: unknown;
    };
    return {
      reportingCurrency: settings.reportingCurrency ?? 'USD',
      departments: settings.departments ?? {},
      anomalies: anomalyConfigSchema.parse(settings.anomalyRules ?? {}),
    };
  };
  const rollupDeps = { store, notifier, clock: systemClock, billingSettings };

  return {
    ...rollupDeps,
    secrets: secretStore(),
    files: config.BILL_FILES_BUCKET
      ? new S3BillFileStore(new S3Client({}), config.BILL_FILES_BUCKET)
      : new LocalDirBillFileStore(config.LOCAL_BILL_FILES_DIR),
    queue: new SqsSyncQueue(new SQSClient({}), required('QUEUE_URL_BILL_SYNC')),
    sources: billSources(),
    readFocus,
    enterpriseExists: async (id) => (await enterprises.get(id)) !== null,
    reportingCurrency: async (id) => (await billingSettings(id)).reportingCurrency,
    afterSync: async (enterpriseId, periodMonth) => {
      await rollupPeriod(rollupDeps, enterpriseId, periodMonth);
    },
    settings: { graceDays: config.BILL_SYNC_GRACE_DAYS, lockLeaseMs: config.BILL_SYNC_LOCK_LEASE_MS },
  };
};
