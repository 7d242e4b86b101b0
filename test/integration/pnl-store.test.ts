/** The virtual P&L store against DynamoDB Local: uniqueness, conditional writes, feeds, dirty months. */
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildPnlEntities } from '../../shared/adapters/dynamo/pnl-entities';
import { DynamoPnlStore } from '../../shared/adapters/dynamo/pnl-store';
import { DomainError } from '../../shared/domain/errors';
import type { CostsByCategory, RevenuesBySource } from '../../shared/domain/pnl/types';
import type {
  BudgetRecord,
  CostCenterRecord,
  CostEntryRecord,
  InvoiceRecord,
  PnlSummaryRecord,
  RevenueRecord,
} from '../../shared/ports/pnl';
import { freshTable } from '../factories/dynamo-table';

let store: DynamoPnlStore;

beforeAll(async () => {
  const tableName = await freshTable('pnl');
  store = new DynamoPnlStore(buildPnlEntities(dynamoDocumentClient(), tableName));
});

/** The DomainError code a call fails with. */
const codeOf = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('expected the call to fail');
};

const T0 = '2026-11-01T00:00:00.000Z';

const center = (id: string, over: Partial<CostCenterRecord> = {}): CostCenterRecord => ({
  id,
  enterpriseId: 'E1',
  code: id.toUpperCase(),
  name: `Center ${id}`,
  parentId: null,
  level: 0,
  path: `/${id}`,
  hasBudgetAuthority: true,
  budgetLimit: null,
  currency: 'USD',
  isActive: true,
  isPlatform: false,
  groupIds: [],
  projectCodes: [],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const entry = (id: string, over: Partial<CostEntryRecord> = {}): CostEntryRecord => ({
  id,
  enterpriseId: 'E1',
  costCenterId: 'cc-a',
  recordDate: '2026-11-05',
  periodYear: 2026,
  periodQuarter: 4,
  periodMonth: 11,
  category: 'infrastructure',
  costType: 'variable',
  amount: '12.000000001',
  currency: 'USD',
  costDetails: { tokens: 1234, note: '', nested: { rate: '0.000001', list: [1, null] } },
  sourceSystem: 'manual',
  sourceReference: `ref-${id}`,
  createdAt: '2026-11-05T10:00:00.000Z',
  createdBy: 'user-1',
  ...over,
});

const revenue = (id: string, over: Partial<RevenueRecord> = {}): RevenueRecord => ({
  id,
  enterpriseId: 'E1',
  costCenterId: 'cc-a',
  recordDate: '2026-11-05',
  periodYear: 2026,
  periodQuarter: 4,
  periodMonth: 11,
  revenueSource: 'cost_savings',
  amount: '3.5',
  currency: 'USD',
  attributionMethod: 'computed',
  attributionConfidence: '1',
  contributionRatio: '1',
  origin: 'cost_savings',
  reference: `ref-${id}`,
  createdAt: '2026-11-06T00:00:00.000Z',
  createdBy: 'system',
  ...over,
});

const budget = (over: Partial<BudgetRecord> = {}): BudgetRecord => ({
  costCenterId: 'cc-a',
  enterpriseId: 'E1',
  budgetYear: 2026,
  periodType: 'quarter',
  budgetPeriod: 4,
  totalBudget: '1000.50',
  currency: 'USD',
  categories: { hardware: '500', power: '0.000000001' },
  status: 'active',
  approvalLevel: 1,
  createdAt: T0,
  createdBy: 'user-1',
  updatedAt: T0,
  ...over,
});

const invoice = (id: string, over: Partial<InvoiceRecord> = {}): InvoiceRecord => ({
  id,
  billingId: `IB-2026-11-${id}`,
  enterpriseId: 'E1',
  month: '2026-11',
  billingDate: '2026-12-01',
  providerCostCenterId: 'cc-platform',
  consumerCostCenterId: `cc-${id}`,
  currency: 'USD',
  lines: [
    {
      serviceType: 'openai',
      serviceCategory: 'llm',
      description: 'tokens',
      usageMetric: 'tokens',
      usageQuantity: '1000000',
      unitRate: '0.0000012345',
      baseAmount: '1.2345',
    },
  ],
  allocationMethod: 'proportional',
  baseAmount: '1.2345',
  discountAmount: '0',
  taxAmount: '0',
  totalAmount: '1.2345',
  status: 'draft',
  dueDate: '2026-12-31',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'system',
  ...over,
});

const zeroCosts: CostsByCategory = {
  hardware: '0',
  infrastructure: '0.000000001',
  power: '0',
  personnel: '0',
  maintenance: '0',
  software: '0',
  cloud_fallback: '0',
  other: '0',
};
const zeroRevenues: RevenuesBySource = {
  membership: '0',
  alpha_engine: '0',
  api_usage: '0',
  cost_savings: '0',
  other: '0',
};

const summary = (costCenterId: string, over: Partial<PnlSummaryRecord> = {}): PnlSummaryRecord => ({
  enterpriseId: 'E1',
  costCenterId,
  periodType: 'month',
  periodKey: '2026-11',
  periodYear: 2026,
  periodQuarter: 4,
  periodMonth: 11,
  isConsolidated: false,
  generatedAt: '2026-12-01T00:00:00.000Z',
  generatedBy: 'rollup',
  currency: 'USD',
  costs: zeroCosts,
  totalCosts: '0.000000001',
  revenues: zeroRevenues,
  totalRevenues: '0',
  grossProfit: '-0.000000001',
  netProfit: '-0.000000001',
  profitMargin: null,
  roi: '-1.000000',
  costPerToken: '0.000000000001',
  revenuePerUser: null,
  costSavingsRatio: null,
  budgetTotal: null,
  budgetVarianceCost: null,
  budgetVarianceRevenue: null,
  budgetUtilization: null,
  totalTokensProcessed: 1000,
  totalRequestsServed: 3,
  activeUsersCount: 0,
  ...over,
});

describe('pnl store: cost centers', () => {
  it('keeps codes unique per enterprise, and frees a code when its center is deleted', async () => {
    const a = center('cc-a', { code: 'RESEARCH', budgetLimit: '100.000000001', description: 'R&D' });
    await store.createCostCenter(a);
    expect(await store.getCostCenter('cc-a')).toEqual(a);

    expect(await codeOf(store.createCostCenter(center('cc-dup', { code: 'RESEARCH' })))).toBe('CONFLICT');
    expect(await store.getCostCenter('cc-dup')).toBeNull();
    // Another enterprise may use the same code.
    await store.createCostCenter(center('cc-other', { enterpriseId: 'E2', code: 'RESEARCH' }));

    await store.deleteCostCenter(a);
    expect(await store.getCostCenter('cc-a')).toBeNull();
    await store.createCostCenter(center('cc-dup', { code: 'RESEARCH' }));
    expect((await store.listCostCenters('E1')).map((c) => c.id)).toEqual(['cc-dup']);
  });

  it('moves a subtree in one transaction and refuses stale or taken changes', async () => {
    const root1 = center('t-root1', { code: 'ROOT1' });
    const root2 = center('t-root2', { code: 'ROOT2' });
    const child = center('t-child', {
      code: 'CHILD',
      parentId: 't-root1',
      level: 1,
      path: '/t-root1/t-child',
    });
    const leaf = center('t-leaf', {
      code: 'LEAF',
      parentId: 't-child',
      level: 2,
      path: '/t-root1/t-child/t-leaf',
    });
    for (const c of [root1, root2, child, leaf]) await store.createCostCenter(c);

    const T1 = '2026-11-02T00:00:00.000Z';
    const movedChild = {
      ...child,
      code: 'CHILD2',
      parentId: 't-root2',
      path: '/t-root2/t-child',
      updatedAt: T1,
    };
    const movedLeaf = { ...leaf, level: 2, path: '/t-root2/t-child/t-leaf', updatedAt: T1 };
    await store.updateCostCenters([
      { before: child, after: movedChild },
      { before: leaf, after: movedLeaf },
    ]);
    expect(await store.getCostCenter('t-child')).toEqual(movedChild);
    expect(await store.getCostCenter('t-leaf')).toEqual(movedLeaf);
    // The old code is free, the new one taken.
    await store.createCostCenter(center('t-new', { code: 'CHILD' }));
    expect(await codeOf(store.createCostCenter(center('t-new2', { code: 'CHILD2' })))).toBe('CONFLICT');

    // A change based on the center as it was before the move: nothing of it is written.
    const stale = [
      { before: root2, after: { ...root2, name: 'Renamed', updatedAt: T1 } },
      { before: child, after: { ...child, name: 'Stale', updatedAt: T1 } },
    ];
    const err = await store.updateCostCenters(stale).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('CONFLICT');
    expect((err as DomainError).message).toMatch(/t-child was changed meanwhile/);
    expect((await store.getCostCenter('t-root2'))!.name).toBe('Center t-root2');

    // A code already used by another center.
    const taken = await store
      .updateCostCenters([{ before: root2, after: { ...root2, code: 'ROOT1', updatedAt: T1 } }])
      .catch((e: unknown) => e);
    expect((taken as DomainError).code).toBe('CONFLICT');
    expect((taken as DomainError).message).toMatch(/"ROOT1" is already used/);

    // Two centers swapping codes in one change.
    await store.updateCostCenters([
      { before: root1, after: { ...root1, code: 'ROOT2', updatedAt: T1 } },
      { before: root2, after: { ...root2, code: 'ROOT1', updatedAt: T1 } },
    ]);
    expect((await store.getCostCenter('t-root1'))!.code).toBe('ROOT2');
    expect(await codeOf(store.createCostCenter(center('t-x', { code: 'ROOT1' })))).toBe('CONFLICT');
  });
});

describe('pnl store: facts and dirty months', () => {
  it('creates cost entries once: a repeat returns the stored one, and the month is marked dirty', async () => {
    const e1 = entry('ce-1');
    const e2 = entry('ce-2', { periodMonth: 10, periodQuarter: 4, recordDate: '2026-10-31' });
    const first = await store.createCostEntries([e1, e2]);
    expect(first).toEqual({ created: [e1, e2], existing: [] });

    const again = await store.createCostEntries([
      { ...e1, amount: '99', createdAt: '2026-11-07T00:00:00.000Z' },
    ]);
    expect(again).toEqual({ created: [], existing: [e1] });
    expect(await store.costEntriesOfCenter('cc-a', '2026-11')).toEqual([e1]);
    expect(await store.costEntriesOfEnterprise('E1', '2026-10')).toEqual([e2]);

    const marks = (await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E1');
    expect(marks).toEqual(
      expect.arrayContaining([
        { enterpriseId: 'E1', month: '2026-10', markedAt: e1.createdAt },
        { enterpriseId: 'E1', month: '2026-11', markedAt: e1.createdAt },
      ]),
    );
  });

  it('replaces an entry in place, re-indexed under its new month; a deleted one is NOT_FOUND', async () => {
    const before = entry('ce-move', { enterpriseId: 'E-move' });
    await store.createCostEntries([before]);
    const moved = { ...before, amount: '12.34', recordDate: '2026-09-30', periodMonth: 9, periodQuarter: 3 };
    await store.replaceCostEntry(moved, before);
    expect(await store.getCostEntry('ce-move')).toEqual(moved);
    expect(await store.costEntriesOfEnterprise('E-move', '2026-11')).toEqual([]);
    expect(await store.costEntriesOfEnterprise('E-move', '2026-09')).toEqual([moved]);
    const months = (await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E-move').map((m) => m.month);
    expect(months.sort()).toEqual(['2026-09', '2026-11']);
    await store.deleteCostEntry(moved);
    expect(await codeOf(store.replaceCostEntry(moved, moved))).toBe('NOT_FOUND');
    expect(await store.getCostEntry('ce-move')).toBeNull();
  });

  it('replaces fed costs: true, then false for the same set; stale ones are deleted; marks dirty', async () => {
    const month = '2026-09';
    const fed = (id: string, amount: string, createdAt = '2026-10-01T01:00:00.000Z') =>
      entry(id, {
        enterpriseId: 'E3',
        periodMonth: 9,
        periodQuarter: 3,
        recordDate: '2026-09-30',
        sourceSystem: 'gateway',
        amount,
        createdAt,
      });
    const manual = entry('m-1', { enterpriseId: 'E3', periodMonth: 9, periodQuarter: 3 });
    await store.createCostEntries([manual]);
    await store.clearDirty((await store.dirtyMonths()).find((m) => m.enterpriseId === 'E3')!);

    expect(await store.replaceFedCosts('E3', month, 'gateway', [fed('g-1', '1.1'), fed('g-2', '2.2')])).toBe(
      true,
    );
    const [mark] = (await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E3');
    expect(mark).toEqual({ enterpriseId: 'E3', month, markedAt: '2026-10-01T01:00:00.000Z' });
    expect(await store.clearDirty(mark!)).toBe(true);

    // The same set again (only createdAt differs): nothing changes, nothing is marked.
    const later = '2026-10-02T00:00:00.000Z';
    expect(
      await store.replaceFedCosts('E3', month, 'gateway', [
        fed('g-1', '1.1', later),
        fed('g-2', '2.2', later),
      ]),
    ).toBe(false);
    expect((await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E3')).toEqual([]);

    // g-1 changes, g-2 is no longer fed, g-3 is new; the manual entry is not the feed's.
    expect(
      await store.replaceFedCosts('E3', month, 'gateway', [
        fed('g-1', '1.10000001', later),
        fed('g-3', '3', later),
      ]),
    ).toBe(true);
    const stored = await store.costEntriesOfEnterprise('E3', month);
    expect(stored.map((e) => [e.id, e.amount]).sort()).toEqual([
      ['g-1', '1.10000001'],
      ['g-3', '3'],
      ['m-1', manual.amount],
    ]);
    expect((await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E3')).toEqual([
      { enterpriseId: 'E3', month, markedAt: later },
    ]);

    // An empty feed deletes every fed entry.
    expect(await store.replaceFedCosts('E3', month, 'gateway', [])).toBe(true);
    expect((await store.costEntriesOfEnterprise('E3', month)).map((e) => e.id)).toEqual(['m-1']);
  });

  it('creates and replaces revenues the same way', async () => {
    const r1 = revenue('rv-1', { enterpriseId: 'E4', revenueDetails: { model: 'gpt-oss', tokens: '12' } });
    expect(await store.createRevenues([r1])).toEqual({ created: [r1], existing: [] });
    expect(await store.createRevenues([r1])).toEqual({ created: [], existing: [r1] });
    expect(await store.getRevenue('rv-1')).toEqual(r1);
    expect(await store.replaceFedRevenues('E4', '2026-11', 'cost_savings', [r1])).toBe(false);
    expect(await store.replaceFedRevenues('E4', '2026-11', 'cost_savings', [])).toBe(true);
    expect(await store.revenuesOfEnterprise('E4', '2026-11')).toEqual([]);
  });

  it('does not clear a month marked again after the mark that was read', async () => {
    await store.markDirty('E5', ['2026-01'], '2026-02-01T00:00:00.000Z');
    const [read] = (await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E5');
    await store.markDirty('E5', ['2026-01'], '2026-02-01T00:00:01.000Z');
    expect(await store.clearDirty(read!)).toBe(false);
    const [again] = (await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E5');
    expect(again!.markedAt).toBe('2026-02-01T00:00:01.000Z');
    expect(await store.clearDirty(again!)).toBe(true);
    expect((await store.dirtyMonths()).filter((m) => m.enterpriseId === 'E5')).toEqual([]);
  });
});

describe('pnl store: budgets, invoices, summaries', () => {
  it('holds one budget per center and period, replaces it conditionally and marks its months', async () => {
    const b = budget({ enterpriseId: 'E6' });
    await store.createBudget(b);
    expect(await store.getBudget('cc-a', 2026, 'quarter', 4)).toEqual(b);
    expect(await codeOf(store.createBudget({ ...b, totalBudget: '1' }))).toBe('CONFLICT');
    expect(
      (await store.dirtyMonths())
        .filter((m) => m.enterpriseId === 'E6')
        .map((m) => m.month)
        .sort(),
    ).toEqual(['2026-10', '2026-11', '2026-12']);

    const replaced = {
      ...b,
      totalBudget: '2000',
      status: 'closed' as const,
      updatedAt: '2026-11-03T00:00:00.000Z',
    };
    await store.replaceBudget(replaced, T0);
    expect(await codeOf(store.replaceBudget({ ...b, totalBudget: '3' }, T0))).toBe('CONFLICT');
    expect(await store.getBudget('cc-a', 2026, 'quarter', 4)).toEqual(replaced);
    expect(await store.budgetsOfEnterprise('E6', 2026)).toEqual([replaced]);
    expect((await store.activeBudgets()).filter((x) => x.enterpriseId === 'E6')).toEqual([]);

    const monthly = budget({ enterpriseId: 'E6', periodType: 'month', budgetPeriod: 2 });
    await store.createBudget(monthly);
    expect((await store.activeBudgets()).filter((x) => x.enterpriseId === 'E6')).toEqual([monthly]);
    await store.deleteBudget(monthly);
    expect(await store.getBudget('cc-a', 2026, 'month', 2)).toBeNull();
  });

  it('replaces draft invoices and leaves issued ones; moves a status only from the expected one', async () => {
    await store.replaceDraftInvoices('E1', '2026-11', [invoice('a'), invoice('b'), invoice('c')]);
    const issued = await store.setInvoiceStatus('b', 'draft', 'issued');
    expect(issued).toEqual({ ...invoice('b'), status: 'issued' });

    // The new run drafts b and d again: b stays issued, a and c go, d comes.
    await store.replaceDraftInvoices('E1', '2026-11', [invoice('b', { totalAmount: '9' }), invoice('d')]);
    const stored = await store.invoicesOf('E1', '2026-11');
    expect(stored.map((i) => [i.id, i.status, i.totalAmount])).toEqual([
      ['b', 'issued', '1.2345'],
      ['d', 'draft', '1.2345'],
    ]);
    expect(await store.getInvoice('d')).toEqual(invoice('d'));

    expect(await codeOf(store.setInvoiceStatus('d', 'issued', 'paid'))).toBe('CONFLICT');
    expect(await codeOf(store.setInvoiceStatus('nope', 'issued', 'paid'))).toBe('NOT_FOUND');
    const paid = await store.setInvoiceStatus('b', 'issued', 'paid', '2026-12-15');
    expect(paid).toMatchObject({ status: 'paid', paidDate: '2026-12-15' });
    expect(await codeOf(store.setInvoiceStatus('b', 'issued', 'paid'))).toBe('CONFLICT');
  });

  it('round-trips summaries exactly and replaces a period’s summaries, removing stale ones', async () => {
    const own = summary('cc-a');
    const consolidated = summary('cc-a', { isConsolidated: true, budgetTotal: '10.5', roi: null });
    const eur = summary('cc-a', { currency: 'EUR' });
    const quarter = summary('cc-a', { periodType: 'quarter', periodKey: '2026-Q4', periodMonth: null });
    const year = summary('cc-b', {
      periodType: 'year',
      periodKey: '2026',
      periodQuarter: null,
      periodMonth: null,
    });
    await store.replaceSummaries(
      'E1',
      ['2026-11', '2026-Q4', '2026'],
      [own, consolidated, eur, quarter, year],
    );

    const sortByKey = (list: PnlSummaryRecord[]) =>
      [...list].sort((a, b) =>
        `${a.currency}${a.isConsolidated}`.localeCompare(`${b.currency}${b.isConsolidated}`),
      );
    expect(sortByKey(await store.summariesOfPeriod('E1', '2026-11'))).toEqual(
      sortByKey([own, consolidated, eur]),
    );
    expect(await store.summariesOfPeriod('E1', '2026-Q4')).toEqual([quarter]);
    expect(await store.summariesOfPeriod('E1', '2026')).toEqual([year]);
    const [stored] = await store.summariesOfPeriod('E1', '2026');
    expect(stored!.profitMargin).toBeNull();
    expect(stored!.costs.infrastructure).toBe('0.000000001');

    // The month again without the EUR summary; the quarter and year are untouched.
    const regenerated = { ...own, totalCosts: '5', generatedAt: '2026-12-02T00:00:00.000Z' };
    await store.replaceSummaries('E1', ['2026-11'], [regenerated, consolidated]);
    expect(sortByKey(await store.summariesOfPeriod('E1', '2026-11'))).toEqual(
      sortByKey([regenerated, consolidated]),
    );
    expect(await store.summariesOfPeriod('E1', '2026-Q4')).toEqual([quarter]);

    await store.replaceSummaries('E1', ['2026-11'], []);
    expect(await store.summariesOfPeriod('E1', '2026-11')).toEqual([]);
  });

  it('stores settings and self-hosted models', async () => {
    const settings = {
      enterpriseId: 'E1',
      referenceCloudPricePerMillion: null,
      referenceCurrency: 'USD',
      discountPercent: '0',
      taxPercent: '6.5',
      paymentDays: 30,
      budgetThresholds: [50, 80, 100],
      updatedAt: T0,
    };
    expect(await store.getSettings('E1')).toBeNull();
    await store.putSettings(settings);
    expect(await store.getSettings('E1')).toEqual(settings);

    const model = {
      accountId: 'acct-1',
      enterpriseId: 'E1',
      currency: 'USD',
      gpuCount: 8,
      hardwareCostPerGpu: '25000',
      amortizationMonths: 36,
      powerKwPerGpu: '0.7',
      pricePerKwh: '0.12',
      hoursPerMonth: null,
      maintenanceMonthly: '100',
      personnelMonthly: '2000.01',
      createdAt: T0,
      updatedAt: T0,
    };
    await store.putSelfHostedModel(model);
    await store.putSelfHostedModel({ ...model, accountId: 'acct-2', hoursPerMonth: 300 });
    expect(await store.getSelfHostedModel('acct-1')).toEqual(model);
    expect((await store.selfHostedModels('E1')).map((m) => [m.accountId, m.hoursPerMonth])).toEqual([
      ['acct-1', null],
      ['acct-2', 300],
    ]);
    await store.deleteSelfHostedModel('acct-1');
    expect(await store.getSelfHostedModel('acct-1')).toBeNull();
  });
});
