/**
 * Virtual P&L API (issue 6; seed 000): cost centers, cost entries and shared-cost allocations,
 * revenue attribution, budgets, self-hosted cost models, internal invoices, P&L reports, cost
 * analysis and ROI. Amounts travel as decimal strings; percentages and ratios too.
 */
import * as z from 'zod';
import {
  BUDGET_CATEGORIES,
  COST_CATEGORIES,
  COST_SOURCES,
  PERIOD_TYPES,
  REVENUE_SOURCES,
} from '../domain/pnl/types';
import { CurrencyCode, DecimalString, EmptyObject, Id, NonNegativeDecimalString, Timestamp } from './common';
import { defineRoute } from './route';

const tag = 'pnl';
const EnterpriseParams = z.strictObject({ enterpriseId: Id });
const CostCenterParams = z.strictObject({ costCenterId: Id });

/** `2026-11`. Years outside 2000–2100 are refused where the period is checked. */
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as "2026-11"');
/** `2026-11`, `2026-Q4` or `2026`. */
const PeriodKey = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, 'must be a period such as "2026-11", "2026-Q4" or "2026"');
const Day = z.iso.date();
/** A positive amount: the seed's rule that costs and revenues are positive. */
const PositiveDecimal = NonNegativeDecimalString.refine(
  (v) => !/^0+(\.0+)?$/.test(v),
  'must be greater than 0',
);
/** 0–1, e.g. attribution confidence. */
const Ratio = z.string().regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, 'must be a decimal between 0 and 1');
const Percent = z.string().regex(/^\d{1,3}(\.\d{1,6})?$/, 'must be a percentage such as "12.5"');
const Code = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, ".", "_" or "-"');
const Text = (max: number) => z.string().trim().min(1).max(max);
const Details = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 8000, 'is too large');
const CostCategory = z.enum(COST_CATEGORIES);
const RevenueSource = z.enum(REVENUE_SOURCES);
const PeriodType = z.enum(PERIOD_TYPES);

// ---- Cost centers -------------------------------------------------------------------------------

