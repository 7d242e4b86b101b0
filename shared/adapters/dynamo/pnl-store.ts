/**
 * The virtual P&L's repository over the single table (entities in pnl-entities.ts). Cost center
 * codes are unique through a guard item written in the same transaction as the center; facts are
 * created conditionally by their deterministic ids (a repeat returns the stored one); every fact
 * write marks its enterprise-month dirty for the rollup.
 */
import type { EntityItem } from 'electrodb';
import { conflict, invalid, notFound } from '../../domain/errors';
import type { CostSource, PeriodType, PnlFigures } from '../../domain/pnl/types';
import type {
  BudgetRecord,
  CostCenterRecord,
  CostEntryRecord,
  DirtyMonth,
  InvoiceRecord,
  PnlSettingsRecord,
  PnlStore,
  PnlSummaryRecord,
  RevenueRecord,
  SelfHostedModelRecord,
} from '../../ports/pnl';
import { assertCommitted } from './electro';
import { isConditionFailure } from './errors';
import type { PnlService } from './pnl-entities';

type Entities = PnlService['entities'];
type Item<K extends keyof Entities> = EntityItem<Entities[K]>;

/**
 * Items per Query page on partitions that may grow (a month's facts, summaries, dirty marks):
 * without a Limit, DynamoDB Local reads the rest of the partition for every page (bill-store.ts).
 */
const QUERY_PAGE_ITEMS = 1000;
const ALL_PAGES = { pages: 'all', limit: QUERY_PAGE_ITEMS } as const;
/** Single conditional writes in flight at once. */
const WRITE_CONCURRENCY = 25;
const BATCH_RETRIES = 8;
/** DynamoDB's limit of items in one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

const codeScope = (enterpriseId: string) => `CCCODE#${enterpriseId}`;
const pad2 = (n: number) => String(n).padStart(2, '0');
const monthOf = (fact: { periodYear: number; periodMonth: number }) =>
  `${fact.periodYear}-${pad2(fact.periodMonth)}`;
const latest = (times: string[]): string => times.reduce((a, b) => (b > a ? b : a));

/** The months a budget covers: one for a month, three for a quarter, twelve for a year. */
const budgetMonths = ({ budgetYear, periodType, budgetPeriod }: BudgetRecord): string[] => {
  const first = periodType === 'month' ? budgetPeriod : periodType === 'quarter' ? 3 * budgetPeriod - 2 : 1;
  const count = periodType === 'month' ? 1 : periodType === 'quarter' ? 3 : 12;
  return Array.from({ length: count }, (_, i) => `${budgetYear}-${pad2(first + i)}`);
};

const periodLabel = ({ budgetYear, periodType, budgetPeriod }: BudgetRecord) =>
  periodType === 'year'
    ? `${budgetYear}`
    : periodType === 'quarter'
      ? `${budgetYear}-Q${budgetPeriod}`
      : `${budgetYear}-${pad2(budgetPeriod)}`;

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
const mapBounded = async <T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/**
 * A batch write (put or delete), writing again what DynamoDB left unprocessed: ElectroDB hands the
 * unprocessed puts back as items and the unprocessed deletes back as keys, both fit to send again.
 */
const batchWrite = async <T>(items: T[], write: (batch: T[]) => Promise<{ unprocessed: unknown[] }>) => {
  let pending = items;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === BATCH_RETRIES)
      throw new Error(`${pending.length} items still unprocessed after ${attempt} tries`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const { unprocessed } = await write(pending);
    pending = unprocessed as T[];
  }
};

/** `null` fields are stored absent. */
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const orAbsent = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** JSON with sorted keys and no undefined values: equal for equal records, whatever their key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
/** Same record apart from its creation time. */
const sameFact = <T extends { createdAt: string }>(a: T, b: T) =>
  canonical({ ...a, createdAt: '' }) === canonical({ ...b, createdAt: '' });

// ---------- records <-> items ----------

