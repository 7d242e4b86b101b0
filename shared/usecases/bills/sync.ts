/**
 * Bill sync pipeline: the daily dispatcher creates one job per active account and open period and
 * queues it; the worker fetches the period's lines from the provider (or a FOCUS file), normalizes
 * them, writes them idempotently (deterministic item ids), sweeps items the source no longer
 * reports, records the job summary and rolls the period's snapshots up.
 */
import { DomainError, notFound } from '../../domain/errors';
import { decimal, toDecimalString } from '../../domain/money';
import { newId } from '../../domain/ids';
import { billNormalizer, type CloudBillItem } from '../../domain/bills/normalize';
import { openPeriods, periodOf } from '../../domain/bills/periods';
import type { RawBillPage } from '../../domain/bills/types';
import type {
  BillFileStore,
  BillStore,
  BillingSyncJob,
  CloudAccount,
  SyncJobSummary,
  SyncQueue,
  SyncTrigger,
} from '../../ports/bills';
import type { BillFetchRequest, BillSource } from '../../ports/billing';
import type { Clock } from '../../ports/clock';
import type { SecretStore } from '../../ports/secrets';
import type { Readable } from 'node:stream';

/** Reads a FOCUS file into pages; all-or-nothing files are checked whole before the first page. */
export type FocusReader = (
  open: () => Promise<Readable>,
  mode: 'all-or-nothing' | 'skip-row',
) => AsyncIterable<RawBillPage>;

export interface SyncDeps {
  store: BillStore;
  secrets: SecretStore;
  /** The bill source of each API provider. */
  sources: Partial<Record<CloudAccount['provider'], BillSource>>;
  readFocus: FocusReader;
  files: BillFileStore;
  queue: SyncQueue;
  clock: Clock;
  /** The enterprise's reporting currency. */
  reportingCurrency(enterpriseId: string): Promise<string>;
  /** Called after a successful sync: rolls the period's snapshots up. */
  afterSync(enterpriseId: string, periodMonth: string): Promise<void>;
  settings: {
    /** Days after a month closes during which it is still synced (late charges, credits). */
    graceDays: number;
    /** How long a worker holds an account+period before another may take over. */
    lockLeaseMs: number;
  };
}

const MAX_REPORTED_ERRORS = 100;

