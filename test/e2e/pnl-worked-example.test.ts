/**
 * The virtual P&L through the local stack, on a small company worked out by hand for October 2026:
 *
 * Cost centers: ACME (root; the AI platform, invoices the others) → RES (research), PROD (product).
 * Groups g-res → RES, g-prod → PROD. Project codes research → RES, product → PROD.
 *
 * Facts
 * - Gateway usage (written by the gateway's own metering store): on the cloud account, RES 1,000,000
 *   tokens costing 12.50 (8.00 + 4.50), PROD 500,000 tokens costing 7.25; on the self-hosted
 *   account, RES 2,000,000,000 tokens and PROD 1,000,000,000.
 * - Self-hosted model: 2 GPUs × 24,000.00 over 24 months = 2,000.00 hardware; 2 × 0.7 kW × 744 h
 *   × 0.15 = 156.24 power; 300.00 maintenance; 1,200.00 personnel; total 3,656.24 over 1,488
 *   GPU-hours. Split by tokens 2:1 (largest remainder to the cent): hardware 1,333.33 / 666.67,
 *   power 104.16 / 52.08, maintenance 200.00 / 100.00, personnel 800.00 / 400.00 → RES 2,437.49,
 *   PROD 1,218.75.
 * - Cloud bills (a FOCUS upload): research 420.00, product 180.00, untagged 55.00 (unmapped).
 * - Manual: ACME software 250.00; PROD personnel 5,000.00. Batch: RES software 100.01, PROD other
 *   49.99. Shared cost 100.00 split evenly RES/PROD/ACME → 33.34 / 33.33 / 33.33.
 * - Revenue: RES alpha_engine 1,500.00; PROD api_usage 9,000.00. Savings at 2.50 per million
 *   tokens: RES 5,000.00 − 2,437.49 = 2,562.51; PROD 2,500.00 − 1,218.75 = 1,281.25.
 * - Budgets: RES October 3,000.00 (active); PROD Q4 20,000.00 (active).
 *
 * | center | costs    | revenues  | gross    | net      | margin   | ROI       |
 * |--------|----------|-----------|----------|----------|----------|-----------|
 * | RES    | 3003.34  | 4062.51   | 1992.52  | 1059.17  | 0.260718 | 0.352664  |
 * | PROD   | 6489.32  | 10281.25  | 9275.25  | 3791.93  | 0.368820 | 0.584334  |
 * | ACME   | 283.33   | 0.00      | 0.00     | -283.33  | null     | -1.000000 |
 * | ACME ⊕ | 9775.99  | 14343.76  | 11267.77 | 4567.77  | 0.318450 | 0.467244  |
 *
 * Invoices (discount 10 %, tax 6 %): RES base 12.50 + 2,437.49 = 2,449.99, discount 245.00, tax
 * 132.30, total 2,337.29; PROD base 7.25 + 1,218.75 = 1,226.00, discount 122.60, tax 66.20, total
 * 1,169.60; together 3,675.99 = the platform cost allocated to RES and PROD.
 */
import Decimal from 'decimal.js';
import { ulid } from 'ulidx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { pnlJobDeps } from '../../shared/composition/pnl';
import type { UsageRecord } from '../../shared/ports/metering';
import { runPnlRollup } from '../../shared/usecases/pnl/summaries';
import { createAiAccount } from '../factories/ai-accounts';
import { scanTable } from '../factories/dynamo-table';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const MONTH = '2026-10';
/** The hourly job as it runs late in October: only October is open. */
const OCTOBER_CLOCK = { now: () => new Date('2026-10-28T10:15:00.000Z') };

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
const ids = {} as Record<'gRes' | 'gProd' | 'cloud' | 'self' | 'acme' | 'res' | 'prod', string>;