const fromCenter = ({ id, parentId, budgetLimit, ...rest }: CostCenterRecord) => ({
  ...rest,
  costCenterId: id,
  parentId: orAbsent(parentId),
  budgetLimit: orAbsent(budgetLimit),
});
const toCenter = ({
  costCenterId,
  parentId,
  budgetLimit,
  ...rest
}: Item<'costCenter'>): CostCenterRecord => ({
  ...rest,
  id: costCenterId,
  parentId: orNull(parentId),
  budgetLimit: orNull(budgetLimit),
});

const fromEntry = ({ id, costDetails, ...rest }: CostEntryRecord) => ({
  ...rest,
  entryId: id,
  month: monthOf(rest),
  costDetails: costDetails === undefined ? undefined : JSON.stringify(costDetails),
});
const toEntry = ({ entryId, month: _month, costDetails, ...rest }: Item<'costEntry'>): CostEntryRecord => ({
  ...rest,
  id: entryId,
  allocationMethod: rest.allocationMethod as CostEntryRecord['allocationMethod'],
  ...(costDetails === undefined ? {} : { costDetails: JSON.parse(costDetails) as Record<string, unknown> }),
});

const fromRevenue = ({ id, revenueDetails, ...rest }: RevenueRecord) => ({
  ...rest,
  revenueId: id,
  month: monthOf(rest),
  revenueDetails: revenueDetails === undefined ? undefined : JSON.stringify(revenueDetails),
});
const toRevenue = ({
  revenueId,
  month: _month,
  revenueDetails,
  ...rest
}: Item<'revenue'>): RevenueRecord => ({
  ...rest,
  id: revenueId,
  ...(revenueDetails === undefined
    ? {}
    : { revenueDetails: JSON.parse(revenueDetails) as Record<string, unknown> }),
});

const fromBudget = ({ categories, ...rest }: BudgetRecord) => ({
  ...rest,
  categories: JSON.stringify(categories),
});
const toBudget = ({ categories, ...rest }: Item<'budget'>): BudgetRecord => ({
  ...rest,
  categories: JSON.parse(categories) as BudgetRecord['categories'],
});
const budgetKey = (b: Pick<BudgetRecord, 'costCenterId' | 'budgetYear' | 'periodType' | 'budgetPeriod'>) => ({
  costCenterId: b.costCenterId,
  budgetYear: b.budgetYear,
  periodType: b.periodType,
  budgetPeriod: b.budgetPeriod,
});

const fromInvoice = ({ id, lines, ...rest }: InvoiceRecord) => ({
  ...rest,
  invoiceId: id,
  lines: JSON.stringify(lines),
});
const toInvoice = ({ invoiceId, lines, ...rest }: Item<'invoice'>): InvoiceRecord => ({
  ...rest,
  id: invoiceId,
  lines: JSON.parse(lines) as InvoiceRecord['lines'],
  allocationMethod: rest.allocationMethod as InvoiceRecord['allocationMethod'],
});

const viewOf = (isConsolidated: boolean) => (isConsolidated ? 'C' : 'O') as 'C' | 'O';
const fromSummary = ({
  enterpriseId,
  periodKey,
  costCenterId,
  currency,
  isConsolidated,
  periodType,
  periodYear,
  periodQuarter,
  periodMonth,
  generatedAt,
  generatedBy,
  ...figures
}: PnlSummaryRecord) => ({
  enterpriseId,
  periodKey,
  costCenterId,
  currency,
  view: viewOf(isConsolidated),
  periodType,
  periodYear,
  periodQuarter: orAbsent(periodQuarter),
  periodMonth: orAbsent(periodMonth),
  figures: JSON.stringify(figures),
  generatedAt,
  generatedBy,
});
const toSummary = ({
  view,
  periodQuarter,
  periodMonth,
  figures,
  ...rest
}: Item<'pnlSummary'>): PnlSummaryRecord => ({
  ...(JSON.parse(figures) as Omit<PnlFigures, 'currency'>),
  ...rest,
  isConsolidated: view === 'C',
  periodQuarter: orNull(periodQuarter),
  periodMonth: orNull(periodMonth),
});
const summaryKey = (s: { costCenterId: string; currency: string; view: 'C' | 'O' }) =>
  `${s.costCenterId}#${s.currency}#${s.view}`;