export const CostCenter = z.object({
  id: Id,
  enterpriseId: Id,
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  parentId: Id.nullable(),
  level: z.number().int(),
  path: z.string(),
  manager: z.string().nullable(),
  department: z.string().nullable(),
  hasBudgetAuthority: z.boolean(),
  budgetLimit: DecimalString.nullable(),
  currency: CurrencyCode,
  isActive: z.boolean(),
  isPlatform: z.boolean(),
  groupIds: z.array(Id),
  projectCodes: z.array(z.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const CostCenterFields = {
  code: Code,
  name: Text(200),
  description: Text(2000),
  manager: Text(200),
  department: Text(200),
  hasBudgetAuthority: z.boolean(),
  budgetLimit: NonNegativeDecimalString,
  currency: CurrencyCode,
  isActive: z.boolean(),
  isPlatform: z.boolean(),
  /** Gateway groups whose usage is this center's cost; a group belongs to one center. */
  groupIds: z.array(Id).max(200),
  /** Cloud bill project codes whose cost is this center's; a code belongs to one center. */
  projectCodes: z.array(Text(128)).max(200),
};

export const CreateCostCenter = z.strictObject({
  ...CostCenterFields,
  description: CostCenterFields.description.optional(),
  manager: CostCenterFields.manager.optional(),
  department: CostCenterFields.department.optional(),
  hasBudgetAuthority: CostCenterFields.hasBudgetAuthority.default(false),
  budgetLimit: CostCenterFields.budgetLimit.optional(),
  isActive: CostCenterFields.isActive.default(true),
  isPlatform: CostCenterFields.isPlatform.default(false),
  groupIds: CostCenterFields.groupIds.default([]),
  projectCodes: CostCenterFields.projectCodes.default([]),
  /** Absent: a root. */
  parentId: Id.optional(),
});

/** Moving is its own route; optional text fields take null to clear. */
export const UpdateCostCenter = z
  .strictObject({
    ...CostCenterFields,
    description: CostCenterFields.description.nullable(),
    manager: CostCenterFields.manager.nullable(),
    department: CostCenterFields.department.nullable(),
    budgetLimit: CostCenterFields.budgetLimit.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const MoveCostCenter = z.strictObject({ parentId: Id.nullable() });

/** A center with its children, recursively; `id` names it once in the OpenAPI document. */
export const CostCenterNode = CostCenter.extend({
  get children(): z.ZodArray<typeof CostCenterNode> {
    return z.array(CostCenterNode);
  },
}).meta({ id: 'CostCenterNode' });

export const CostCenterSubtree = z.object({
  root: CostCenterNode,
  /** Σ budgetLimit over the subtree. */
  totalBudget: DecimalString,
});

// ---- Cost entries ---------------------------------------------------------------------------------

export const CostEntry = z.object({
  id: z.string(),
  enterpriseId: Id,
  costCenterId: Id,
  recordDate: Day,
  periodYear: z.number().int(),
  periodQuarter: z.number().int(),
  periodMonth: z.number().int(),
  category: CostCategory,
  costType: z.string(),
  costSubcategory: z.string().nullable(),
  amount: DecimalString,
  currency: CurrencyCode,
  description: z.string().nullable(),
  costDetails: z.record(z.string(), z.unknown()).nullable(),
  allocationMethod: z.string().nullable(),
  allocationBasis: z.string().nullable(),
  allocationPercentage: z.string().nullable(),
  sourceSystem: z.enum(COST_SOURCES),
  sourceReference: z.string(),
  transactionId: z.string().nullable(),
  createdAt: Timestamp,
  createdBy: z.string(),
});

/** The period fields may be given; when they are they must be in range and match recordDate. */
const PeriodFields = {
  periodYear: z.number().int().optional(),
  periodQuarter: z.number().int().optional(),
  periodMonth: z.number().int().optional(),
};

export const CreateCostEntry = z.strictObject({
  costCenterId: Id,
  recordDate: Day,
  ...PeriodFields,
  category: CostCategory,
  costType: z.enum(['fixed', 'variable', 'one_time']).default('variable'),
  costSubcategory: Text(100).optional(),
  amount: PositiveDecimal,
  currency: CurrencyCode,
  description: Text(2000).optional(),
  costDetails: Details.optional(),
  /** With sourceReference, identifies the entry: posting the same pair again changes nothing. */
  sourceSystem: z.enum(['manual', 'import']).default('manual'),
  /** Absent: a fresh reference, so each post is a new entry. */
  sourceReference: Text(200).optional(),
  transactionId: Text(200).optional(),
});

/**
 * Corrects a manual or imported cost (fed and allocated ones follow their source); null clears an
 * optional field. Moving it to another date re-checks its period.
 */
export const UpdateCostEntry = z
  .strictObject({
    costCenterId: Id,
    recordDate: Day,
    category: CostCategory,
    costType: z.enum(['fixed', 'variable', 'one_time']),
    costSubcategory: Text(100).nullable(),
    amount: PositiveDecimal,
    currency: CurrencyCode,
    description: Text(2000).nullable(),
    costDetails: Details.nullable(),
    transactionId: Text(200).nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

/** At most 1,000 entries, validated as a whole: one bad entry rejects the batch and nothing is written. */
export const ImportCostEntries = z.strictObject({
  entries: z.array(CreateCostEntry).min(1).max(1000),
});

export const ImportResult = z.object({
  created: z.number().int(),
  /** Entries whose source reference was already recorded (a retried import): left as they were. */
  alreadyRecorded: z.number().int(),
  entries: z.array(CostEntry),
});

export const CostEntryQuery = z.strictObject({
  month: Month,
  costCenterId: Id.optional(),
  category: CostCategory.optional(),
});

const Strategy = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('direct'), costCenterId: Id }),
  z.strictObject({
    method: z.literal('proportional'),
    basis: z.enum(['tokens', 'requests', 'cost']),
    costCenterIds: z.array(Id).min(1).max(100),
  }),
  z.strictObject({ method: z.literal('even'), costCenterIds: z.array(Id).min(1).max(100) }),
  z.strictObject({
    method: z.literal('fixed'),
    shares: z
      .array(z.strictObject({ costCenterId: Id, percentage: Percent }))
      .min(1)
      .max(100),
  }),
]);

/** A shared cost split across cost centers: one entry per center, summing exactly to `amount`. */
export const AllocateCost = z.strictObject({
  recordDate: Day,
  category: CostCategory,
  costType: z.enum(['fixed', 'variable', 'one_time']).default('fixed'),
  amount: PositiveDecimal.refine((v) => !/\.\d{3,}$/.test(v), 'must have at most 2 decimals'),
  currency: CurrencyCode,
  description: Text(2000).optional(),
  /** Identifies the allocation: repeating it changes nothing. */
  sourceReference: Text(200),
  strategy: Strategy,
});

// ---- Revenues --------------------------------------------------------------------------------------

export const Revenue = z.object({
  id: z.string(),
  enterpriseId: Id,
  costCenterId: Id,
  recordDate: Day,
  periodYear: z.number().int(),
  periodQuarter: z.number().int(),
  periodMonth: z.number().int(),
  revenueSource: RevenueSource,
  revenueSubcategory: z.string().nullable(),
  amount: DecimalString,
  currency: CurrencyCode,
  attributionMethod: z.string(),
  attributionConfidence: z.string(),
  contributionRatio: z.string(),
  customerId: z.string().nullable(),
  customerTier: z.string().nullable(),
  productFeature: z.string().nullable(),
  description: z.string().nullable(),
  revenueDetails: z.record(z.string(), z.unknown()).nullable(),
  baselinePeriod: z.string().nullable(),
  baselineAmount: z.string().nullable(),
  incrementalAmount: z.string().nullable(),
  origin: z.enum(['manual', 'cost_savings']),
  reference: z.string(),
  createdAt: Timestamp,
  createdBy: z.string(),
});

export const CreateRevenue = z.strictObject({
  costCenterId: Id,
  recordDate: Day,
  ...PeriodFields,
  /** cost_savings is computed from self-hosted usage and cannot be posted. */
  revenueSource: z.enum(['membership', 'alpha_engine', 'api_usage', 'other']),
  revenueSubcategory: Text(100).optional(),
  amount: PositiveDecimal,
  currency: CurrencyCode,
  attributionMethod: z.enum(['direct', 'proportional', 'model_based', 'estimated']).default('direct'),
  attributionConfidence: Ratio.default('1'),
  /** The share of the revenue the AI platform contributed (0–1). */
  contributionRatio: Ratio.default('1'),
  customerId: Text(200).optional(),
  customerTier: Text(100).optional(),
  productFeature: Text(200).optional(),
  description: Text(2000).optional(),
  revenueDetails: Details.optional(),
  baselinePeriod: Month.optional(),
  /** Revenue before the AI feature; incrementalAmount = amount − baselineAmount. */
  baselineAmount: NonNegativeDecimalString.optional(),
  /** Identifies the revenue: posting the same reference again changes nothing. */
  reference: Text(200).optional(),
});

/** Corrects a manual revenue; null clears an optional field; incrementalAmount follows. */
export const UpdateRevenue = z
  .strictObject({
    costCenterId: Id,
    recordDate: Day,
    revenueSource: CreateRevenue.shape.revenueSource,
    revenueSubcategory: Text(100).nullable(),
    amount: PositiveDecimal,
    currency: CurrencyCode,
    attributionMethod: z.enum(['direct', 'proportional', 'model_based', 'estimated']),
    attributionConfidence: Ratio,
    contributionRatio: Ratio,
    customerId: Text(200).nullable(),
    customerTier: Text(100).nullable(),
    productFeature: Text(200).nullable(),
    description: Text(2000).nullable(),
    revenueDetails: Details.nullable(),
    baselinePeriod: Month.nullable(),
    baselineAmount: NonNegativeDecimalString.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');

export const RevenueQuery = z.strictObject({ month: Month, costCenterId: Id.optional() });

// ---- Budgets --------------------------------------------------------------------------------------

const BudgetCategories = z.strictObject(
  Object.fromEntries(BUDGET_CATEGORIES.map((c) => [c, NonNegativeDecimalString.optional()])) as Record<
    (typeof BUDGET_CATEGORIES)[number],
    z.ZodOptional<typeof NonNegativeDecimalString>
  >,
);

export const Budget = z.object({
  costCenterId: Id,
  enterpriseId: Id,
  budgetYear: z.number().int(),
  periodType: PeriodType,
  budgetPeriod: z.number().int(),
  periodKey: z.string(),
  totalBudget: DecimalString,
  currency: CurrencyCode,
  categories: z.record(z.string(), DecimalString),
  revenueTarget: DecimalString.nullable(),
  costSavingsTarget: DecimalString.nullable(),
  roiTarget: DecimalString.nullable(),
  status: z.enum(['draft', 'approved', 'active', 'closed']),
  approvalLevel: z.number().int(),
  description: z.string().nullable(),
  createdAt: Timestamp,
  createdBy: z.string(),
  updatedAt: Timestamp,
});

const BudgetFields = {
  totalBudget: PositiveDecimal,
  currency: CurrencyCode,
  categories: BudgetCategories.default({}),
  revenueTarget: NonNegativeDecimalString.optional(),
  costSavingsTarget: NonNegativeDecimalString.optional(),
  /** A ratio, e.g. "0.25" for 25 %. */
  roiTarget: DecimalString.optional(),
  status: z.enum(['draft', 'approved', 'active', 'closed']).default('draft'),
  description: Text(2000).optional(),
};

export const CreateBudget = z.strictObject({
  budgetYear: z.number().int(),
  periodType: PeriodType,
  /** Month 1–12, quarter 1–4, or 1 for a year. */
  budgetPeriod: z.number().int(),
  ...BudgetFields,
});

/** Replaces the budget's figures and status; the period stays. */
export const UpdateBudget = z.strictObject(BudgetFields);

const BudgetParams = z.strictObject({
  costCenterId: Id,
  budgetYear: z.coerce.number().int(),
  periodType: PeriodType,
  budgetPeriod: z.coerce.number().int(),
});

export const BudgetYearQuery = z.strictObject({ year: z.coerce.number().int() });

export const BudgetUtilization = z.object({
  costCenterId: Id,
  code: z.string(),
  periodKey: z.string(),
  currency: CurrencyCode,
  totalBudget: DecimalString,
  actualCosts: DecimalString,
  variance: DecimalString,
  /** null for a zero budget. */
  utilization: z.string().nullable(),
  utilizationPercent: z.string().nullable(),
  status: z.string(),
  /** Spend per budget category against its part of the budget. */
  categories: z.array(
    z.object({ category: z.string(), budget: DecimalString.nullable(), actual: DecimalString }),
  ),
});

// ---- Self-hosted cost models and settings -------------------------------------------------------------

export const SelfHostedModel = z.object({
  accountId: Id,
  enterpriseId: Id,
  currency: CurrencyCode,
  gpuCount: z.number().int(),
  hardwareCostPerGpu: DecimalString,
  amortizationMonths: z.number().int(),
  powerKwPerGpu: DecimalString,
  pricePerKwh: DecimalString,
  hoursPerMonth: z.number().int().nullable(),
  maintenanceMonthly: DecimalString,
  personnelMonthly: DecimalString,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const PutSelfHostedModel = z.strictObject({
  currency: CurrencyCode,
  gpuCount: z.number().int().min(1).max(100_000),
  hardwareCostPerGpu: NonNegativeDecimalString,
  amortizationMonths: z.number().int().min(1).max(240),
  powerKwPerGpu: NonNegativeDecimalString,
  pricePerKwh: NonNegativeDecimalString,
  /** Absent: powered every hour of the month. */
  hoursPerMonth: z.number().int().min(1).max(744).optional(),
  maintenanceMonthly: NonNegativeDecimalString.default('0'),
  personnelMonthly: NonNegativeDecimalString.default('0'),
});

export const SelfHostedCost = z.object({
  accountId: Id,
  month: z.string(),
  currency: CurrencyCode,
  tokensServed: z.number().int(),
  hardware: DecimalString,
  power: DecimalString,
  maintenance: DecimalString,
  personnel: DecimalString,
  total: DecimalString,
  gpuHours: z.number(),
  costPerGpuHour: z.string(),
  tokensPerGpuHour: z.string(),
  costPerToken: z.string().nullable(),
  costPerMillionTokens: z.string().nullable(),
});

export const PnlSettings = z.object({
  enterpriseId: Id,
  referenceCloudPricePerMillion: DecimalString.nullable(),
  referenceCurrency: CurrencyCode,
  discountPercent: z.string(),
  taxPercent: z.string(),
  paymentDays: z.number().int(),
  budgetThresholds: z.array(z.number().int()),
  updatedAt: Timestamp.nullable(),
});

export const PutPnlSettings = z.strictObject({
  /** What the same tokens cost on a cloud API, per million tokens: prices the self-hosted savings. */
  referenceCloudPricePerMillion: NonNegativeDecimalString.nullable(),
  referenceCurrency: CurrencyCode,
  discountPercent: Percent.refine((v) => Number(v) <= 100, 'must be at most 100').default('0'),
  taxPercent: Percent.refine((v) => Number(v) <= 100, 'must be at most 100').default('0'),
  paymentDays: z.number().int().min(0).max(365).default(30),
  budgetThresholds: z
    .array(z.number().int().min(1).max(1000))
    .min(1)
    .max(10)
    .refine((t) => new Set(t).size === t.length, 'must be distinct')
    .default([50, 80, 100]),
});

// ---- Internal invoices -------------------------------------------------------------------------------

export const Invoice = z.object({
  id: z.string(),
  billingId: z.string(),
  enterpriseId: Id,
  month: z.string(),
  billingDate: Day,
  providerCostCenterId: Id,
  consumerCostCenterId: Id,
  currency: CurrencyCode,
  lines: z.array(
    z.object({
      serviceType: z.string(),
      serviceCategory: z.string(),
      description: z.string(),
      usageMetric: z.enum(['tokens', 'requests', 'cost']),
      usageQuantity: z.string(),
      unitRate: z.string(),
      baseAmount: DecimalString,
    }),
  ),
  allocationMethod: z.string(),
  baseAmount: DecimalString,
  discountAmount: DecimalString,
  taxAmount: DecimalString,
  totalAmount: DecimalString,
  status: z.enum(['draft', 'issued', 'paid']),
  dueDate: Day,
  paidDate: Day.nullable(),
  createdAt: Timestamp,
  createdBy: z.string(),
});

export const GenerateInvoices = z.strictObject({ month: Month });
export const MonthQuery = z.strictObject({ month: Month });
export const PayInvoice = z.strictObject({ paidDate: Day });

export const Reconciliation = z.object({
  month: z.string(),
  currency: CurrencyCode,
  /** The AI platform cost attributed to consuming centers from usage (the gateway and self-hosted feeds). */
  allocatedPlatformCost: DecimalString,
  /** Σ of the invoices' base amounts (before discount and tax). */
  invoicedBase: DecimalString,
  difference: DecimalString,
  balanced: z.boolean(),
  consumers: z.array(
    z.object({
      costCenterId: Id,
      allocated: DecimalString,
      invoiced: DecimalString,
      difference: DecimalString,
      invoiceStatus: z.string().nullable(),
    }),
  ),
});

// ---- P&L, cost analysis, ROI -------------------------------------------------------------------------

const Money = DecimalString;
const RatioOut = z.string().nullable();

export const PnlSummary = z.object({
  enterpriseId: Id,
  costCenterId: Id,
  code: z.string(),
  name: z.string(),
  periodType: PeriodType,
  periodKey: z.string(),
  periodYear: z.number().int(),
  periodQuarter: z.number().int().nullable(),
  periodMonth: z.number().int().nullable(),
  currency: CurrencyCode,
  isConsolidated: z.boolean(),
  /** The last day of the period the summary covers. */
  summaryDate: Day,
  costs: z.record(z.string(), Money),
  totalCosts: Money,
  revenues: z.record(z.string(), Money),
  totalRevenues: Money,
  grossProfit: Money,
  netProfit: Money,
  profitMargin: RatioOut,
  roi: RatioOut,
  costPerToken: RatioOut,
  revenuePerUser: RatioOut,
  costSavingsRatio: RatioOut,
  budgetTotal: Money.nullable(),
  budgetVarianceCost: Money.nullable(),
  budgetVarianceRevenue: Money.nullable(),
  budgetUtilization: RatioOut,
  totalTokensProcessed: z.number().int(),
  totalRequestsServed: z.number().int(),
  activeUsersCount: z.number().int(),
  generatedAt: Timestamp,
  generatedBy: z.string(),
});

export const PnlReportQuery = z.strictObject({
  period: PeriodKey,
  costCenterId: Id.optional(),
  /** true (default): each center over its whole subtree; false: its own figures only. */
  consolidated: z.enum(['true', 'false']).default('true'),
  currency: CurrencyCode.optional(),
});

export const PnlReport = z.object({
  period: z.string(),
  summaries: z.array(PnlSummary),
});

export const RecomputePnl = z.strictObject({
  /** Refreshes the feeds of this month and recomputes its P&L (and its quarter and year). */
  month: Month,
});

export const RecomputeResult = z.object({
  month: z.string(),
  feeds: z.object({
    costsChanged: z.boolean(),
    revenuesChanged: z.boolean(),
    unmappedGroups: z.array(z.string()),
    unmappedProjects: z.array(z.string()),
  }),
  recomputedMonths: z.array(z.string()),
  summaries: z.number().int(),
});

export const RangeQuery = z.strictObject({
  from: Month,
  to: Month,
  costCenterId: Id.optional(),
  currency: CurrencyCode.optional(),
});

export const CostAnalysis = z.object({
  from: z.string(),
  to: z.string(),
  currency: CurrencyCode,
  costCenterId: Id.nullable(),
  months: z.array(
    z.object({
      month: z.string(),
      costs: z.record(z.string(), Money),
      totalCosts: Money,
      /** Change against the month before, percent (null for the first month or after a zero month). */
      changePercent: z.string().nullable(),
    }),
  ),
  byCategory: z.array(z.object({ category: z.string(), amount: Money, sharePercent: z.string().nullable() })),
  byCostCenter: z.array(z.object({ costCenterId: Id, code: z.string(), amount: Money })),
  totalCosts: Money,
  /** Average monthly change over the range, percent. */
  trendPercent: z.string().nullable(),
});

export const RoiQuery = RangeQuery.extend({
  /** Up-front investment to pay back (e.g. GPU purchase); absent: the self-hosted hardware bought. */
  investment: NonNegativeDecimalString.optional(),
});

export const RoiAnalysis = z.object({
  from: z.string(),
  to: z.string(),
  currency: CurrencyCode,
  costCenterId: Id.nullable(),
  totalCosts: Money,
  totalRevenues: Money,
  netProfit: Money,
  roi: RatioOut,
  investment: Money.nullable(),
  monthlyNetBenefit: Money,
  paybackMonths: z.string().nullable(),
  costBenefit: z.object({
    selfHostedTokens: z.number().int(),
    selfHostedCost: Money,
    cloudEquivalentCost: Money.nullable(),
    savings: Money.nullable(),
    selfHostedCostPerMillion: z.string().nullable(),
    referencePricePerMillion: z.string().nullable(),
  }),
  recommendations: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['info', 'warning', 'critical']),
      message: z.string(),
      figures: z.record(z.string(), z.string()),
    }),
  ),
});

// ---- Routes ---------------------------------------------------------------------------------------------

const FactParams = z.strictObject({ entryId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a cost entry id') });
const RevenueParams = z.strictObject({
  revenueId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a revenue id'),
});
const AccountParams = z.strictObject({ accountId: Id });
const InvoiceParams = z.strictObject({ invoiceId: Id });
const PeriodQuery = z.strictObject({ period: PeriodKey });

export const pnlRoutes = {
  createCostCenter: defineRoute({
    id: 'createCostCenter',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-centers',
    auth: 'admin',
    tag,
    summary: 'Create a cost center: a root, or a child of parentId',
    params: EnterpriseParams,
    body: CreateCostCenter,
    response: CostCenter,
    successStatus: 201,
  }),
  listCostCenters: defineRoute({
    id: 'listCostCenters',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-centers',
    auth: 'admin',
    tag,
    summary: 'Cost centers of an enterprise, as a flat list',
    params: EnterpriseParams,
    response: z.object({ items: z.array(CostCenter) }),
  }),
  costCenterTree: defineRoute({
    id: 'costCenterTree',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-centers/tree',
    auth: 'admin',
    tag,
    summary: 'The cost-center hierarchy',
    params: EnterpriseParams,
    response: z.object({ roots: z.array(CostCenterNode) }),
  }),
  getCostCenter: defineRoute({
    id: 'getCostCenter',
    method: 'GET',
    path: '/api/cost-centers/{costCenterId}',
    auth: 'admin',
    tag,
    summary: 'One cost center',
    params: CostCenterParams,
    response: CostCenter,
  }),
  costCenterSubtree: defineRoute({
    id: 'costCenterSubtree',
    method: 'GET',
    path: '/api/cost-centers/{costCenterId}/subtree',
    auth: 'admin',
    tag,
    summary: 'A cost center with its subtree and the total budget limit of the subtree',
    params: CostCenterParams,
    response: CostCenterSubtree,
  }),
  updateCostCenter: defineRoute({
    id: 'updateCostCenter',
    method: 'PATCH',
    path: '/api/cost-centers/{costCenterId}',
    auth: 'admin',
    tag,
    summary: 'Change a cost center (code, budget authority, group and project mappings, ...)',
    params: CostCenterParams,
    body: UpdateCostCenter,
    response: CostCenter,
  }),
  moveCostCenter: defineRoute({
    id: 'moveCostCenter',
    method: 'POST',
    path: '/api/cost-centers/{costCenterId}/move',
    auth: 'admin',
    tag,
    summary: 'Move a cost center (and its subtree) under another parent; cycles are refused',
    params: CostCenterParams,
    body: MoveCostCenter,
    response: CostCenter,
  }),
  deleteCostCenter: defineRoute({
    id: 'deleteCostCenter',
    method: 'DELETE',
    path: '/api/cost-centers/{costCenterId}',
    auth: 'admin',
    tag,
    summary: 'Delete a cost center without children',
    params: CostCenterParams,
    response: EmptyObject,
  }),
  createCostEntry: defineRoute({
    id: 'createCostEntry',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-entries',
    auth: 'admin',
    tag,
    summary: 'Record a cost (idempotent by sourceSystem + sourceReference)',
    params: EnterpriseParams,
    body: CreateCostEntry,
    response: CostEntry,
    successStatus: 201,
  }),
  importCostEntries: defineRoute({
    id: 'importCostEntries',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-entries/batch',
    auth: 'admin',
    tag,
    summary: 'Import up to 1,000 costs: all validated before any is written',
    params: EnterpriseParams,
    body: ImportCostEntries,
    response: ImportResult,
  }),
  listCostEntries: defineRoute({
    id: 'listCostEntries',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-entries',
    auth: 'admin',
    tag,
    summary: 'Costs of a month',
    params: EnterpriseParams,
    query: CostEntryQuery,
    response: z.object({ items: z.array(CostEntry) }),
  }),
  getCostEntry: defineRoute({
    id: 'getCostEntry',
    method: 'GET',
    path: '/api/cost-entries/{entryId}',
    auth: 'admin',
    tag,
    summary: 'One cost entry',
    params: FactParams,
    response: CostEntry,
  }),
  updateCostEntry: defineRoute({
    id: 'updateCostEntry',
    method: 'PATCH',
    path: '/api/cost-entries/{entryId}',
    auth: 'admin',
    tag,
    summary: 'Correct a manual or imported cost',
    params: FactParams,
    body: UpdateCostEntry,
    response: CostEntry,
  }),
  deleteCostEntry: defineRoute({
    id: 'deleteCostEntry',
    method: 'DELETE',
    path: '/api/cost-entries/{entryId}',
    auth: 'admin',
    tag,
    summary: 'Delete a manual or imported cost (fed costs follow their source)',
    params: FactParams,
    response: EmptyObject,
  }),
  allocateCost: defineRoute({
    id: 'allocateCost',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/cost-allocations',
    auth: 'admin',
    tag,
    summary:
      'Split a shared cost across cost centers: direct, proportional to usage, even or fixed percentages',
    params: EnterpriseParams,
    body: AllocateCost,
    response: z.object({ entries: z.array(CostEntry) }),
    successStatus: 201,
  }),
  createRevenue: defineRoute({
    id: 'createRevenue',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/revenues',
    auth: 'admin',
    tag,
    summary: 'Attribute revenue to a cost center',
    params: EnterpriseParams,
    body: CreateRevenue,
    response: Revenue,
    successStatus: 201,
  }),
  listRevenues: defineRoute({
    id: 'listRevenues',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/revenues',
    auth: 'admin',
    tag,
    summary: 'Revenues of a month',
    params: EnterpriseParams,
    query: RevenueQuery,
    response: z.object({ items: z.array(Revenue) }),
  }),
  getRevenue: defineRoute({
    id: 'getRevenue',
    method: 'GET',
    path: '/api/revenues/{revenueId}',
    auth: 'admin',
    tag,
    summary: 'One revenue attribution',
    params: RevenueParams,
    response: Revenue,
  }),
  updateRevenue: defineRoute({
    id: 'updateRevenue',
    method: 'PATCH',
    path: '/api/revenues/{revenueId}',
    auth: 'admin',
    tag,
    summary: 'Correct a manual revenue attribution',
    params: RevenueParams,
    body: UpdateRevenue,
    response: Revenue,
  }),
  deleteRevenue: defineRoute({
    id: 'deleteRevenue',
    method: 'DELETE',
    path: '/api/revenues/{revenueId}',
    auth: 'admin',
    tag,
    summary: 'Delete a manual revenue',
    params: RevenueParams,
    response: EmptyObject,
  }),
  createBudget: defineRoute({
    id: 'createBudget',
    method: 'POST',
    path: '/api/cost-centers/{costCenterId}/budgets',
    auth: 'admin',
    tag,
    summary: 'Budget a cost center for a month, quarter or year',
    params: CostCenterParams,
    body: CreateBudget,
    response: Budget,
    successStatus: 201,
  }),
  listBudgets: defineRoute({
    id: 'listBudgets',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/budgets',
    auth: 'admin',
    tag,
    summary: 'Budgets of a year',
    params: EnterpriseParams,
    query: BudgetYearQuery,
    response: z.object({ items: z.array(Budget) }),
  }),
  updateBudget: defineRoute({
    id: 'updateBudget',
    method: 'PUT',
    path: '/api/cost-centers/{costCenterId}/budgets/{budgetYear}/{periodType}/{budgetPeriod}',
    auth: 'admin',
    tag,
    summary: 'Replace the figures and status of a budget',
    params: BudgetParams,
    body: UpdateBudget,
    response: Budget,
  }),
  deleteBudget: defineRoute({
    id: 'deleteBudget',
    method: 'DELETE',
    path: '/api/cost-centers/{costCenterId}/budgets/{budgetYear}/{periodType}/{budgetPeriod}',
    auth: 'admin',
    tag,
    summary: 'Delete a budget',
    params: BudgetParams,
    response: EmptyObject,
  }),
  budgetUtilization: defineRoute({
    id: 'budgetUtilization',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/budget-utilization',
    auth: 'admin',
    tag,
    summary: 'Budgets of a period against actual costs: utilization and variance',
    params: EnterpriseParams,
    query: PeriodQuery,
    response: z.object({ items: z.array(BudgetUtilization) }),
  }),
  putSelfHostedModel: defineRoute({
    id: 'putSelfHostedModel',
    method: 'PUT',
    path: '/api/ai-accounts/{accountId}/self-hosted-model',
    auth: 'admin',
    tag,
    summary: 'Mark an AI account self-hosted with its cost model',
    params: AccountParams,
    body: PutSelfHostedModel,
    response: SelfHostedModel,
  }),
  getSelfHostedModel: defineRoute({
    id: 'getSelfHostedModel',
    method: 'GET',
    path: '/api/ai-accounts/{accountId}/self-hosted-model',
    auth: 'admin',
    tag,
    summary: 'The cost model of a self-hosted account',
    params: AccountParams,
    response: SelfHostedModel,
  }),
  deleteSelfHostedModel: defineRoute({
    id: 'deleteSelfHostedModel',
    method: 'DELETE',
    path: '/api/ai-accounts/{accountId}/self-hosted-model',
    auth: 'admin',
    tag,
    summary: 'Unmark a self-hosted account',
    params: AccountParams,
    response: EmptyObject,
  }),
  selfHostedCosts: defineRoute({
    id: 'selfHostedCosts',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/self-hosted-costs',
    auth: 'admin',
    tag,
    summary: 'Cost per GPU-hour and per token of each self-hosted account for a month',
    params: EnterpriseParams,
    query: MonthQuery,
    response: z.object({ items: z.array(SelfHostedCost) }),
  }),
  getPnlSettings: defineRoute({
    id: 'getPnlSettings',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/pnl-settings',
    auth: 'admin',
    tag,
    summary: 'P&L settings (reference cloud price, invoice terms, budget thresholds)',
    params: EnterpriseParams,
    response: PnlSettings,
  }),
  putPnlSettings: defineRoute({
    id: 'putPnlSettings',
    method: 'PUT',
    path: '/api/enterprises/{enterpriseId}/pnl-settings',
    auth: 'admin',
    tag,
    summary: 'Replace the P&L settings',
    params: EnterpriseParams,
    body: PutPnlSettings,
    response: PnlSettings,
  }),
  generateInvoices: defineRoute({
    id: 'generateInvoices',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/invoices/generate',
    auth: 'admin',
    tag,
    summary: '(Re)generate the draft internal invoices of a month from usage',
    params: EnterpriseParams,
    body: GenerateInvoices,
    response: z.object({ items: z.array(Invoice) }),
  }),
  listInvoices: defineRoute({
    id: 'listInvoices',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/invoices',
    auth: 'admin',
    tag,
    summary: 'Internal invoices of a month',
    params: EnterpriseParams,
    query: MonthQuery,
    response: z.object({ items: z.array(Invoice) }),
  }),
  issueInvoice: defineRoute({
    id: 'issueInvoice',
    method: 'POST',
    path: '/api/invoices/{invoiceId}/issue',
    auth: 'admin',
    tag,
    summary: 'Issue a draft invoice',
    params: InvoiceParams,
    body: EmptyObject,
    response: Invoice,
  }),
  payInvoice: defineRoute({
    id: 'payInvoice',
    method: 'POST',
    path: '/api/invoices/{invoiceId}/pay',
    auth: 'admin',
    tag,
    summary: 'Mark an issued invoice paid',
    params: InvoiceParams,
    body: PayInvoice,
    response: Invoice,
  }),
  invoiceReconciliation: defineRoute({
    id: 'invoiceReconciliation',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/invoices/reconciliation',
    auth: 'admin',
    tag,
    summary: 'Invoices against the platform cost allocated from usage',
    params: EnterpriseParams,
    query: MonthQuery,
    response: z.object({ items: z.array(Reconciliation) }),
  }),
  pnlReport: defineRoute({
    id: 'pnlReport',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/pnl',
    auth: 'admin',
    tag,
    summary: 'P&L summaries of a month, quarter or year',
    params: EnterpriseParams,
    query: PnlReportQuery,
    response: PnlReport,
  }),
  recomputePnl: defineRoute({
    id: 'recomputePnl',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/pnl/recompute',
    auth: 'admin',
    tag,
    summary: 'Refresh the feeds of a month and recompute its P&L now',
    params: EnterpriseParams,
    body: RecomputePnl,
    response: RecomputeResult,
  }),
  costAnalysis: defineRoute({
    id: 'costAnalysis',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/cost-analysis',
    auth: 'admin',
    tag,
    summary: 'Costs by month, category and cost center with trends',
    params: EnterpriseParams,
    query: RangeQuery,
    response: CostAnalysis,
  }),
  roiAnalysis: defineRoute({
    id: 'roiAnalysis',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/roi',
    auth: 'admin',
    tag,
    summary: 'ROI, payback, self-hosted vs cloud and recommendations',
    params: EnterpriseParams,
    query: RoiQuery,
    response: RoiAnalysis,
  }),
};
