/**
 * Virtual P&L storage (issue 6). Facts (cost entries, revenues, budgets) are written here by the
 * API and by the feeds; every fact write marks its enterprise-month dirty, and the rollup
 * recomputes only dirty months. Amounts are exact decimal strings.
 */
import type {
  AllocationMethod,
  BudgetCategory,
  CostCategory,
  CostSource,
  PeriodType,
  PnlFigures,
  RevenueSource,
} from '../domain/pnl/types';
import type { SelfHostedCostModel } from '../domain/pnl/self-hosted';

/** A node of an enterprise's cost-center tree (the seed's CostCenter). */
export interface CostCenterRecord {
  id: string;
  enterpriseId: string;
  /** Unique in the enterprise. */
  code: string;
  name: string;
  description?: string;
  parentId: string | null;
  /** 0 for a root. */
  level: number;
  /** Ids from the root down to this center: `/rootId/childId`. */
  path: string;
  manager?: string;
  department?: string;
  hasBudgetAuthority: boolean;
  budgetLimit: string | null;
  currency: string;
  isActive: boolean;
  /** The center that runs the AI platform and issues the internal invoices (one per enterprise). */
  isPlatform: boolean;
  /** Gateway groups whose usage is this center's cost (a group maps to one center). */
  groupIds: string[];
  /** Cloud bill project codes whose cost is this center's (a code maps to one center). */
  projectCodes: string[];
  createdAt: string;
  updatedAt: string;
}

/** One cost (the seed's CostTracking). `sourceSystem + sourceReference` is unique per enterprise. */
export interface CostEntryRecord {
  /** Deterministic from enterprise + sourceSystem + sourceReference (see costEntryId). */
  id: string;
  enterpriseId: string;
  costCenterId: string;
  /** `YYYY-MM-DD`. */
  recordDate: string;
  periodYear: number;
  periodQuarter: number;
  periodMonth: number;
  category: CostCategory;
  /** e.g. `fixed`, `variable`, `one_time`. */
  costType: string;
  costSubcategory?: string;
  /** Positive exact decimal. */
  amount: string;
  currency: string;
  description?: string;
  costDetails?: Record<string, unknown>;
  allocationMethod?: AllocationMethod;
  /** What the split was weighted by (tokens, requests, cost, share), as a decimal string. */
  allocationBasis?: string;
  /** This entry's share of the allocated amount, percent. */
  allocationPercentage?: string;
  sourceSystem: CostSource;
  sourceReference: string;
  transactionId?: string;
  createdAt: string;
  createdBy: string;
}

/** Revenue credited to a cost center (the seed's RevenueAttribution, plus the center it belongs to). */
export interface RevenueRecord {
  /** Deterministic from enterprise + origin + reference. */
  id: string;
  enterpriseId: string;
  costCenterId: string;
  recordDate: string;
  periodYear: number;
  periodQuarter: number;
  periodMonth: number;
  revenueSource: RevenueSource;
  revenueSubcategory?: string;
  amount: string;
  currency: string;
  attributionMethod: string;
  /** 0–1. */
  attributionConfidence: string;
  /** 0–1: the share of this revenue the AI platform contributed. */
  contributionRatio: string;
  customerId?: string;
  customerTier?: string;
  productFeature?: string;
  description?: string;
  revenueDetails?: Record<string, unknown>;
  baselinePeriod?: string;
  baselineAmount?: string;
  incrementalAmount?: string;
  /** `manual` for API entries, `cost_savings` for the computed self-hosted savings. */
  origin: 'manual' | 'cost_savings';
  reference: string;
  createdAt: string;
  createdBy: string;
}