const toSettings = ({ referenceCloudPricePerMillion, ...rest }: Item<'pnlSettings'>): PnlSettingsRecord => ({
  ...rest,
  referenceCloudPricePerMillion: orNull(referenceCloudPricePerMillion),
});
const toModel = ({ hoursPerMonth, ...rest }: Item<'selfHostedModel'>): SelfHostedModelRecord => ({
  ...rest,
  hoursPerMonth: orNull(hoursPerMonth),
});

export class DynamoPnlStore implements PnlStore {
  private readonly e: Entities;

  constructor(private readonly db: PnlService) {
    this.e = db.entities;
  }

  // ---------- cost centers ----------

  async createCostCenter(center: CostCenterRecord): Promise<void> {
    const result = await this.db.transaction
      .write(({ uniqueGuard, costCenter }) => [
        uniqueGuard
          .create({ scope: codeScope(center.enterpriseId), value: center.code, ownerId: center.id })
          .commit(),
        costCenter.create(fromCenter(center)).commit(),
      ])
      .go();
    assertCommitted(result, (index) =>
      index === 0
        ? conflict(`Cost center code "${center.code}" is already used in this enterprise`, {
            code: center.code,
          })
        : conflict(`Cost center ${center.id} already exists`),
    );
  }

  async getCostCenter(id: string): Promise<CostCenterRecord | null> {
    const { data } = await this.e.costCenter.get({ costCenterId: id }).go();
    return data ? toCenter(data) : null;
  }

  async listCostCenters(enterpriseId: string): Promise<CostCenterRecord[]> {
    const { data } = await this.e.costCenter.query.byEnterprise({ enterpriseId }).go(ALL_PAGES);
    return data.map(toCenter);
  }

  /**
   * One transaction: every center's put is conditional on its `updatedAt` as read; a code that
   * changes hands moves its guard (a code released and taken in the same change, as in a swap,
   * has its guard's owner rewritten instead, since a transaction may touch an item only once).
   */
  async updateCostCenters(changes: { before: CostCenterRecord; after: CostCenterRecord }[]): Promise<void> {
    if (changes.length === 0) return;
    const ids = new Set<string>();
    for (const { before, after } of changes) {
      if (before.id !== after.id || before.enterpriseId !== after.enterpriseId)
        throw new Error(`A cost center change may not change its id or enterprise (${before.id})`);
      if (ids.has(before.id)) throw new Error(`Cost center ${before.id} changed twice in one update`);
      ids.add(before.id);
    }
    // Codes leaving and joining a center, per enterprise + code.
    const released = new Map<string, { enterpriseId: string; code: string; ownerId: string }>();
    const claimed = new Map<string, { enterpriseId: string; code: string; ownerId: string }>();
    for (const { before, after } of changes) {
      if (before.code === after.code) continue;
      released.set(`${before.enterpriseId}#${before.code}`, {
        enterpriseId: before.enterpriseId,
        code: before.code,
        ownerId: before.id,
      });
      const key = `${after.enterpriseId}#${after.code}`;
      if (claimed.has(key))
        throw conflict(`Cost center code "${after.code}" is already used in this enterprise`, {
          code: after.code,
        });
      claimed.set(key, { enterpriseId: after.enterpriseId, code: after.code, ownerId: after.id });
    }
    // One planned write per transaction item, with what its condition failing means.
    type Guard = { enterpriseId: string; code: string; ownerId: string };
    type Op =
      | { kind: 'center'; before: CostCenterRecord; after: CostCenterRecord }
      | { kind: 'claim'; claim: Guard }
      | { kind: 'handOver'; claim: Guard; release: Guard }
      | { kind: 'release'; release: Guard };
    const plan: Op[] = changes.map(({ before, after }) => ({ kind: 'center' as const, before, after }));
    for (const [key, claim] of claimed) {
      const release = released.get(key);
      // A code released and taken in this same change (a swap): its guard changes owner.
      plan.push(release ? { kind: 'handOver', claim, release } : { kind: 'claim', claim });
    }
    for (const [key, release] of released) if (!claimed.has(key)) plan.push({ kind: 'release', release });
    if (plan.length > MAX_TRANSACTION_ITEMS)
      throw invalid(
        `The change writes ${plan.length} items, more than the ${MAX_TRANSACTION_ITEMS} of one transaction: subtree too large`,
      );
    const guardKey = (g: Guard) => ({ scope: codeScope(g.enterpriseId), value: g.code });
    const result = await this.db.transaction
      .write(({ costCenter, uniqueGuard }) =>
        plan.map((op) => {
          switch (op.kind) {
            case 'center':
              return costCenter
                .put(fromCenter(op.after))
                .where((a, { eq }) => eq(a.updatedAt, op.before.updatedAt))
                .commit();
            case 'claim':
              return uniqueGuard.create({ ...guardKey(op.claim), ownerId: op.claim.ownerId }).commit();
            case 'handOver':
              return uniqueGuard
                .put({ ...guardKey(op.claim), ownerId: op.claim.ownerId })
                .where((a, { eq }) => eq(a.ownerId, op.release.ownerId))
                .commit();
            case 'release':
              return uniqueGuard
                .delete(guardKey(op.release))
                .where((a, { eq }) => eq(a.ownerId, op.release.ownerId))
                .commit();
          }
        }),
      )
      .go();
    assertCommitted(result, (index) => {
      const op = plan[index];
      if (op?.kind === 'claim')
        return conflict(`Cost center code "${op.claim.code}" is already used in this enterprise`, {
          code: op.claim.code,
        });
      const id = op?.kind === 'center' ? op.after.id : op?.release.ownerId;
      return conflict(`Cost center ${id} was changed meanwhile; reload and try again`, { id });
    });
  }

