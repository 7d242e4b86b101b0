/**
 * P&L facts posted by people: cost entries (one, a batch, or a shared cost split by an allocation
 * strategy) and revenue attributions. Each fact is identified by its source and reference, so
 * posting it again changes nothing; fed facts (gateway, self-hosted, cloud bills, savings) are
 * written by the feeds only.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/pnl';
import { requireEnterpriseAccess, requireFinanceManager, requireVisible } from '../../domain/access';
import { DomainError, invalid, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { decimal } from '../../domain/money';
import { allocationWeights, checkFixedShares, distribute } from '../../domain/pnl/allocation';
import { factId } from '../../domain/pnl/facts';
import { checkDateInPeriod, checkPeriodFields, periodOfDate } from '../../domain/pnl/periods';
import type { AllocationStrategy } from '../../domain/pnl/types';
import type { CostCenterRecord, CostEntryRecord, RevenueRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import { costEntryView, monthOf, revenueView, type PnlDeps } from './deps';
import { usageByCostCenter } from './usage';

type In<T extends z.ZodType> = z.output<T>;

/** The period of a fact: from its date, and checked against the period fields when given. */
const factPeriod = (f: {
  recordDate: string;
  periodYear?: number;
  periodQuarter?: number;
  periodMonth?: number;
}) => {
  const period = periodOfDate(f.recordDate);
  checkPeriodFields({ year: period.periodYear, quarter: period.periodQuarter, month: period.periodMonth });
  if (f.periodYear !== undefined || f.periodQuarter !== undefined || f.periodMonth !== undefined) {
    const given = {
      periodYear: f.periodYear ?? period.periodYear,
      periodQuarter: f.periodQuarter ?? period.periodQuarter,
      periodMonth: f.periodMonth ?? period.periodMonth,
    };
    checkPeriodFields({ year: given.periodYear, quarter: given.periodQuarter, month: given.periodMonth });
    checkDateInPeriod(f.recordDate, given);
  }
  return period;
};

const activeCenter = (centers: Map<string, CostCenterRecord>, id: string): CostCenterRecord => {
  const center = centers.get(id);
  if (!center) throw invalid(`Cost center ${id} is not in this enterprise`, { costCenterId: id });
  if (!center.isActive) throw invalid(`Cost center ${center.code} is inactive`, { costCenterId: id });
  return center;
};

const centersOf = async (deps: PnlDeps, enterpriseId: string) =>
  new Map((await deps.store.listCostCenters(enterpriseId)).map((center) => [center.id, center]));

const costEntryOf = (
  enterpriseId: string,
  body: In<typeof c.CreateCostEntry>,
  createdBy: string,
  now: Date,
): CostEntryRecord => {
  const { periodYear: _y, periodQuarter: _q, periodMonth: _m, sourceReference, ...fields } = body;
  const reference = sourceReference ?? newId(now);
  return {
    ...fields,
    ...factPeriod(body),
    id: factId(enterpriseId, body.sourceSystem, reference),
    enterpriseId,
    sourceReference: reference,
    createdAt: now.toISOString(),
    createdBy,
  };
};

export const createCostEntry = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.CreateCostEntry>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  activeCenter(await centersOf(deps, enterpriseId), body.costCenterId);
  const entry = costEntryOf(enterpriseId, body, ctx.caller.subject, deps.clock.now());
  const { created, existing } = await deps.store.createCostEntries([entry]);
  return costEntryView(created[0] ?? existing[0]!);
};

/**
 * Up to 1,000 entries, all or nothing as far as the caller's input goes: every entry is checked
 * before any is written, and one bad entry rejects the batch with each problem listed. The
 * writes are idempotent by source reference, so should the table fail midway, sending the same
 * batch again completes it without duplicating what was written.
 */
export const importCostEntries = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.ImportCostEntries>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const centers = await centersOf(deps, enterpriseId);
  const now = deps.clock.now();
  const problems: { index: number; message: string }[] = [];
  const entries: CostEntryRecord[] = [];
  const seen = new Map<string, number>();
  body.entries.forEach((input, index) => {
    try {
      const importInput = {
        ...input,
        sourceSystem: 'import' as const,
        sourceReference: input.sourceReference,
      };
      if (!importInput.sourceReference) throw invalid('an imported entry needs a sourceReference');
      activeCenter(centers, input.costCenterId);
      const entry = costEntryOf(enterpriseId, importInput, ctx.caller.subject, now);
      const first = seen.get(entry.id);
      if (first !== undefined) throw invalid(`sourceReference repeats entry ${first}`);
      seen.set(entry.id, index);
      entries.push(entry);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      problems.push({ index, message: err.message });
    }
  });
  if (problems.length > 0)
    throw invalid(`${problems.length} of ${body.entries.length} entries are invalid; nothing was imported`, {
      problems,
    });
  const { created, existing } = await deps.store.createCostEntries(entries);
  return {
    created: created.length,
    alreadyRecorded: existing.length,
    entries: [...created, ...existing].map(costEntryView),
  };
};

