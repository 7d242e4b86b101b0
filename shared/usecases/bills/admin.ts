/**
 * Cloud-bills management and reads: cloud accounts (credentials only in the secret store), manual
 * syncs and FOCUS uploads, exchange rates, budgets, anomalies, snapshots, overview, trend and the
 * bill-item drill-down. Every call is scoped to the caller's enterprise.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/bills';
import {
  requireEnterpriseAccess,
  requireEnterpriseAdmin,
  requireFinanceManager,
  requireVisible,
} from '../../domain/access';
import { credentialHint } from '../../domain/api-keys';
import {
  budgetActual,
  budgetUtilization,
  monthEndForecast,
  type CostBudget,
} from '../../domain/bills/budgets';
import { periodOf } from '../../domain/bills/periods';
import { ALL_PROVIDERS, type MonthlyCostSnapshot } from '../../domain/bills/snapshots';
import { decimal, toDecimalString } from '../../domain/money';
import { DomainError, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type {
  BillFileStore,
  BillStore,
  BillingSyncJob,
  CloudAccount,
  SnapshotHead,
  SyncQueue,
} from '../../ports/bills';
import type { Clock } from '../../ports/clock';
import type { SecretStore } from '../../ports/secrets';
import type { RequestContext } from '../tenancy';
import { enqueueSyncJob } from './sync';
import { rollupPeriod, type RollupDeps } from './rollup';

type In<T extends z.ZodType> = z.output<T>;

export interface BillAdminDeps extends RollupDeps {
  store: BillStore;
  secrets: SecretStore;
  files: BillFileStore;
  queue: SyncQueue;
  clock: Clock;
  enterpriseExists(enterpriseId: string): Promise<boolean>;
}

// ---------- views (nothing secret leaves) ----------
const accountView = ({ credentialRef: _ref, ...account }: CloudAccount) => ({
  ...account,
  credentialHint: account.credentialHint ?? null,
  lastSyncAt: account.lastSyncAt ?? null,
  lastError: account.lastError ?? null,
});
const jobView = ({ source: _source, ...job }: BillingSyncJob) => ({
  ...job,
  startedAt: job.startedAt ?? null,
  finishedAt: job.finishedAt ?? null,
  lastError: job.lastError ?? null,
  summary: job.summary ?? null,
});
const versionView = (head: SnapshotHead | null) =>
  head && { snapshotVersion: head.snapshotVersion, publishedAt: head.publishedAt, itemCount: head.itemCount };

// ---------- cloud accounts ----------
const visibleCloudAccount = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  id: string,
): Promise<CloudAccount> => {
  const account = await deps.store.getCloudAccount(id);
  if (!account) throw notFound('Cloud account', id);
  requireVisible(ctx.caller, account.enterpriseId, 'Cloud account', id);
  return account;
};

/** A hint that tells credentials apart without revealing them: the first field's masked value. */
const hintOf = (credentials: Record<string, string>): string => {
  const [name, value] = Object.entries(credentials)[0] ?? ['', ''];
  return `${name}:${credentialHint(value)}`;
};

export const createCloudAccount = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateCloudAccount>,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const now = deps.clock.now().toISOString();
  const id = newId(deps.clock.now());
  const { credentials, ...fields } = input;
  const credentialRef = credentials
    ? await deps.secrets.put(`cloud-accounts/${id}`, JSON.stringify(credentials))
    : undefined;
  const account: CloudAccount = {
    id,
    enterpriseId,
    ...fields,
    ...(credentials ? { credentialRef, credentialHint: hintOf(credentials) } : {}),
    status: 'active',
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.store.createCloudAccount(account);
  } catch (err) {
    // A rejected account leaves no stored credentials behind.
    if (credentialRef) await deps.secrets.delete(credentialRef);
    throw err;
  }
  return accountView(account);
};

export const listCloudAccounts = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  page: { limit: number; cursor?: string | undefined },
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const result = await deps.store.listCloudAccounts(enterpriseId, page);
  return { items: result.items.map(accountView), nextCursor: result.nextCursor };
};