  /** Idempotent; CONFLICT when the center changed since it was read (its code may have moved). */
  async deleteCostCenter(center: CostCenterRecord): Promise<void> {
    const result = await this.db.transaction
      .write(({ costCenter, uniqueGuard }) => [
        costCenter
          .delete({ costCenterId: center.id })
          .where(
            (a, { eq, notExists }) => `${notExists(a.updatedAt)} OR ${eq(a.updatedAt, center.updatedAt)}`,
          )
          .commit(),
        uniqueGuard
          .delete({ scope: codeScope(center.enterpriseId), value: center.code })
          .where((a, { eq, notExists }) => `${notExists(a.ownerId)} OR ${eq(a.ownerId, center.id)}`)
          .commit(),
      ])
      .go();
    assertCommitted(result, () =>
      conflict(`Cost center ${center.id} was changed meanwhile; reload and try again`, { id: center.id }),
    );
  }

  // ---------- cost entries ----------

  async createCostEntries(
    entries: CostEntryRecord[],
  ): Promise<{ created: CostEntryRecord[]; existing: CostEntryRecord[] }> {
    const outcomes = await mapBounded(entries, WRITE_CONCURRENCY, async (entry) => {
      try {
        await this.e.costEntry.create(fromEntry(entry)).go({ response: 'none' });
        return { created: entry };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const stored = await this.getCostEntry(entry.id);
        if (!stored) throw new Error(`Cost entry ${entry.id} exists but could not be read`, { cause: err });
        return { existing: stored };
      }
    });
    const created = outcomes.flatMap((o) => (o.created ? [o.created] : []));
    const existing = outcomes.flatMap((o) => (o.existing ? [o.existing] : []));
    await this.markFactsDirty(created);
    return { created, existing };
  }

  async getCostEntry(id: string): Promise<CostEntryRecord | null> {
    const { data } = await this.e.costEntry.get({ entryId: id }).go();
    return data ? toEntry(data) : null;
  }

  async replaceCostEntry(entry: CostEntryRecord, previous: CostEntryRecord): Promise<void> {
    try {
      await this.e.costEntry
        .put(fromEntry(entry))
        .where(({ entryId }, { exists }) => exists(entryId))
        .go({ response: 'none' });
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('Cost entry', entry.id);
      throw err;
    }
    await this.markDirty(
      entry.enterpriseId,
      [...new Set([monthOf(previous), monthOf(entry)])],
      new Date().toISOString(),
    );
  }