export const listCostEntries = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.CostEntryQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const entries = query.costCenterId
    ? (await deps.store.costEntriesOfCenter(query.costCenterId, query.month)).filter(
        (e) => e.enterpriseId === enterpriseId,
      )
    : await deps.store.costEntriesOfEnterprise(enterpriseId, query.month);
  return {
    items: entries
      .filter((e) => !query.category || e.category === query.category)
      .sort((a, b) => a.recordDate.localeCompare(b.recordDate) || a.id.localeCompare(b.id))
      .map(costEntryView),
  };
};

/** Fed costs are replaced by their next feed and allocated ones are part of a split: neither is edited. */
const EDITABLE_SOURCES = new Set(['manual', 'import']);
/** Fed costs follow their source; allocated ones may be deleted (and allocated again). */
const DELETABLE_SOURCES = new Set(['manual', 'import', 'allocation']);

const visibleEntry = async (deps: PnlDeps, ctx: RequestContext, entryId: string) => {
  const entry = await deps.store.getCostEntry(entryId);
  if (!entry) throw notFound('Cost entry', entryId);
  requireVisible(ctx.caller, entry.enterpriseId, 'Cost entry', entryId);
  return entry;
};

export const getCostEntry = async (deps: PnlDeps, ctx: RequestContext, entryId: string) =>
  costEntryView(await visibleEntry(deps, ctx, entryId));

/** Sets the given fields; null removes an optional one. */
const patched = <T extends object>(record: T, patch: Record<string, unknown>): T => {
  const next = { ...record } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as T;
};

export const updateCostEntry = async (
  deps: PnlDeps,
  ctx: RequestContext,
  entryId: string,
  body: In<typeof c.UpdateCostEntry>,
) => {
  const entry = await visibleEntry(deps, ctx, entryId);
  requireFinanceManager(ctx.caller, entry.enterpriseId);
  if (!EDITABLE_SOURCES.has(entry.sourceSystem))
    throw invalid(`A ${entry.sourceSystem} cost cannot be edited`, { sourceSystem: entry.sourceSystem });
  if (body.costCenterId) activeCenter(await centersOf(deps, entry.enterpriseId), body.costCenterId);
  const next = patched(entry, body);
  if (body.recordDate) Object.assign(next, factPeriod({ recordDate: body.recordDate }));
  await deps.store.replaceCostEntry(next, entry);
  return costEntryView(next);
};

export const deleteCostEntry = async (deps: PnlDeps, ctx: RequestContext, entryId: string) => {
  const entry = await visibleEntry(deps, ctx, entryId);
  requireFinanceManager(ctx.caller, entry.enterpriseId);
  if (!DELETABLE_SOURCES.has(entry.sourceSystem))
    throw invalid(`A ${entry.sourceSystem} cost follows its source and cannot be deleted`, {
      sourceSystem: entry.sourceSystem,
    });
  await deps.store.deleteCostEntry(entry);
  return {};
};

/** The centers an allocation strategy names, each once. */
const strategyTargets = (strategy: AllocationStrategy): string[] =>
  strategy.method === 'direct'
    ? [strategy.costCenterId]
    : strategy.method === 'fixed'
      ? strategy.shares.map((s) => s.costCenterId)
      : strategy.costCenterIds;

/**
 * Splits a shared cost across centers by the strategy: one entry per center, amounts to the cent
 * summing exactly to the total (largest remainder), each with its method, basis and percentage.
 */