export const getCloudAccount = async (deps: BillAdminDeps, ctx: RequestContext, id: string) =>
  accountView(await visibleCloudAccount(deps, ctx, id));

export const updateCloudAccount = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  id: string,
  input: In<typeof c.UpdateCloudAccount>,
) => {
  const account = await visibleCloudAccount(deps, ctx, id);
  requireEnterpriseAdmin(ctx.caller, account.enterpriseId);
  const { credentials, ...patch } = input;
  let credentialFields = {};
  if (credentials) {
    if (account.credentialRef) await deps.secrets.replace(account.credentialRef, JSON.stringify(credentials));
    const credentialRef =
      account.credentialRef ?? (await deps.secrets.put(`cloud-accounts/${id}`, JSON.stringify(credentials)));
    credentialFields = { credentialRef, credentialHint: hintOf(credentials) };
  }
  return accountView(
    await deps.store.updateCloudAccount(id, {
      ...patch,
      ...credentialFields,
      updatedAt: deps.clock.now().toISOString(),
    }),
  );
};

// ---------- syncs and imports ----------
export const requestSync = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  id: string,
  input: In<typeof c.RequestSync>,
) => {
  const account = await visibleCloudAccount(deps, ctx, id);
  requireFinanceManager(ctx.caller, account.enterpriseId);
  if (account.status === 'disabled') throw new DomainError('CONFLICT', `Cloud account ${id} is disabled`);
  if (account.provider === 'focus' && !account.settings.path)
    throw new DomainError('VALIDATION_ERROR', 'This FOCUS source has no path: upload a file instead');
  return jobView(
    await enqueueSyncJob(deps, account, input.periodMonth ?? periodOf(deps.clock.now()), 'manual'),
  );
};

export const uploadFocus = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  id: string,
  input: In<typeof c.FocusUpload>,
) => {
  const account = await visibleCloudAccount(deps, ctx, id);
  requireFinanceManager(ctx.caller, account.enterpriseId);
  if (account.provider !== 'focus')
    throw new DomainError(
      'VALIDATION_ERROR',
      `Cloud account ${id} is a ${account.provider} account, not a FOCUS source`,
    );
  const key = `uploads/${account.id}/${newId(deps.clock.now())}.csv`;
  await deps.files.put(key, Buffer.from(input.csv, 'utf8'));
  return jobView(
    await enqueueSyncJob(deps, account, input.periodMonth, 'upload', {
      kind: 'store',
      key,
      mode: input.mode,
    }),
  );
};

export const listSyncJobs = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  page: { limit: number; cursor?: string | undefined },
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const result = await deps.store.listJobs(enterpriseId, page);
  return { items: result.items.map(jobView), nextCursor: result.nextCursor };
};

export const getSyncJob = async (deps: BillAdminDeps, ctx: RequestContext, jobId: string) => {
  const job = await deps.store.getJob(jobId);
  if (!job) throw notFound('Sync job', jobId);
  requireVisible(ctx.caller, job.enterpriseId, 'Sync job', jobId);
  return jobView(job);
};

// ---------- exchange rates ----------
export const putExchangeRates = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth: string,
  input: In<typeof c.PutExchangeRates>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const now = deps.clock.now().toISOString();
  for (const rate of input.rates) {
    if (rate.fromCurrency === rate.toCurrency)
      throw new DomainError('VALIDATION_ERROR', `A rate from ${rate.fromCurrency} to itself is always 1`);
  }
  for (const rate of input.rates)
    await deps.store.putExchangeRate({
      enterpriseId,
      periodMonth,
      ...rate,
      rate: toDecimalString(decimal(rate.rate)),
      createdAt: now,
      updatedAt: now,
    });
  return listExchangeRates(deps, ctx, enterpriseId, periodMonth);
};

export const listExchangeRates = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return (await deps.store.exchangeRates(enterpriseId, periodMonth)).map(
    ({ fromCurrency, toCurrency, rate, updatedAt }) => ({ fromCurrency, toCurrency, rate, updatedAt }),
  );
};