  async deleteCostEntry(entry: CostEntryRecord): Promise<void> {
    await this.e.costEntry.delete({ entryId: entry.id }).go({ response: 'none' });
    await this.markDirty(entry.enterpriseId, [monthOf(entry)], new Date().toISOString());
  }

  async costEntriesOfCenter(costCenterId: string, month: string): Promise<CostEntryRecord[]> {
    const { data } = await this.e.costEntry.query.byCenterMonth({ costCenterId, month }).go(ALL_PAGES);
    return data.map(toEntry);
  }

  async costEntriesOfEnterprise(enterpriseId: string, month: string): Promise<CostEntryRecord[]> {
    const { data } = await this.e.costEntry.query.byEnterpriseMonth({ enterpriseId, month }).go(ALL_PAGES);
    return data.map(toEntry);
  }

  /**
   * The dirty mark's time is the latest `createdAt` of `entries` (the feed run's time), or now when
   * the feed no longer has any entry for the month.
   */
  async replaceFedCosts(
    enterpriseId: string,
    month: string,
    sourceSystem: CostSource,
    entries: CostEntryRecord[],
  ): Promise<boolean> {
    for (const entry of entries)
      if (
        entry.enterpriseId !== enterpriseId ||
        monthOf(entry) !== month ||
        entry.sourceSystem !== sourceSystem
      )
        throw new Error(`Cost entry ${entry.id} is not a ${sourceSystem} entry of ${enterpriseId} ${month}`);
    const { data } = await this.e.costEntry.query
      .byEnterpriseMonth({ enterpriseId, month, sourceSystem })
      .go(ALL_PAGES);
    const stored = data.filter((e) => e.sourceSystem === sourceSystem).map(toEntry);
    const { changed, stale } = diffFacts(stored, entries);
    if (changed.length === 0 && stale.length === 0) return false;
    await batchWrite(changed.map(fromEntry), (batch) => this.e.costEntry.put(batch).go());
    await batchWrite(
      stale.map((e) => ({ entryId: e.id })),
      (batch) => this.e.costEntry.delete(batch).go(),
    );
    await this.markDirty(enterpriseId, [month], markTime(entries));
    return true;
  }

  // ---------- revenues ----------

  async createRevenues(
    revenues: RevenueRecord[],
  ): Promise<{ created: RevenueRecord[]; existing: RevenueRecord[] }> {
    const outcomes = await mapBounded(revenues, WRITE_CONCURRENCY, async (revenue) => {
      try {
        await this.e.revenue.create(fromRevenue(revenue)).go({ response: 'none' });
        return { created: revenue };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const stored = await this.getRevenue(revenue.id);
        if (!stored) throw new Error(`Revenue ${revenue.id} exists but could not be read`, { cause: err });
        return { existing: stored };
      }
    });
    const created = outcomes.flatMap((o) => (o.created ? [o.created] : []));
    const existing = outcomes.flatMap((o) => (o.existing ? [o.existing] : []));
    await this.markFactsDirty(created);
    return { created, existing };
  }

  async getRevenue(id: string): Promise<RevenueRecord | null> {
    const { data } = await this.e.revenue.get({ revenueId: id }).go();
    return data ? toRevenue(data) : null;
  }

  async replaceRevenue(revenue: RevenueRecord, previous: RevenueRecord): Promise<void> {
    try {
      await this.e.revenue
        .put(fromRevenue(revenue))
        .where(({ revenueId }, { exists }) => exists(revenueId))
        .go({ response: 'none' });
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('Revenue', revenue.id);
      throw err;
    }
    await this.markDirty(
      revenue.enterpriseId,
      [...new Set([monthOf(previous), monthOf(revenue)])],
      new Date().toISOString(),
    );
  }

  async deleteRevenue(revenue: RevenueRecord): Promise<void> {
    await this.e.revenue.delete({ revenueId: revenue.id }).go({ response: 'none' });
    await this.markDirty(revenue.enterpriseId, [monthOf(revenue)], new Date().toISOString());
  }