/** A budget of a cost center for one period (the seed's BudgetAllocation). Unique per center and period. */
export interface BudgetRecord {
  costCenterId: string;
  enterpriseId: string;
  budgetYear: number;
  periodType: PeriodType;
  /** Month 1–12, quarter 1–4, or 1 for a year. */
  budgetPeriod: number;
  totalBudget: string;
  currency: string;
  /** Category split; the parts may not exceed the total. */
  categories: Partial<Record<BudgetCategory, string>>;
  revenueTarget?: string;
  costSavingsTarget?: string;
  roiTarget?: string;
  status: 'draft' | 'approved' | 'active' | 'closed';
  approvalLevel: number;
  description?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface InvoiceLine {
  serviceType: string;
  serviceCategory: string;
  description: string;
  usageMetric: 'tokens' | 'requests' | 'cost';
  usageQuantity: string;
  /** baseAmount / usageQuantity, rounded to 10 places for display; baseAmount is the exact figure. */
  unitRate: string;
  baseAmount: string;
}

/** A monthly internal invoice from the platform center to a consuming center (the seed's InternalBilling). */
export interface InvoiceRecord {
  id: string;
  /** Human reference, e.g. `IB-2026-11-RESEARCH`. */
  billingId: string;
  enterpriseId: string;
  /** `YYYY-MM`. */
  month: string;
  billingDate: string;
  providerCostCenterId: string;
  consumerCostCenterId: string;
  currency: string;
  lines: InvoiceLine[];
  allocationMethod: AllocationMethod;
  baseAmount: string;
  discountAmount: string;
  taxAmount: string;
  totalAmount: string;
  status: 'draft' | 'issued' | 'paid';
  dueDate: string;
  paidDate?: string;
  createdAt: string;
  createdBy: string;
}

/** One stored P&L summary: own figures of a center, or consolidated over its subtree. */
export interface PnlSummaryRecord extends PnlFigures {
  enterpriseId: string;
  costCenterId: string;
  periodType: PeriodType;
  /** `2026-11`, `2026-Q4` or `2026`. */
  periodKey: string;
  periodYear: number;
  periodQuarter: number | null;
  periodMonth: number | null;
  isConsolidated: boolean;
  generatedAt: string;
  generatedBy: string;
}

/** Cost model of a self-hosted AI account (e.g. gpt-oss on vLLM); an account with one is self-hosted. */
export interface SelfHostedModelRecord extends SelfHostedCostModel {
  accountId: string;
  enterpriseId: string;
  createdAt: string;
  updatedAt: string;
}

/** Per-enterprise P&L settings. */
export interface PnlSettingsRecord {
  enterpriseId: string;
  /** What the same tokens would cost on a cloud API, per million tokens; prices cost savings. */
  referenceCloudPricePerMillion: string | null;
  referenceCurrency: string;
  /** Internal invoices: discount and tax in percent, days to pay. */
  discountPercent: string;
  taxPercent: string;
  paymentDays: number;
  /** Budget utilization percentages that notify when crossed. */
  budgetThresholds: number[];
  updatedAt: string;
}

export interface DirtyMonth {
  enterpriseId: string;
  month: string;
  markedAt: string;
}

export interface PnlStore {
  // Cost centers
  /** CONFLICT when the code is taken in the enterprise. */
  createCostCenter(center: CostCenterRecord): Promise<void>;
  getCostCenter(id: string): Promise<CostCenterRecord | null>;
  listCostCenters(enterpriseId: string): Promise<CostCenterRecord[]>;
  /**
   * Writes the changed centers in one transaction (a move rewrites its subtree's paths and levels);
   * each is conditional on its `updatedAt` still being `before.updatedAt` (CONFLICT otherwise), and
   * a code change moves the code's uniqueness guard (CONFLICT when the new code is taken).
   */
  updateCostCenters(changes: { before: CostCenterRecord; after: CostCenterRecord }[]): Promise<void>;
  deleteCostCenter(center: CostCenterRecord): Promise<void>;

  // Cost entries
  /**
   * Writes the entries that do not exist yet (by id) and returns them as `created`; entries whose
   * id exists are returned, as stored, in `existing`. Marks their months dirty.
   */
  createCostEntries(
    entries: CostEntryRecord[],
  ): Promise<{ created: CostEntryRecord[]; existing: CostEntryRecord[] }>;
  getCostEntry(id: string): Promise<CostEntryRecord | null>;
  /** Replaces a stored entry (same id); NOT_FOUND when it is gone. Marks the months of both versions dirty. */
  replaceCostEntry(entry: CostEntryRecord, previous: CostEntryRecord): Promise<void>;
  deleteCostEntry(entry: CostEntryRecord): Promise<void>;
  costEntriesOfCenter(costCenterId: string, month: string): Promise<CostEntryRecord[]>;
  costEntriesOfEnterprise(enterpriseId: string, month: string): Promise<CostEntryRecord[]>;
  /**
   * Makes `entries` the month's entries from `sourceSystem`: puts the new and changed ones, deletes
   * the ones no longer fed. True (and the month marked dirty) only when something changed.
   */
  replaceFedCosts(
    enterpriseId: string,
    month: string,
    sourceSystem: CostSource,
    entries: CostEntryRecord[],
  ): Promise<boolean>;