// ---------- snapshots, overview, trend, items ----------
export const runRollup = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth: string,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const { head, anomalies } = await rollupPeriod(deps, enterpriseId, periodMonth);
  return {
    periodMonth,
    snapshotVersion: head.snapshotVersion,
    itemCount: head.itemCount,
    snapshotCount: head.snapshotCount,
    anomalies,
  };
};

const publishedSnapshots = async (
  deps: BillAdminDeps,
  enterpriseId: string,
  periodMonth: string,
): Promise<{ head: SnapshotHead | null; snapshots: MonthlyCostSnapshot[] }> => {
  const head = await deps.store.snapshotHead(enterpriseId, periodMonth);
  return {
    head,
    snapshots: head ? await deps.store.snapshots(enterpriseId, periodMonth, head.snapshotVersion) : [],
  };
};

export const listSnapshots = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.SnapshotsQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const { head, snapshots } = await publishedSnapshots(deps, enterpriseId, query.periodMonth);
  return {
    periodMonth: query.periodMonth,
    version: versionView(head),
    snapshots: snapshots.filter(
      (s) =>
        (!query.provider || s.provider === query.provider) &&
        (!query.dimensionType || s.dimensionType === query.dimensionType),
    ),
  };
};

const byAmountDesc = (a: MonthlyCostSnapshot, b: MonthlyCostSnapshot) =>
  decimal(b.totalAmount).comparedTo(decimal(a.totalAmount));

export const costOverview = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.OverviewQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const { head, snapshots } = await publishedSnapshots(deps, enterpriseId, query.periodMonth);
  const all = snapshots.filter((s) => s.provider === ALL_PROVIDERS);
  const total = all.find((s) => s.dimensionType === 'provider' && s.dimensionKey === ALL_PROVIDERS);
  const dimension = (type: MonthlyCostSnapshot['dimensionType']) =>
    all
      .filter((s) => s.dimensionType === type && !(type === 'provider' && s.dimensionKey === ALL_PROVIDERS))
      .sort(byAmountDesc);
  const providers = snapshots
    .filter((s) => s.provider !== ALL_PROVIDERS && s.dimensionType === 'provider')
    .sort(byAmountDesc);
  const anomalies = await deps.store.listAnomalies(enterpriseId, query.periodMonth);
  return {
    periodMonth: query.periodMonth,
    currency: head?.reportingCurrency ?? null,
    version: versionView(head),
    total: {
      amount: total?.totalAmount ?? '0',
      previousAmount: total?.previousAmount ?? null,
      changeRate: total?.changeRate ?? null,
    },
    byDimension: {
      provider: providers,
      account: dimension('account'),
      project: dimension('project'),
      service: dimension('service'),
      region: dimension('region'),
    },
    top: {
      services: dimension('service').slice(0, query.topN),
      projects: dimension('project').slice(0, query.topN),
      accounts: dimension('account').slice(0, query.topN),
    },
    openAnomalies: anomalies.filter((a) => a.status === 'open').length,
  };
};

export const costTrend = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.TrendQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const heads = await deps.store.snapshotHeads(enterpriseId, query.from, query.to);
  const months = [];
  for (const head of heads) {
    const snapshots = await deps.store.snapshots(enterpriseId, head.periodMonth, head.snapshotVersion);
    const providers = snapshots.filter((s) => s.provider !== ALL_PROVIDERS && s.dimensionType === 'provider');
    const total = snapshots.find(
      (s) =>
        s.provider === ALL_PROVIDERS && s.dimensionType === 'provider' && s.dimensionKey === ALL_PROVIDERS,
    );
    months.push({
      periodMonth: head.periodMonth,
      currency: head.reportingCurrency,
      total: total?.totalAmount ?? '0',
      byProvider: Object.fromEntries(providers.map((s) => [s.provider, s.totalAmount])),
    });
  }
  return { months };
};

export const listBillItems = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  { periodMonth, limit, cursor, ...filter }: In<typeof c.BillItemsQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const page = await deps.store.listBillItems(enterpriseId, periodMonth, filter, { limit, cursor });
  return {
    items: page.items.map(({ enterpriseId: _e, normalizedAmortizedAmount: _n, ...item }) => ({
      ...item,
      projectCode: item.projectCode ?? null,
      region: item.region ?? null,
      resourceId: item.resourceId ?? null,
      usageAccountId: item.usageAccountId ?? null,
      amortizedAmount: item.amortizedAmount ?? null,
    })),
    nextCursor: page.nextCursor,
  };
};