  async revenuesOfEnterprise(enterpriseId: string, month: string): Promise<RevenueRecord[]> {
    const { data } = await this.e.revenue.query.byEnterpriseMonth({ enterpriseId, month }).go(ALL_PAGES);
    return data.map(toRevenue);
  }

  /** Like replaceFedCosts. */
  async replaceFedRevenues(
    enterpriseId: string,
    month: string,
    origin: RevenueRecord['origin'],
    revenues: RevenueRecord[],
  ): Promise<boolean> {
    for (const revenue of revenues)
      if (revenue.enterpriseId !== enterpriseId || monthOf(revenue) !== month || revenue.origin !== origin)
        throw new Error(`Revenue ${revenue.id} is not a ${origin} revenue of ${enterpriseId} ${month}`);
    const { data } = await this.e.revenue.query
      .byEnterpriseMonth({ enterpriseId, month, origin })
      .go(ALL_PAGES);
    const stored = data.filter((r) => r.origin === origin).map(toRevenue);
    const { changed, stale } = diffFacts(stored, revenues);
    if (changed.length === 0 && stale.length === 0) return false;
    await batchWrite(changed.map(fromRevenue), (batch) => this.e.revenue.put(batch).go());
    await batchWrite(
      stale.map((r) => ({ revenueId: r.id })),
      (batch) => this.e.revenue.delete(batch).go(),
    );
    await this.markDirty(enterpriseId, [month], markTime(revenues));
    return true;
  }

  // ---------- budgets ----------

  async createBudget(budget: BudgetRecord): Promise<void> {
    try {
      await this.e.budget.create(fromBudget(budget)).go({ response: 'none' });
    } catch (err) {
      if (isConditionFailure(err))
        throw conflict(`Cost center ${budget.costCenterId} already has a budget for ${periodLabel(budget)}`);
      throw err;
    }
    await this.markDirty(budget.enterpriseId, budgetMonths(budget), budget.updatedAt);
  }

  async getBudget(
    costCenterId: string,
    budgetYear: number,
    periodType: PeriodType,
    budgetPeriod: number,
  ): Promise<BudgetRecord | null> {
    const { data } = await this.e.budget.get({ costCenterId, budgetYear, periodType, budgetPeriod }).go();
    return data ? toBudget(data) : null;
  }

  async replaceBudget(budget: BudgetRecord, expectedUpdatedAt: string): Promise<void> {
    try {
      await this.e.budget
        .put(fromBudget(budget))
        .where((a, { eq }) => eq(a.updatedAt, expectedUpdatedAt))
        .go({ response: 'none' });
    } catch (err) {
      if (isConditionFailure(err))
        throw conflict(
          `The ${periodLabel(budget)} budget of cost center ${budget.costCenterId} was changed meanwhile; reload and try again`,
        );
      throw err;
    }
    await this.markDirty(budget.enterpriseId, budgetMonths(budget), budget.updatedAt);
  }

  async deleteBudget(budget: BudgetRecord): Promise<void> {
    await this.e.budget.delete(budgetKey(budget)).go({ response: 'none' });
    // Now, not the budget's updatedAt: a mark still pending from its last write must change.
    await this.markDirty(budget.enterpriseId, budgetMonths(budget), new Date().toISOString());
  }

  async budgetsOfEnterprise(enterpriseId: string, budgetYear: number): Promise<BudgetRecord[]> {
    const { data } = await this.e.budget.query.byEnterpriseYear({ enterpriseId, budgetYear }).go(ALL_PAGES);
    return data.map(toBudget);
  }

  async activeBudgets(): Promise<BudgetRecord[]> {
    const { data } = await this.e.budget.query.byStatus({ status: 'active' }).go(ALL_PAGES);
    return data.map(toBudget);
  }

  // ---------- internal invoices ----------