  // Revenues
  createRevenues(revenues: RevenueRecord[]): Promise<{ created: RevenueRecord[]; existing: RevenueRecord[] }>;
  getRevenue(id: string): Promise<RevenueRecord | null>;
  /** Replaces a stored revenue (same id); NOT_FOUND when it is gone. Marks the months of both versions dirty. */
  replaceRevenue(revenue: RevenueRecord, previous: RevenueRecord): Promise<void>;
  deleteRevenue(revenue: RevenueRecord): Promise<void>;
  revenuesOfEnterprise(enterpriseId: string, month: string): Promise<RevenueRecord[]>;
  replaceFedRevenues(
    enterpriseId: string,
    month: string,
    origin: RevenueRecord['origin'],
    revenues: RevenueRecord[],
  ): Promise<boolean>;

  // Budgets (key: costCenterId + budgetYear + periodType + budgetPeriod)
  /** CONFLICT when the center already has a budget for the period. Marks the covered months dirty. */
  createBudget(budget: BudgetRecord): Promise<void>;
  getBudget(
    costCenterId: string,
    budgetYear: number,
    periodType: PeriodType,
    budgetPeriod: number,
  ): Promise<BudgetRecord | null>;
  /** Replaces a budget, conditional on `updatedAt` being `expectedUpdatedAt` (CONFLICT otherwise). */
  replaceBudget(budget: BudgetRecord, expectedUpdatedAt: string): Promise<void>;
  deleteBudget(budget: BudgetRecord): Promise<void>;
  budgetsOfEnterprise(enterpriseId: string, budgetYear: number): Promise<BudgetRecord[]>;
  /** Budgets with status `active` across every enterprise (the hourly budget check). */
  activeBudgets(): Promise<BudgetRecord[]>;

  // Internal invoices
  /** Replaces the month's draft invoices with `drafts`; issued and paid invoices stay as they are. */
  replaceDraftInvoices(enterpriseId: string, month: string, drafts: InvoiceRecord[]): Promise<void>;
  invoicesOf(enterpriseId: string, month: string): Promise<InvoiceRecord[]>;
  getInvoice(id: string): Promise<InvoiceRecord | null>;
  /** Moves an invoice from `from` to `to` (CONFLICT when it is no longer `from`). */
  setInvoiceStatus(
    id: string,
    from: InvoiceRecord['status'],
    to: InvoiceRecord['status'],
    paidDate?: string,
  ): Promise<InvoiceRecord>;

  // P&L summaries
  /** Replaces every summary of the enterprise for these period keys with `summaries`. */
  replaceSummaries(enterpriseId: string, periodKeys: string[], summaries: PnlSummaryRecord[]): Promise<void>;
  summariesOfPeriod(enterpriseId: string, periodKey: string): Promise<PnlSummaryRecord[]>;

  // Dirty months
  markDirty(enterpriseId: string, months: string[], at: string): Promise<void>;
  dirtyMonths(): Promise<DirtyMonth[]>;
  /** Clears the mark unless it was set again after `markedAt`; false then. */
  clearDirty(mark: DirtyMonth): Promise<boolean>;

  // Settings and self-hosted models
  getSettings(enterpriseId: string): Promise<PnlSettingsRecord | null>;
  putSettings(settings: PnlSettingsRecord): Promise<void>;
  putSelfHostedModel(model: SelfHostedModelRecord): Promise<void>;
  getSelfHostedModel(accountId: string): Promise<SelfHostedModelRecord | null>;
  selfHostedModels(enterpriseId: string): Promise<SelfHostedModelRecord[]>;
  deleteSelfHostedModel(accountId: string): Promise<void>;
}