const ok = async (res: Promise<{ status: number; body: any }>, status = 200) => {
  const { status: got, body } = await res;
  expect(got, JSON.stringify(body)).toBe(status);
  return body.data;
};
const rejected = async (res: Promise<{ status: number; body: any }>, message: RegExp) => {
  const { status, body } = await res;
  expect(status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('VALIDATION_ERROR');
  expect(JSON.stringify(body.error)).toMatch(message);
  return body.error;
};
const post = (path: string, body: unknown) => http.post(path, body, { token });
const get = (path: string) => http.get(path, { token });
const ent = (path: string) => `/api/enterprises/${enterpriseId}${path}`;

const rollup = () => runPnlRollup({ ...pnlJobDeps(), clock: OCTOBER_CLOCK });

const usage = (over: Partial<UsageRecord>): UsageRecord => ({
  requestId: ulid(),
  at: '2026-10-14T09:00:00.000Z',
  enterpriseId,
  groupId: ids.gRes,
  userId: null,
  apiKeyId: 'key-1',
  accountId: ids.cloud,
  serviceType: 'openai',
  model: 'gpt-4o',
  requestType: 'chat',
  promptTokens: 0,
  completionTokens: 0,
  cachedPromptTokens: 0,
  cost: '0',
  currency: 'USD',
  latencyMs: 100,
  status: 'success',
  errorCode: null,
  estimated: false,
  failovers: [],
  ...over,
});

const report = async (period: string, consolidated: boolean) =>
  (await ok(get(ent(`/pnl?period=${period}&consolidated=${consolidated}`)))).summaries as any[];
const byCode = (summaries: any[], code: string) => summaries.find((s) => s.code === code);

beforeAll(async () => {
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (await http.post('/api/enterprises', { name: 'Acme AI' }, { token: platform })).body.data.id;
  token = await rt.mintToken({ subject: 'cfo', roles: ['enterprise-admin'], enterpriseId });
  ids.gRes = (await ok(post(ent('/groups'), { name: 'Research' }), 201)).id;
  ids.gProd = (await ok(post(ent('/groups'), { name: 'Product' }), 201)).id;
  const account = {
    apiKey: 'sk-test-key-123',
    endpoint: 'http://127.0.0.1:9/v1',
    supportedModels: ['gpt-4o'],
  };
  ids.cloud = await createAiAccount(http, token, enterpriseId, { name: 'openai-cloud', ...account });
  ids.self = await createAiAccount(http, token, enterpriseId, { name: 'gpt-oss-vllm', ...account });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

describe('virtual P&L worked example', () => {
  it('builds the cost-center tree and refuses cycles, taken codes and groups mapped twice', async () => {
    ids.acme = (
      await ok(
        post(ent('/cost-centers'), {
          code: 'ACME',
          name: 'Acme',
          currency: 'USD',
          isPlatform: true,
          budgetLimit: '50000',
        }),
        201,
      )
    ).id;
    ids.res = (
      await ok(
        post(ent('/cost-centers'), {
          code: 'RES',
          name: 'Research',
          currency: 'USD',
          parentId: ids.acme,
          groupIds: [ids.gRes],
          projectCodes: ['research'],
          budgetLimit: '10000.50',
        }),
        201,
      )
    ).id;
    const prod = await ok(
      post(ent('/cost-centers'), {
        code: 'PROD',
        name: 'Product',
        currency: 'USD',
        parentId: ids.acme,
        groupIds: [ids.gProd],
        projectCodes: ['product'],
      }),
      201,
    );
    ids.prod = prod.id;
    expect(prod).toMatchObject({ level: 1, path: `/${ids.acme}/${ids.prod}`, parentId: ids.acme });

    const tree = await ok(get(ent('/cost-centers/tree')));
    expect(tree.roots.map((r: any) => r.code)).toEqual(['ACME']);
    expect(tree.roots[0].children.map((c: any) => c.code)).toEqual(['PROD', 'RES']);
    const subtree = await ok(get(`/api/cost-centers/${ids.acme}/subtree`));
    expect(subtree.totalBudget).toBe('60000.50');

    await rejected(post(`/api/cost-centers/${ids.acme}/move`, { parentId: ids.res }), /cycle/);
    await rejected(post(`/api/cost-centers/${ids.res}/move`, { parentId: ids.res }), /cycle/);
    const taken = await post(ent('/cost-centers'), { code: 'RES', name: 'Again', currency: 'USD' });
    expect(taken.status).toBe(409);
    const twice = await post(ent('/cost-centers'), {
      code: 'RES2',
      name: 'x',
      currency: 'USD',
      groupIds: [ids.gRes],
    });
    expect(twice.status).toBe(409);
    // Moving a leaf to the root and back works and rewrites its path.
    expect((await ok(post(`/api/cost-centers/${ids.res}/move`, { parentId: null }))).path).toBe(
      `/${ids.res}`,
    );
    expect((await ok(post(`/api/cost-centers/${ids.res}/move`, { parentId: ids.acme }))).level).toBe(1);
    expect((await ok(get(ent('/cost-centers')))).items).toHaveLength(3);
  });

  it('rejects 99.99 % allocations, negative amounts and periods out of range, writing nothing', async () => {
    const shares = [ids.acme, ids.res, ids.prod].map((costCenterId) => ({
      costCenterId,
      percentage: '33.33',
    }));
    const error = await rejected(
      post(ent('/cost-allocations'), {
        recordDate: '2026-10-10',
        category: 'other',
        amount: '100.00',
        currency: 'USD',
        sourceReference: 'bad-split',
        strategy: { method: 'fixed', shares },
      }),
      /exactly 100/,
    );
    expect(error.details).toMatchObject({ sum: '99.99' });
    const cost = {
      costCenterId: ids.res,
      recordDate: '2026-10-05',
      category: 'software',
      amount: '10.00',
      currency: 'USD',
    };
    await rejected(post(ent('/cost-entries'), { ...cost, amount: '-5.00' }), /amount/);
    await rejected(post(ent('/cost-entries'), { ...cost, amount: '0.00' }), /greater than 0/);
    await rejected(post(ent('/cost-entries'), { ...cost, recordDate: '1999-12-31' }), /2000/);
    await rejected(post(ent('/cost-entries'), { ...cost, periodMonth: 13 }), /month/);
    await rejected(post(ent('/cost-entries'), { ...cost, periodMonth: 11 }), /2026-10-05/);
    await rejected(
      post(ent('/revenues'), {
        costCenterId: ids.res,
        recordDate: '2026-10-05',
        revenueSource: 'other',
        amount: '-1',
        currency: 'USD',
      }),
      /amount/,
    );
    await rejected(
      post(`/api/cost-centers/${ids.res}/budgets`, {
        budgetYear: 2026,
        periodType: 'month',
        budgetPeriod: 13,
        totalBudget: '1.00',
        currency: 'USD',
      }),
      /13/,
    );
    await rejected(
      post(`/api/cost-centers/${ids.res}/budgets`, {
        budgetYear: 2201,
        periodType: 'year',
        budgetPeriod: 1,
        totalBudget: '1.00',
        currency: 'USD',
      }),
      /2100/,
    );
    await rejected(
      post(`/api/cost-centers/${ids.res}/budgets`, {
        budgetYear: 2026,
        periodType: 'month',
        budgetPeriod: 10,
        totalBudget: '100.00',
        currency: 'USD',
        categories: { hardware: '60.00', software: '40.01' },
      }),
      /exceed/,
    );
    // One bad entry in a batch rejects the batch, each problem listed by index.
    const batch = await rejected(
      post(ent('/cost-entries/batch'), {
        entries: [
          { ...cost, sourceReference: 'ok-1' },
          { ...cost, sourceReference: 'bad-1', costCenterId: 'nope' },
          { ...cost, sourceReference: 'bad-2', recordDate: '2026-10-05', periodQuarter: 3 },
        ],
      }),
      /2 of 3 entries are invalid/,
    );
    expect(batch.details.problems.map((p: any) => p.index)).toEqual([1, 2]);
    expect((await ok(get(ent(`/cost-entries?month=${MONTH}`)))).items).toEqual([]);
    expect((await ok(get(ent(`/budgets?year=2026`)))).items).toEqual([]);
  });

  it('feeds usage, self-hosted cost, bills, manual costs and revenue into P&L figures that match the table', async () => {
    await ok(
      http.put(
        ent('/pnl-settings'),
        {
          referenceCloudPricePerMillion: '2.50',
          referenceCurrency: 'USD',
          discountPercent: '10',
          taxPercent: '6',
        },
        { token },
      ),
    );
    const model = await ok(
      http.put(
        `/api/ai-accounts/${ids.self}/self-hosted-model`,
        {
          currency: 'USD',
          gpuCount: 2,
          hardwareCostPerGpu: '24000.00',
          amortizationMonths: 24,
          powerKwPerGpu: '0.7',
          pricePerKwh: '0.15',
          maintenanceMonthly: '300.00',
          personnelMonthly: '1200.00',
        },
        { token },
      ),
    );
    expect(model.hoursPerMonth).toBeNull();
    await ok(
      post(`/api/cost-centers/${ids.res}/budgets`, {
        budgetYear: 2026,
        periodType: 'month',
        budgetPeriod: 10,
        totalBudget: '3000.00',
        currency: 'USD',
        status: 'active',
        categories: { hardware: '1500.00', other: '500.00' },
      }),
      201,
    );
    const q4 = await ok(
      post(`/api/cost-centers/${ids.prod}/budgets`, {
        budgetYear: 2026,
        periodType: 'quarter',
        budgetPeriod: 4,
        totalBudget: '20000.00',
        currency: 'USD',
        status: 'active',
        roiTarget: '0.25',
      }),
      201,
    );
    expect(q4).toMatchObject({ periodKey: '2026-Q4', approvalLevel: 2 });

    // Cloud bills through the bills pipeline: a FOCUS upload, synced and rolled up into snapshots.
    const focus = await ok(
      post(ent('/cloud-accounts'), { provider: 'focus', accountId: 'acme-focus', accountName: 'Acme FOCUS' }),
      201,
    );
    const header =
      'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,ServiceName,ChargeCategory,ChargeDescription,BillingAccountId,ResourceId,Tags';
    const row = (cost: string, tags: string, id: string) =>
      `${cost},${cost},USD,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Compute,Usage,VMs,acct-1,${id},${tags}`;
    const job = await ok(
      post(`/api/cloud-accounts/${focus.id}/focus-uploads`, {
        periodMonth: MONTH,
        mode: 'all-or-nothing',
        csv: [
          header,
          row('420.00', '"{""project"":""research""}"', 'vm-1'),
          row('180.00', '"{""project"":""product""}"', 'vm-2'),
          row('55.00', '', 'vm-3'),
        ].join('\n'),
      }),
      202,
    );
    for (let status = ''; status !== 'success';) {
      status = (await ok(get(`/api/sync-jobs/${job.id}`))).status;
      expect(status).not.toBe('failed');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Gateway usage, written by the gateway's metering store (the gateway path has its own e2e tests).
    const store = new DynamoUsageStore(exactNumbersDocumentClient(), rt.tableName);
    await store.recordBatch([
      usage({ userId: 'u1', promptTokens: 400_000, completionTokens: 200_000, cost: '8.00' }),
      usage({ userId: 'u2', promptTokens: 200_000, completionTokens: 200_000, cost: '4.50' }),
      usage({
        groupId: ids.gProd,
        userId: 'u3',
        promptTokens: 300_000,
        completionTokens: 200_000,
        cost: '7.25',
      }),
      usage({ accountId: ids.self, userId: 'u1', promptTokens: 700_000_000, completionTokens: 300_000_000 }),
      usage({ accountId: ids.self, userId: 'u1', promptTokens: 700_000_000, completionTokens: 300_000_000 }),
      usage({
        groupId: ids.gProd,
        accountId: ids.self,
        apiKeyId: 'key-prod',
        promptTokens: 600_000_000,
        completionTokens: 400_000_000,
      }),
    ]);

    // Manual costs, a batch import, a shared cost split evenly, revenue.
    const software = {
      costCenterId: ids.acme,
      recordDate: '2026-10-05',
      category: 'software',
      amount: '250.00',
      currency: 'USD',
      sourceReference: 'licence-oct',
    };
    const first = await ok(post(ent('/cost-entries'), software), 201);
    const again = await ok(post(ent('/cost-entries'), software), 201);
    expect(again.id).toBe(first.id);
    await ok(
      post(ent('/cost-entries'), {
        costCenterId: ids.prod,
        recordDate: '2026-10-31',
        category: 'personnel',
        amount: '5000.00',
        currency: 'USD',
        costType: 'fixed',
      }),
      201,
    );
    const imported = await ok(
      post(ent('/cost-entries/batch'), {
        entries: [
          {
            costCenterId: ids.res,
            recordDate: '2026-10-12',
            category: 'software',
            amount: '100.01',
            currency: 'USD',
            sourceReference: 'inv-1',
          },
          {
            costCenterId: ids.prod,
            recordDate: '2026-10-12',
            category: 'other',
            amount: '49.99',
            currency: 'USD',
            sourceReference: 'inv-2',
          },
        ],
      }),
    );
    expect(imported).toMatchObject({ created: 2, alreadyRecorded: 0 });
    const retried = await ok(
      post(ent('/cost-entries/batch'), {
        entries: [
          {
            costCenterId: ids.res,
            recordDate: '2026-10-12',
            category: 'software',
            amount: '100.01',
            currency: 'USD',
            sourceReference: 'inv-1',
          },
        ],
      }),
    );
    expect(retried).toMatchObject({ created: 0, alreadyRecorded: 1 });
    const split = await ok(
      post(ent('/cost-allocations'), {
        recordDate: '2026-10-15',
        category: 'other',
        amount: '100.00',
        currency: 'USD',
        sourceReference: 'office-oct',
        strategy: { method: 'even', costCenterIds: [ids.res, ids.prod, ids.acme] },
      }),
      201,
    );
    expect(split.entries.map((e: any) => [e.costCenterId, e.amount, e.allocationPercentage])).toEqual([
      [ids.res, '33.34', '33.333333'],
      [ids.prod, '33.33', '33.333333'],
      [ids.acme, '33.33', '33.333333'],
    ]);
    await ok(
      post(ent('/revenues'), {
        costCenterId: ids.res,
        recordDate: '2026-10-20',
        revenueSource: 'alpha_engine',
        amount: '1500.00',
        currency: 'USD',
        attributionConfidence: '0.8',
        contributionRatio: '0.6',
      }),
      201,
    );
    const api = await ok(
      post(ent('/revenues'), {
        costCenterId: ids.prod,
        recordDate: '2026-10-20',
        revenueSource: 'api_usage',
        amount: '9000.00',
        currency: 'USD',
        baselineAmount: '7000.00',
        customerTier: 'enterprise',
      }),
      201,
    );
    expect(api.incrementalAmount).toBe('2000');

    const run = await rollup();
    expect(run).toMatchObject({ fedMonths: 1 });
    expect(run.recomputedMonths).toBeGreaterThanOrEqual(1);

    const own = await report(MONTH, false);
    const res = byCode(own, 'RES');
    expect(res.costs).toEqual({
      hardware: '1333.33',
      infrastructure: '420.00',
      power: '104.16',
      personnel: '800.00',
      maintenance: '200.00',
      software: '100.01',
      cloud_fallback: '12.50',
      other: '33.34',
    });
    expect(res.revenues).toEqual({
      membership: '0.00',
      alpha_engine: '1500.00',
      api_usage: '0.00',
      cost_savings: '2562.51',
      other: '0.00',
    });
    expect(res).toMatchObject({
      totalCosts: '3003.34',
      totalRevenues: '4062.51',
      grossProfit: '1992.52',
      netProfit: '1059.17',
      profitMargin: '0.260718',
      roi: '0.352664',
      costPerToken: '0.000001500920',
      revenuePerUser: '2031.255000',
      costSavingsRatio: '0.460399',
      budgetTotal: '3000.00',
      budgetVarianceCost: '-3.34',
      budgetUtilization: '1.001113',
      totalTokensProcessed: 2_001_000_000,
      totalRequestsServed: 4,
      activeUsersCount: 2,
      currency: 'USD',
      periodType: 'month',
      summaryDate: '2026-10-31',
      isConsolidated: false,
    });
    const prodOwn = byCode(own, 'PROD');
    expect(prodOwn.costs).toMatchObject({
      hardware: '666.67',
      power: '52.08',
      maintenance: '100.00',
      personnel: '5400.00',
      cloud_fallback: '7.25',
      infrastructure: '180.00',
      other: '83.32',
    });
    expect(prodOwn).toMatchObject({
      totalCosts: '6489.32',
      totalRevenues: '10281.25',
      grossProfit: '9275.25',
      netProfit: '3791.93',
      profitMargin: '0.368820',
      roi: '0.584334',
      costPerToken: '0.000006486077',
      revenuePerUser: '5140.625000',
      costSavingsRatio: '0.164885',
      budgetTotal: null,
      totalTokensProcessed: 1_000_500_000,
      totalRequestsServed: 2,
      activeUsersCount: 2,
    });
    expect(byCode(own, 'ACME')).toMatchObject({
      totalCosts: '283.33',
      totalRevenues: '0.00',
      netProfit: '-283.33',
      profitMargin: null,
      roi: '-1.000000',
      costPerToken: null,
    });

    const consolidated = byCode(await report(MONTH, true), 'ACME');
    expect(consolidated).toMatchObject({
      totalCosts: '9775.99',
      totalRevenues: '14343.76',
      grossProfit: '11267.77',
      netProfit: '4567.77',
      profitMargin: '0.318450',
      roi: '0.467244',
      costPerToken: '0.000003257035',
      revenuePerUser: '3585.940000',
      costSavingsRatio: '0.282220',
      totalTokensProcessed: 3_001_500_000,
      activeUsersCount: 4,
      isConsolidated: true,
    });

    // The self-hosted cost model's rates for the month.
    const [selfHosted] = (await ok(get(ent(`/self-hosted-costs?month=${MONTH}`)))).items;
    expect(selfHosted).toMatchObject({
      tokensServed: 3_000_000_000,
      hardware: '2000.00',
      power: '156.24',
      maintenance: '300.00',
      personnel: '1200.00',
      total: '3656.24',
      gpuHours: 1488,
      costPerGpuHour: '2.457150537634',
      costPerToken: '0.000001218747',
      costPerMillionTokens: '1.218746666667',
    });
  });

  it('consolidates each parent to the sum of its children to the cent, for the month and the quarter', async () => {
    for (const period of [MONTH, '2026-Q4', '2026']) {
      const own = await report(period, false);
      const whole = await report(period, true);
      const parent = byCode(whole, 'ACME');
      const parts = [byCode(own, 'ACME'), byCode(whole, 'RES'), byCode(whole, 'PROD')];
      const sum = (values: string[]) => values.reduce((s, v) => s.plus(v), new Decimal(0)).toFixed(2);
      for (const field of ['totalCosts', 'totalRevenues', 'grossProfit', 'netProfit'] as const)
        expect(parent[field], `${period} ${field}`).toBe(sum(parts.map((p) => p[field])));
      for (const category of Object.keys(parent.costs))
        expect(parent.costs[category], `${period} ${category}`).toBe(
          sum(parts.map((p) => p.costs[category])),
        );
      for (const source of Object.keys(parent.revenues))
        expect(parent.revenues[source], `${period} ${source}`).toBe(
          sum(parts.map((p) => p.revenues[source])),
        );
      expect(parent.totalTokensProcessed).toBe(parts.reduce((s, p) => s + p.totalTokensProcessed, 0));
    }
    const quarter = byCode(await report('2026-Q4', false), 'PROD');
    expect(quarter).toMatchObject({
      periodType: 'quarter',
      summaryDate: '2026-12-31',
      periodQuarter: 4,
      totalCosts: '6489.32',
      budgetTotal: '20000.00',
      budgetVarianceCost: '13510.68',
      budgetUtilization: '0.324466',
    });
  });

  it('changes nothing when the rollup runs again', async () => {
    const before = await scanTable(rt.dynamoEndpoint, rt.tableName);
    const again = await rollup();
    expect(again).toMatchObject({ recomputedMonths: 0, summaries: 0, budgetAlerts: 0 });
    expect(await scanTable(rt.dynamoEndpoint, rt.tableName)).toEqual(before);
  });

  it('notified the budget RES went over once, and reports its utilization', async () => {
    const alerts = (await scanTable(rt.dynamoEndpoint, rt.tableName)).filter(
      (i) => i.__edb_e__ === 'alert' && i.kind === 'pnl.budget.threshold',
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject: `cost-center:${ids.res}`, severity: 'critical' });
    const [use] = (await ok(get(ent(`/budget-utilization?period=${MONTH}`)))).items;
    expect(use).toMatchObject({
      code: 'RES',
      actualCosts: '3003.34',
      variance: '-3.34',
      utilizationPercent: '100.11',
    });
    expect(use.categories.find((c: any) => c.category === 'hardware')).toEqual({
      category: 'hardware',
      budget: '1500.00',
      actual: '1333.33',
    });
  });

  it('invoices each consumer its allocated platform cost, and the reconciliation balances', async () => {
    const { items } = await ok(post(ent('/invoices/generate'), { month: MONTH }));
    const res = items.find((i: any) => i.consumerCostCenterId === ids.res);
    const prod = items.find((i: any) => i.consumerCostCenterId === ids.prod);
    expect(items).toHaveLength(2);
    expect(res).toMatchObject({
      providerCostCenterId: ids.acme,
      baseAmount: '2449.99',
      discountAmount: '245.00',
      taxAmount: '132.30',
      totalAmount: '2337.29',
      status: 'draft',
      billingDate: '2026-10-31',
      dueDate: '2026-11-30',
      billingId: 'IB-2026-10-RES-USD',
    });
    expect(res.lines.map((l: any) => [l.serviceCategory, l.usageQuantity, l.unitRate, l.baseAmount])).toEqual(
      [
        ['cloud_api', '1000000', '0.0000125000', '12.50'],
        ['self_hosted', '2000000000', '0.0000012187', '2437.49'],
      ],
    );
    expect(prod).toMatchObject({
      baseAmount: '1226.00',
      discountAmount: '122.60',
      taxAmount: '66.20',
      totalAmount: '1169.60',
    });
    const [reconciliation] = (await ok(get(ent(`/invoices/reconciliation?month=${MONTH}`)))).items;
    expect(reconciliation).toMatchObject({
      allocatedPlatformCost: '3675.99',
      invoicedBase: '3675.99',
      difference: '0.00',
      balanced: true,
    });

    // Issued invoices stay; usage metered later shows as a difference until the next month's drafts.
    await ok(post(`/api/invoices/${res.id}/issue`, {}));
    const late = await http.post(`/api/invoices/${res.id}/issue`, {}, { token });
    expect(late.status).toBe(409);
    await new DynamoUsageStore(exactNumbersDocumentClient(), rt.tableName).recordBatch([
      usage({
        userId: 'u2',
        at: '2026-10-29T09:00:00.000Z',
        promptTokens: 50_000,
        completionTokens: 10_000,
        cost: '0.75',
      }),
    ]);
    await rollup();
    const after = (await ok(get(ent(`/invoices/reconciliation?month=${MONTH}`)))).items[0];
    expect(after).toMatchObject({
      allocatedPlatformCost: '3676.74',
      invoicedBase: '3675.99',
      difference: '0.75',
      balanced: false,
    });
    expect(after.consumers.find((c: any) => c.costCenterId === ids.res)).toMatchObject({
      difference: '0.75',
      invoiceStatus: 'issued',
    });
    const regenerated = (await ok(post(ent('/invoices/generate'), { month: MONTH }))).items;
    expect(regenerated.find((i: any) => i.id === res.id)).toMatchObject({
      status: 'issued',
      baseAmount: '2449.99',
    });
    await ok(post(`/api/invoices/${res.id}/pay`, { paidDate: '2026-11-10' }));
  });

  it('analyses ROI, payback, self-hosted against cloud, and costs by month', async () => {
    const roi = await ok(get(ent(`/roi?from=2026-09&to=${MONTH}`)));
    // Late usage added 0.75 of cloud cost to RES since the table above.
    expect(roi).toMatchObject({
      totalCosts: '9776.74',
      totalRevenues: '14343.76',
      netProfit: '4567.02',
      investment: '48000.00',
      monthlyNetBenefit: '2283.51',
      paybackMonths: '21.02',
      costBenefit: {
        selfHostedTokens: 3_000_000_000,
        selfHostedCost: '3656.24',
        cloudEquivalentCost: '7500.00',
        savings: '3843.76',
      },
    });
    expect(roi.recommendations.map((r: any) => r.code)).toContain('over_budget');
    const analysis = await ok(get(ent(`/cost-analysis?from=2026-09&to=${MONTH}&costCenterId=${ids.res}`)));
    expect(analysis.months.map((m: any) => [m.month, m.totalCosts, m.changePercent])).toEqual([
      ['2026-09', '0.00', null],
      [MONTH, '3004.09', null],
    ]);
    expect(analysis.byCategory.find((c: any) => c.category === 'cloud_fallback').amount).toBe('13.25');
  });

  it('corrects manual facts, allocates by usage, and recomputes on demand', async () => {
    const entries = (await ok(get(ent(`/cost-entries?month=${MONTH}&costCenterId=${ids.prod}`))))
      .items as any[];
    const personnel = entries.find((e) => e.sourceSystem === 'manual' && e.category === 'personnel');
    expect((await ok(get(`/api/cost-entries/${personnel.id}`))).amount).toBe('5000.00');
    const corrected = await ok(
      http.patch(
        `/api/cost-entries/${personnel.id}`,
        { amount: '5100.00', description: 'with bonus' },
        { token },
      ),
    );
    expect(corrected).toMatchObject({
      amount: '5100.00',
      description: 'with bonus',
      recordDate: '2026-10-31',
    });
    const fed = entries.find((e) => e.sourceSystem === 'self_hosted');
    await rejected(
      http.patch(`/api/cost-entries/${fed.id}`, { amount: '1.00' }, { token }),
      /cannot be edited/,
    );
    expect((await http.del(`/api/cost-entries/${fed.id}`, { token })).status).toBe(400);

    // RES used 2,001,060,000 tokens (with the late usage), PROD 1,000,500,000: 10.00 splits 6.67 / 3.33.
    const split = await ok(
      post(ent('/cost-allocations'), {
        recordDate: '2026-10-30',
        category: 'software',
        amount: '10.00',
        currency: 'USD',
        sourceReference: 'ide-licences-oct',
        strategy: { method: 'proportional', basis: 'tokens', costCenterIds: [ids.res, ids.prod] },
      }),
      201,
    );
    expect(split.entries.map((e: any) => [e.amount, e.allocationBasis, e.allocationPercentage])).toEqual([
      ['6.67', '2001060000', '66.667333'],
      ['3.33', '1000500000', '33.332667'],
    ]);

    const recomputed = await ok(post(ent('/pnl/recompute'), { month: MONTH }));
    expect(recomputed).toMatchObject({ month: MONTH, recomputedMonths: [MONTH] });
    expect(recomputed.feeds).toMatchObject({
      costsChanged: false,
      unmappedGroups: [],
      unmappedProjects: ['(untagged)'],
    });
    expect(byCode(await report(MONTH, false), 'PROD')).toMatchObject({ totalCosts: '6592.65' });
    expect(byCode(await report(MONTH, true), 'ACME').totalCosts).toBe('9886.74');
  });

  it('keeps other enterprises out', async () => {
    const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
    const other = (await http.post('/api/enterprises', { name: 'Other Co' }, { token: platform })).body.data
      .id;
    const outsider = await rt.mintToken({ subject: 'spy', roles: ['enterprise-admin'], enterpriseId: other });
    for (const path of [
      ent(`/pnl?period=${MONTH}`),
      ent(`/invoices?month=${MONTH}`),
      ent('/cost-centers/tree'),
    ])
      expect((await http.get(path, { token: outsider })).status, path).toBe(403);
    // Another enterprise's records are not even confirmed to exist.
    for (const path of [`/api/cost-centers/${ids.res}`, `/api/cost-centers/${ids.res}/subtree`])
      expect((await http.get(path, { token: outsider })).status, path).toBe(404);
    const cost = {
      costCenterId: ids.res,
      recordDate: '2026-10-05',
      category: 'other',
      amount: '1.00',
      currency: 'USD',
    };
    expect((await http.post(ent('/cost-entries'), cost, { token: outsider })).status).toBe(403);
  });

  it('runs through the scheduler', async () => {
    expect(await rt.runJobNow('pnl-rollup')).toMatchObject({ enterprises: expect.any(Number) });
  });
});