export const allocateCost = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.AllocateCost>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const centers = await centersOf(deps, enterpriseId);
  const strategy = body.strategy as AllocationStrategy;
  const targets = strategyTargets(strategy);
  if (new Set(targets).size !== targets.length) throw invalid('A cost center is named twice in the strategy');
  for (const id of targets) activeCenter(centers, id);
  if (strategy.method === 'fixed') checkFixedShares(strategy.shares);
  const period = factPeriod(body);
  const usage =
    strategy.method === 'proportional'
      ? await usageByCostCenter(deps, enterpriseId, monthOf(period), [...centers.values()], body.currency)
      : new Map();
  const weights = allocationWeights(strategy, usage);
  if (weights.every((w) => decimal(w.weight).isZero()))
    throw invalid(
      `No ${strategy.method === 'proportional' ? strategy.basis : 'weight'} to allocate by in ${monthOf(period)}`,
    );
  const shares = distribute(body.amount, weights);
  const now = deps.clock.now();
  const entries: CostEntryRecord[] = shares.map((share, i) => {
    const reference = `${body.sourceReference}#${share.key}`;
    return {
      id: factId(enterpriseId, 'allocation', reference),
      enterpriseId,
      costCenterId: share.key,
      recordDate: body.recordDate,
      ...period,
      category: body.category,
      costType: body.costType,
      amount: share.amount,
      currency: body.currency,
      ...(body.description && { description: body.description }),
      allocationMethod: strategy.method,
      allocationBasis: weights[i]!.weight,
      allocationPercentage: share.percentage,
      sourceSystem: 'allocation',
      sourceReference: reference,
      createdAt: now.toISOString(),
      createdBy: ctx.caller.subject,
    };
  });
  const { created, existing } = await deps.store.createCostEntries(entries);
  return { entries: [...created, ...existing].map(costEntryView) };
};

export const createRevenue = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.CreateRevenue>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  activeCenter(await centersOf(deps, enterpriseId), body.costCenterId);
  const now = deps.clock.now();
  const { periodYear: _y, periodQuarter: _q, periodMonth: _m, reference, ...fields } = body;
  const ref = reference ?? newId(now);
  const revenue: RevenueRecord = {
    ...fields,
    ...factPeriod(body),
    id: factId(enterpriseId, 'manual', ref),
    enterpriseId,
    ...(body.baselineAmount !== undefined && {
      incrementalAmount: decimal(body.amount).minus(decimal(body.baselineAmount)).toFixed(),
    }),
    origin: 'manual',
    reference: ref,
    createdAt: now.toISOString(),
    createdBy: ctx.caller.subject,
  };
  const { created, existing } = await deps.store.createRevenues([revenue]);
  return revenueView(created[0] ?? existing[0]!);
};

export const listRevenues = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.RevenueQuery>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const revenues = await deps.store.revenuesOfEnterprise(enterpriseId, query.month);
  return {
    items: revenues
      .filter((r) => !query.costCenterId || r.costCenterId === query.costCenterId)
      .sort((a, b) => a.recordDate.localeCompare(b.recordDate) || a.id.localeCompare(b.id))
      .map(revenueView),
  };
};

const visibleRevenue = async (deps: PnlDeps, ctx: RequestContext, revenueId: string) => {
  const revenue = await deps.store.getRevenue(revenueId);
  if (!revenue) throw notFound('Revenue', revenueId);
  requireVisible(ctx.caller, revenue.enterpriseId, 'Revenue', revenueId);
  return revenue;
};

export const getRevenue = async (deps: PnlDeps, ctx: RequestContext, revenueId: string) =>
  revenueView(await visibleRevenue(deps, ctx, revenueId));

const manualRevenue = async (deps: PnlDeps, ctx: RequestContext, revenueId: string) => {
  const revenue = await visibleRevenue(deps, ctx, revenueId);
  requireFinanceManager(ctx.caller, revenue.enterpriseId);
  if (revenue.origin !== 'manual')
    throw invalid('Computed cost savings follow self-hosted usage and cannot be changed');
  return revenue;
};

export const updateRevenue = async (
  deps: PnlDeps,
  ctx: RequestContext,
  revenueId: string,
  body: In<typeof c.UpdateRevenue>,
) => {
  const revenue = await manualRevenue(deps, ctx, revenueId);
  if (body.costCenterId) activeCenter(await centersOf(deps, revenue.enterpriseId), body.costCenterId);
  const next = patched(revenue, body);
  if (body.recordDate) Object.assign(next, factPeriod({ recordDate: body.recordDate }));
  if (next.baselineAmount === undefined) delete next.incrementalAmount;
  else next.incrementalAmount = decimal(next.amount).minus(decimal(next.baselineAmount)).toFixed();
  await deps.store.replaceRevenue(next, revenue);
  return revenueView(next);
};

export const deleteRevenue = async (deps: PnlDeps, ctx: RequestContext, revenueId: string) => {
  const revenue = await manualRevenue(deps, ctx, revenueId);
  await deps.store.deleteRevenue(revenue);
  return {};
};