  /**
   * Deletes the month's drafts that are not in `drafts` (conditional on still being a draft) and
   * puts `drafts`, each conditional on no invoice with its id or a draft one: an issued or paid
   * invoice is never overwritten or removed.
   */
  async replaceDraftInvoices(enterpriseId: string, month: string, drafts: InvoiceRecord[]): Promise<void> {
    for (const draft of drafts)
      if (draft.enterpriseId !== enterpriseId || draft.month !== month || draft.status !== 'draft')
        throw new Error(`Invoice ${draft.id} is not a draft of ${enterpriseId} ${month}`);
    const wanted = new Set(drafts.map((d) => d.id));
    const { data } = await this.e.invoice.query
      .byEnterpriseMonth({ enterpriseId, month })
      .go({ ...ALL_PAGES, attributes: ['invoiceId', 'status'] });
    const stale = data.filter((i) => i.status === 'draft' && !wanted.has(i.invoiceId));
    await mapBounded(stale, WRITE_CONCURRENCY, async ({ invoiceId }) => {
      try {
        await this.e.invoice
          .delete({ invoiceId })
          .where((a, { eq }) => eq(a.status, 'draft'))
          .go({ response: 'none' });
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // issued meanwhile: it stays
      }
    });
    await mapBounded(drafts, WRITE_CONCURRENCY, async (draft) => {
      try {
        await this.e.invoice
          .put(fromInvoice(draft))
          .where((a, { eq, notExists }) => `${notExists(a.invoiceId)} OR ${eq(a.status, 'draft')}`)
          .go({ response: 'none' });
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // already issued or paid: it stays as it is
      }
    });
  }

  async invoicesOf(enterpriseId: string, month: string): Promise<InvoiceRecord[]> {
    const { data } = await this.e.invoice.query.byEnterpriseMonth({ enterpriseId, month }).go(ALL_PAGES);
    return data.map(toInvoice);
  }

  async getInvoice(id: string): Promise<InvoiceRecord | null> {
    const { data } = await this.e.invoice.get({ invoiceId: id }).go();
    return data ? toInvoice(data) : null;
  }

  async setInvoiceStatus(
    id: string,
    from: InvoiceRecord['status'],
    to: InvoiceRecord['status'],
    paidDate?: string,
  ): Promise<InvoiceRecord> {
    try {
      const { data } = await this.e.invoice
        .patch({ invoiceId: id })
        .set({ status: to, ...(paidDate === undefined ? {} : { paidDate }) })
        .where((a, { eq }) => eq(a.status, from))
        .go({ response: 'all_new' });
      return toInvoice(data as Item<'invoice'>);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const current = await this.getInvoice(id);
      if (!current) throw notFound('Invoice', id);
      throw conflict(`Invoice ${id} is ${current.status}, not ${from}`, { status: current.status });
    }
  }

  // ---------- P&L summaries ----------

  async replaceSummaries(
    enterpriseId: string,
    periodKeys: string[],
    summaries: PnlSummaryRecord[],
  ): Promise<void> {
    const keys = new Set(periodKeys);
    const wanted = new Map<string, Set<string>>([...keys].map((k) => [k, new Set<string>()]));
    const items = summaries.map(fromSummary);
    for (const item of items) {
      const ofPeriod = wanted.get(item.periodKey);
      if (item.enterpriseId !== enterpriseId || !ofPeriod)
        throw new Error(
          `Summary ${item.periodKey} of ${item.enterpriseId} is not one of the periods replaced`,
        );
      ofPeriod.add(summaryKey(item));
    }
    const stale: {
      enterpriseId: string;
      periodKey: string;
      costCenterId: string;
      currency: string;
      view: 'C' | 'O';
    }[] = [];
    for (const [periodKey, ofPeriod] of wanted) {
      const { data } = await this.e.pnlSummary.query
        .byPeriod({ enterpriseId, periodKey })
        .go({ ...ALL_PAGES, attributes: ['enterpriseId', 'periodKey', 'costCenterId', 'currency', 'view'] });
      stale.push(...data.filter((s) => !ofPeriod.has(summaryKey(s))));
    }
    await batchWrite(items, (batch) => this.e.pnlSummary.put(batch).go());
    await batchWrite(stale, (batch) => this.e.pnlSummary.delete(batch).go());
  }

  async summariesOfPeriod(enterpriseId: string, periodKey: string): Promise<PnlSummaryRecord[]> {
    const { data } = await this.e.pnlSummary.query.byPeriod({ enterpriseId, periodKey }).go(ALL_PAGES);
    return data.map(toSummary);
  }

