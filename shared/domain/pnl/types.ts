/**
 * Virtual P&L vocabulary (seed 000: CostCenter, CostTracking, RevenueAttribution, BudgetAllocation,
 * InternalBilling, VirtualPnLSummary). Amounts are exact decimal strings; every figure carries its
 * currency and a P&L never mixes currencies (one summary per currency).
 */

export const COST_CATEGORIES = [
  'hardware',
  'infrastructure',
  'power',
  'personnel',
  'maintenance',
  'software',
  'cloud_fallback',
  'other',
] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** The categories a budget splits its total into (the seed's BudgetAllocation columns). */
export const BUDGET_CATEGORIES = [
  'hardware',
  'infrastructure',
  'power',
  'personnel',
  'maintenance',
  'software',
  'other',
] as const;
export type BudgetCategory = (typeof BUDGET_CATEGORIES)[number];

export const REVENUE_SOURCES = ['membership', 'alpha_engine', 'api_usage', 'cost_savings', 'other'] as const;
export type RevenueSource = (typeof REVENUE_SOURCES)[number];

/** Where a cost entry came from; `sourceSystem + sourceReference` identify it (re-feeding replaces it). */
export const COST_SOURCES = [
  'manual',
  'import',
  'allocation',
  'gateway',
  'self_hosted',
  'cloud_bills',
] as const;
export type CostSource = (typeof COST_SOURCES)[number];

/** How a shared amount is split across cost centers (issue 6, point 5). */
export type AllocationStrategy =
  | { method: 'direct'; costCenterId: string }
  | { method: 'proportional'; basis: 'tokens' | 'requests' | 'cost'; costCenterIds: string[] }
  | { method: 'even'; costCenterIds: string[] }
  /** Percentages are exact decimal strings that must sum to exactly 100. */
  | { method: 'fixed'; shares: { costCenterId: string; percentage: string }[] };
export type AllocationMethod = AllocationStrategy['method'];

export const PERIOD_TYPES = ['month', 'quarter', 'year'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];

/**
 * A reporting period: `month` 1–12 with its quarter, `quarter` 1–4, or a whole `year`.
 * Keys: `2026-11`, `2026-Q4`, `2026`.
 */
export interface Period {
  type: PeriodType;
  year: number;
  /** 1–4; set for month and quarter periods. */
  quarter?: number;
  /** 1–12; set for month periods. */
  month?: number;
}

/** Money per cost category / revenue source, exact decimal strings in one currency. */
export type CostsByCategory = Record<CostCategory, string>;
export type RevenuesBySource = Record<RevenueSource, string>;

/**
 * The figures of one P&L summary (the seed's VirtualPnLSummary, without identity). Money is an
 * exact decimal string; ratios are decimal strings rounded to 6 places (null when the divisor is 0
 * or missing); consolidated ratios are recomputed from consolidated sums, never summed.
 */
export interface PnlFigures {
  currency: string;
  costs: CostsByCategory;
  totalCosts: string;
  revenues: RevenuesBySource;
  totalRevenues: string;
  /** Revenues minus the cost of service (hardware, infrastructure, power, maintenance, cloud_fallback). */
  grossProfit: string;
  /** Revenues minus every cost. */
  netProfit: string;
  /** netProfit / totalRevenues. */
  profitMargin: string | null;
  /** netProfit / totalCosts. */
  roi: string | null;
  /** totalCosts / tokens, rounded to 12 places. */
  costPerToken: string | null;
  /** totalRevenues / activeUsers. */
  revenuePerUser: string | null;
  /** cost_savings revenue / (totalCosts + cost_savings revenue): the share of the cloud-equivalent bill avoided. */
  costSavingsRatio: string | null;
  /** The period's budget total (null: no budget). */
  budgetTotal: string | null;
  /** budgetTotal − totalCosts (positive: under budget). */
  budgetVarianceCost: string | null;
  /** totalRevenues − revenue target. */
  budgetVarianceRevenue: string | null;
  /** totalCosts / budgetTotal. */
  budgetUtilization: string | null;
  totalTokensProcessed: number;
  totalRequestsServed: number;
  activeUsersCount: number;
}