// ---------- anomalies ----------
export const listAnomalies = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return deps.store.listAnomalies(enterpriseId, periodMonth);
};

export const updateAnomaly = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  anomalyId: string,
  input: In<typeof c.UpdateAnomaly>,
) => {
  const anomaly = await deps.store.getAnomaly(anomalyId);
  if (!anomaly) throw notFound('Cost anomaly', anomalyId);
  requireVisible(ctx.caller, anomaly.enterpriseId, 'Cost anomaly', anomalyId);
  requireFinanceManager(ctx.caller, anomaly.enterpriseId);
  return deps.store.setAnomalyStatus(anomaly, input.status, deps.clock.now().toISOString());
};

// ---------- budgets ----------
const visibleBudget = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  budgetId: string,
): Promise<CostBudget> => {
  const budget = await deps.store.getBudget(budgetId);
  if (!budget) throw notFound('Cost budget', budgetId);
  requireVisible(ctx.caller, budget.enterpriseId, 'Cost budget', budgetId);
  return budget;
};

export const createBudget = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateBudget>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const settings = await deps.billingSettings(enterpriseId);
  // Budgets are compared with snapshots in the reporting currency, never through a moving rate.
  if (input.currency !== settings.reportingCurrency)
    throw new DomainError(
      'VALIDATION_ERROR',
      `Budgets are kept in the enterprise's reporting currency (${settings.reportingCurrency})`,
    );
  if (input.scopeType === 'department' && !settings.departments[input.scopeKey])
    throw new DomainError(
      'VALIDATION_ERROR',
      `Department "${input.scopeKey}" has no project mapping in the enterprise settings`,
    );
  const now = deps.clock.now().toISOString();
  const budget: CostBudget = {
    budgetId: newId(deps.clock.now()),
    enterpriseId,
    ...input,
    scopeKey: input.scopeType === 'all' ? 'all' : input.scopeKey,
    budgetAmount: toDecimalString(decimal(input.budgetAmount)),
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.createBudget(budget);
  return budget;
};

export const listBudgets = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.BudgetsQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const periodMonth = query.periodMonth ?? periodOf(deps.clock.now());
  const [budgets, { head, snapshots }, settings] = await Promise.all([
    deps.store.listBudgets(enterpriseId),
    publishedSnapshots(deps, enterpriseId, periodMonth),
    deps.billingSettings(enterpriseId),
  ]);
  return budgets.map((budget) => {
    if (!head || budget.currency !== head.reportingCurrency) return { ...budget, utilization: null };
    const actual = budgetActual(budget, snapshots, settings.departments);
    const {
      crossedThresholds,
      actual: spent,
      forecast,
      utilizationPercent,
      remaining,
    } = budgetUtilization(budget, actual, monthEndForecast(actual, periodMonth, deps.clock.now()));
    return {
      ...budget,
      utilization: { periodMonth, actual: spent, forecast, utilizationPercent, remaining, crossedThresholds },
    };
  });
};

export const updateBudget = async (
  deps: BillAdminDeps,
  ctx: RequestContext,
  budgetId: string,
  input: In<typeof c.UpdateBudget>,
) => {
  const budget = await visibleBudget(deps, ctx, budgetId);
  requireFinanceManager(ctx.caller, budget.enterpriseId);
  return deps.store.updateBudget(budget, {
    budgetAmount: input.budgetAmount ? toDecimalString(decimal(input.budgetAmount)) : budget.budgetAmount,
    alertThresholds: input.alertThresholds ?? budget.alertThresholds,
    updatedAt: deps.clock.now().toISOString(),
  });
};

export const deleteBudget = async (deps: BillAdminDeps, ctx: RequestContext, budgetId: string) => {
  const budget = await visibleBudget(deps, ctx, budgetId);
  requireFinanceManager(ctx.caller, budget.enterpriseId);
  await deps.store.deleteBudget(budget);
  return { deleted: true as const };
};