/** Creates a pending job and queues it. */
export const enqueueSyncJob = async (
  deps: Pick<SyncDeps, 'store' | 'queue' | 'clock'>,
  account: CloudAccount,
  periodMonth: string,
  trigger: SyncTrigger,
  source?: BillingSyncJob['source'],
): Promise<BillingSyncJob> => {
  const now = deps.clock.now();
  const job: BillingSyncJob = {
    id: newId(now),
    cloudAccountId: account.id,
    enterpriseId: account.enterpriseId,
    provider: account.provider,
    periodMonth,
    trigger,
    ...(source ? { source } : {}),
    status: 'pending',
    attempts: 0,
    requestedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.store.createJob(job);
  await deps.queue.enqueue({ jobId: job.id });
  return job;
};

/** Scheduled: one job per active account (FOCUS file sources excepted: they import on upload) and open period. */
export const dispatchSyncJobs = async (deps: SyncDeps): Promise<BillingSyncJob[]> => {
  const periods = openPeriods(deps.clock.now(), deps.settings.graceDays);
  const accounts = (await deps.store.activeCloudAccounts()).filter(
    (a) => a.provider !== 'focus' || a.settings.path,
  );
  const jobs: BillingSyncJob[] = [];
  for (const account of accounts)
    for (const period of periods) jobs.push(await enqueueSyncJob(deps, account, period, 'schedule'));
  return jobs;
};

/** Pages of raw lines for a job: from the provider's API, or from the job's FOCUS file. */
const pagesOf = async (
  deps: SyncDeps,
  job: BillingSyncJob,
  account: CloudAccount,
): Promise<AsyncIterable<RawBillPage>> => {
  if (account.provider === 'focus') {
    const source =
      job.source ??
      (account.settings.path ? { kind: 'path', path: account.settings.path, mode: 'skip-row' } : null);
    if (!source) throw new DomainError('VALIDATION_ERROR', `Job ${job.id} has no FOCUS file to import`);
    const open =
      source.kind === 'store'
        ? () => deps.files.open(source.key)
        : async () => (await import('node:fs')).createReadStream(source.path);
    return deps.readFocus(open, source.mode);
  }
  const billSource = deps.sources[account.provider];
  if (!billSource)
    throw new DomainError('VALIDATION_ERROR', `No bill source for provider ${account.provider}`);
  const credentials = account.credentialRef
    ? (JSON.parse(await deps.secrets.get(account.credentialRef)) as Record<string, string>)
    : {};
  const request: BillFetchRequest = {
    provider: account.provider,
    accountId: account.accountId,
    periodMonth: job.periodMonth,
    credentials,
    settings: account.settings,
  };
  return billSource.fetchPages(request);
};

export type SyncOutcome =
  | { outcome: 'success'; job: BillingSyncJob }
  | { outcome: 'locked'; job: BillingSyncJob }
  | { outcome: 'skipped'; job: BillingSyncJob | null };

/**
 * The worker's step for one queued job. Throws on failure so the queue redelivers; on the last
 * allowed delivery (`finalAttempt`) the job is marked `failed` with the reason first.
 */
export const runSyncJob = async (
  deps: SyncDeps,
  jobId: string,
  delivery: { receiveCount: number; finalAttempt: boolean },
): Promise<SyncOutcome> => {
  const job = await deps.store.getJob(jobId);
  if (!job || job.status === 'success' || job.status === 'failed') return { outcome: 'skipped', job };
  const account = await deps.store.getCloudAccount(job.cloudAccountId);
  if (!account) throw notFound('Cloud account', job.cloudAccountId);

  const started = deps.clock.now();
  if (
    !(await deps.store.acquireSyncLock(
      account.id,
      job.periodMonth,
      job.id,
      started.getTime(),
      deps.settings.lockLeaseMs,
    ))
  ) {
    // Another job of this account+period is running: this one is retried after it.
    if (delivery.finalAttempt) {
      await deps.store.updateJob(job, {
        status: 'failed',
        finishedAt: started.toISOString(),
        lastError: 'Another sync of this account and period kept running; gave up',
      });
    }
    return { outcome: 'locked', job };
  }
  const previousAttemptDied = job.status === 'running';
  let running = await deps.store.updateJob(job, {
    status: 'running',
    attempts: delivery.receiveCount,
    startedAt: started.toISOString(),
    ...(previousAttemptDied
      ? { lastError: `Attempt ${job.attempts} stopped without finishing (crash or timeout)` }
      : {}),
  });
  try {
    const summary = await importLines(deps, running, account);
    // Snapshots before success: a job reported done has its period's snapshots published.
    await deps.afterSync(account.enterpriseId, job.periodMonth);
    running = await deps.store.updateJob(running, {
      status: 'success',
      finishedAt: deps.clock.now().toISOString(),
      summary,
    });
    await deps.store.updateCloudAccount(account.id, {
      lastSyncAt: running.finishedAt,
      updatedAt: running.finishedAt!,
      ...(account.status === 'error' ? { status: 'active' as const } : {}),
    });
    return { outcome: 'success', job: running };
  } catch (err) {
    const reason = describeFailure(err);
    const permanent = err instanceof DomainError && err.code === 'VALIDATION_ERROR';
    running = await deps.store.updateJob(running, {
      lastError: reason,
      ...(permanent || delivery.finalAttempt
        ? { status: 'failed', finishedAt: deps.clock.now().toISOString(), summary: failureSummary(err) }
        : { status: 'pending' }),
    });
    if (permanent || delivery.finalAttempt)
      await deps.store.updateCloudAccount(account.id, {
        lastError: reason,
        updatedAt: deps.clock.now().toISOString(),
      });
    // Bad input is not retried: the same file fails the same way.
    if (permanent) return { outcome: 'skipped', job: running };
    throw err;
  } finally {
    await deps.store.releaseSyncLock(account.id, job.periodMonth, job.id);
  }
};

const describeFailure = (err: unknown): string =>
  err instanceof Error
    ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`.slice(0, 2000)
    : String(err);

/** File errors (FOCUS) carry their per-row problems: the job summary lists them. */
const failureSummary = (err: unknown): SyncJobSummary | undefined => {
  const problems = (err as { details?: { problems?: SyncJobSummary['errors'] } }).details?.problems;
  if (!problems) return undefined;
  return {
    itemCount: 0,
    totalsByCurrency: {},
    normalizedTotal: '0',
    reportingCurrency: '',
    removedItems: 0,
    errors: problems.slice(0, MAX_REPORTED_ERRORS),
    durationMs: 0,
    pages: 0,
  };
};

const rateLookup = async (
  deps: SyncDeps,
  enterpriseId: string,
  periodMonth: string,
  reportingCurrency: string,
) => {
  const rates = await deps.store.exchangeRates(enterpriseId, periodMonth);
  return Object.fromEntries(
    rates.filter((r) => r.toCurrency === reportingCurrency).map((r) => [r.fromCurrency, r.rate]),
  );
};

/**
 * How a job treats a line it cannot normalize (an unknown exchange rate, a date outside the period):
 * API syncs fail (a configuration problem to fix, not retried); FOCUS `skip-row` imports list it
 * and go on; FOCUS `all-or-nothing` imports check every line before writing the first one.
 */
const lineMode = (job: BillingSyncJob, account: CloudAccount): 'fail' | 'skip-row' | 'all-or-nothing' =>
  account.provider !== 'focus' ? 'fail' : (job.source?.mode ?? 'skip-row');

const importLines = async (
  deps: SyncDeps,
  job: BillingSyncJob,
  account: CloudAccount,
): Promise<SyncJobSummary> => {
  const startedMs = deps.clock.now().getTime();
  const reportingCurrency = await deps.reportingCurrency(account.enterpriseId);
  const ctx = {
    enterpriseId: account.enterpriseId,
    provider: account.provider,
    cloudAccountId: account.id,
    periodMonth: job.periodMonth,
    reportingCurrency,
    rates: await rateLookup(deps, account.enterpriseId, job.periodMonth, reportingCurrency),
    projectTagKeys: account.projectTagKeys,
  };
  const mode = lineMode(job, account);
  const errors: SyncJobSummary['errors'] = [];
  const normalizeLine = billNormalizer(ctx);
  const normalize = (page: RawBillPage): CloudBillItem[] => {
    const items: CloudBillItem[] = [];
    for (const line of page.lines) {
      try {
        items.push(normalizeLine(line));
      } catch (err) {
        if (mode === 'fail' || !(err instanceof DomainError)) throw err;
        errors.push({ ...(line.row === undefined ? {} : { row: line.row }), message: err.message });
      }
    }
    return items;
  };

  if (mode === 'all-or-nothing') {
    // The file's own checks ran in the reader; this pass checks every line normalizes, writing nothing.
    for await (const page of await pagesOf(deps, job, account)) normalize(page);
    if (errors.length > 0)
      throw new DomainError(
        'VALIDATION_ERROR',
        `${errors.length} line(s) cannot be imported; nothing was written`,
        {
          problems: errors.slice(0, MAX_REPORTED_ERRORS),
        },
      );
  }

  const totals = new Map<string, ReturnType<typeof decimal>>();
  let normalizedTotal = decimal(0);
  let itemCount = 0;
  let pages = 0;
  for await (const page of await pagesOf(deps, job, account)) {
    pages += 1;
    errors.push(...(page.problems ?? []));
    const items = normalize(page);
    await deps.store.putBillItems(items, job.id);
    for (const item of items) {
      totals.set(item.currency, (totals.get(item.currency) ?? decimal(0)).plus(decimal(item.originalAmount)));
      normalizedTotal = normalizedTotal.plus(decimal(item.normalizedAmount));
    }
    itemCount += items.length;
  }
  const removedItems = await deps.store.sweepBillItems(account.id, job.periodMonth, job.id);
  return {
    itemCount,
    totalsByCurrency: Object.fromEntries([...totals].map(([c, v]) => [c, toDecimalString(v)])),
    normalizedTotal: toDecimalString(normalizedTotal),
    reportingCurrency,
    removedItems,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    durationMs: deps.clock.now().getTime() - startedMs,
    pages,
  };
};

/** The current period, for manual triggers that name none. */
export const currentPeriod = (clock: Clock): string => periodOf(clock.now());
