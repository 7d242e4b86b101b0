/** What the virtual P&L use cases need, and the record → API views they share. */
import type { BillStore } from '../../ports/bills';
import type { Clock } from '../../ports/clock';
import type { UsageStore } from '../../ports/metering';
import type { Notifier } from '../../ports/notifications';
import type {
  BudgetRecord,
  CostCenterRecord,
  CostEntryRecord,
  PnlSettingsRecord,
  RevenueRecord,
} from '../../ports/pnl';
import type { PnlStore } from '../../ports/pnl';
import type { AiAccountRepository, GroupRepository } from '../../ports/tenancy';
import { requireVisible } from '../../domain/access';
import { notFound } from '../../domain/errors';
import { periodKey } from '../../domain/pnl/periods';
import type { RequestContext } from '../tenancy';

export interface PnlDeps {
  store: PnlStore;
  /** Gateway metering: group × account month aggregates, group months (tokens, requests, users). */
  usage: Pick<UsageStore, 'periodAggregates'>;
  /** Cloud bill snapshots by project. */
  bills: Pick<BillStore, 'snapshotHead' | 'snapshots'>;
  groups: Pick<GroupRepository, 'get'>;
  accounts: Pick<AiAccountRepository, 'get'>;
  enterpriseExists(enterpriseId: string): Promise<boolean>;
  clock: Clock;
}

/** The scheduled rollup also notifies budget thresholds. */
export interface PnlJobDeps extends PnlDeps {
  notifier: Notifier;
}

export const DEFAULT_SETTINGS: Omit<PnlSettingsRecord, 'enterpriseId' | 'updatedAt'> = {
  referenceCloudPricePerMillion: null,
  referenceCurrency: 'USD',
  discountPercent: '0',
  taxPercent: '0',
  paymentDays: 30,
  budgetThresholds: [50, 80, 100],
};

export const settingsOf = async (
  deps: Pick<PnlDeps, 'store'>,
  enterpriseId: string,
): Promise<PnlSettingsRecord> =>
  (await deps.store.getSettings(enterpriseId)) ?? { enterpriseId, ...DEFAULT_SETTINGS, updatedAt: '' };

export const visibleCostCenter = async (
  deps: Pick<PnlDeps, 'store'>,
  ctx: RequestContext,
  id: string,
): Promise<CostCenterRecord> => {
  const center = await deps.store.getCostCenter(id);
  if (!center) throw notFound('Cost center', id);
  requireVisible(ctx.caller, center.enterpriseId, 'Cost center', id);
  return center;
};

export const costCenterView = (c: CostCenterRecord) => ({
  ...c,
  description: c.description ?? null,
  manager: c.manager ?? null,
  department: c.department ?? null,
});

export const costEntryView = (e: CostEntryRecord) => ({
  ...e,
  costSubcategory: e.costSubcategory ?? null,
  description: e.description ?? null,
  costDetails: e.costDetails ?? null,
  allocationMethod: e.allocationMethod ?? null,
  allocationBasis: e.allocationBasis ?? null,
  allocationPercentage: e.allocationPercentage ?? null,
  transactionId: e.transactionId ?? null,
});

export const revenueView = (r: RevenueRecord) => ({
  ...r,
  revenueSubcategory: r.revenueSubcategory ?? null,
  customerId: r.customerId ?? null,
  customerTier: r.customerTier ?? null,
  productFeature: r.productFeature ?? null,
  description: r.description ?? null,
  revenueDetails: r.revenueDetails ?? null,
  baselinePeriod: r.baselinePeriod ?? null,
  baselineAmount: r.baselineAmount ?? null,
  incrementalAmount: r.incrementalAmount ?? null,
});

export const budgetView = (b: BudgetRecord) => ({
  ...b,
  periodKey: budgetPeriodKey(b),
  revenueTarget: b.revenueTarget ?? null,
  costSavingsTarget: b.costSavingsTarget ?? null,
  roiTarget: b.roiTarget ?? null,
  description: b.description ?? null,
  categories: Object.fromEntries(Object.entries(b.categories).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >,
});

export const budgetPeriodKey = (
  b: Pick<BudgetRecord, 'periodType' | 'budgetYear' | 'budgetPeriod'>,
): string =>
  periodKey(
    b.periodType === 'month'
      ? { type: 'month', year: b.budgetYear, month: b.budgetPeriod, quarter: Math.ceil(b.budgetPeriod / 3) }
      : b.periodType === 'quarter'
        ? { type: 'quarter', year: b.budgetYear, quarter: b.budgetPeriod }
        : { type: 'year', year: b.budgetYear },
  );

/** `YYYY-MM` of a fact. */
export const monthOf = (f: { periodYear: number; periodMonth: number }): string =>
  `${f.periodYear}-${String(f.periodMonth).padStart(2, '0')}`;