  // ---------- dirty months ----------

  /** An unconditional put: a later mark overwrites the earlier one (and so fails its pending clear). */
  async markDirty(enterpriseId: string, months: string[], at: string): Promise<void> {
    const marks = [...new Set(months)].map((month) => ({ enterpriseId, month, markedAt: at }));
    if (marks.length === 0) return;
    await batchWrite(marks, (batch) => this.e.dirtyMonth.put(batch).go());
  }

  async dirtyMonths(): Promise<DirtyMonth[]> {
    const { data } = await this.e.dirtyMonth.query.byMonth({}).go(ALL_PAGES);
    return data;
  }

  async clearDirty(mark: DirtyMonth): Promise<boolean> {
    try {
      await this.e.dirtyMonth
        .delete({ enterpriseId: mark.enterpriseId, month: mark.month })
        .where((a, { eq }) => eq(a.markedAt, mark.markedAt))
        .go({ response: 'none' });
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  // ---------- settings and self-hosted models ----------

  async getSettings(enterpriseId: string): Promise<PnlSettingsRecord | null> {
    const { data } = await this.e.pnlSettings.get({ enterpriseId }).go();
    return data ? toSettings(data) : null;
  }

  async putSettings({ referenceCloudPricePerMillion, ...rest }: PnlSettingsRecord): Promise<void> {
    await this.e.pnlSettings
      .put({ ...rest, referenceCloudPricePerMillion: orAbsent(referenceCloudPricePerMillion) })
      .go({ response: 'none' });
  }

  async putSelfHostedModel({ hoursPerMonth, ...rest }: SelfHostedModelRecord): Promise<void> {
    await this.e.selfHostedModel
      .put({ ...rest, hoursPerMonth: orAbsent(hoursPerMonth) })
      .go({ response: 'none' });
  }

  async getSelfHostedModel(accountId: string): Promise<SelfHostedModelRecord | null> {
    const { data } = await this.e.selfHostedModel.get({ accountId }).go();
    return data ? toModel(data) : null;
  }

  async selfHostedModels(enterpriseId: string): Promise<SelfHostedModelRecord[]> {
    const { data } = await this.e.selfHostedModel.query.byEnterprise({ enterpriseId }).go(ALL_PAGES);
    return data.map(toModel);
  }

  async deleteSelfHostedModel(accountId: string): Promise<void> {
    await this.e.selfHostedModel.delete({ accountId }).go({ response: 'none' });
  }

  // ---------- helpers ----------

  /** Marks the months of newly created facts, at the latest of their creation times. */
  private async markFactsDirty(
    created: { enterpriseId: string; periodYear: number; periodMonth: number; createdAt: string }[],
  ): Promise<void> {
    const byEnterprise = new Map<string, typeof created>();
    for (const fact of created)
      byEnterprise.set(fact.enterpriseId, [...(byEnterprise.get(fact.enterpriseId) ?? []), fact]);
    for (const [enterpriseId, facts] of byEnterprise)
      await this.markDirty(enterpriseId, facts.map(monthOf), latest(facts.map((f) => f.createdAt)));
  }
}

/** What to put (new or changed, by id, ignoring createdAt) and what to delete (no longer wanted). */
const diffFacts = <T extends { id: string; createdAt: string }>(stored: T[], wanted: T[]) => {
  const storedById = new Map(stored.map((s) => [s.id, s]));
  // A repeated id: the last one stands (a batch may not write one item twice).
  const wantedById = new Map(wanted.map((w) => [w.id, w]));
  const wantedIds = new Set(wantedById.keys());
  const changed = [...wantedById.values()].filter((w) => {
    const s = storedById.get(w.id);
    return !s || !sameFact(s, w);
  });
  const stale = stored.filter((s) => !wantedIds.has(s.id));
  return { changed, stale };
};

/** The latest createdAt of a feed's entries, or now when it has none. */
const markTime = (facts: { createdAt: string }[]): string =>
  facts.length > 0 ? latest(facts.map((f) => f.createdAt)) : new Date().toISOString();
