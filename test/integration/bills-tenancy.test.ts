/**
 * Who may see and change cloud-bill data, through the local runtime: enterprise B reaches nothing of
 * enterprise A (403 on A's enterprise routes, 404 on A's resources by id, so ids cannot be probed),
 * A's viewer reads but changes nothing, A's finance manages budgets, rates, syncs and anomalies but
 * not cloud accounts, and none of the refused calls changes anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const PERIOD = '2026-10';
let rt: TestRuntime;
let http: ReturnType<typeof api>;
const tokens: Record<'adminA' | 'viewerA' | 'financeA' | 'adminB', string> = {
  adminA: '',
  viewerA: '',
  financeA: '',
  adminB: '',
};
const ids = { entA: '', entB: '', accountA: '', jobA: '', budgetA: '', anomalyA: '' };

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String) } });
};

// Untagged rows only: the rollup raises an untagged_cost anomaly for A to have one.
const csv = [
  'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ChargeCategory,ChargeDescription,BillingAccountId',
  '12.50,12.50,USD,2026-10-03T00:00:00Z,2026-10-04T00:00:00Z,Amazon Simple Storage Service,Usage,Storage,acct-a',
  '7.25,7.25,USD,2026-10-04T00:00:00Z,2026-10-05T00:00:00Z,AWS Lambda,Usage,Requests,acct-a',
].join('\n');

const waitForJob = async (jobId: string) => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await http.get(`/api/sync-jobs/${jobId}`, { token: tokens.adminA });
    if (body.data.status === 'success' || body.data.status === 'failed') return body.data;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.data.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

beforeAll(async () => {
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  for (const [key, name] of [
    ['entA', 'Bills A'],
    ['entB', 'Bills B'],
  ] as const) {
    const res = await http.post('/api/enterprises', { name }, { token: platform });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[key] = res.body.data.id;
  }
  tokens.adminA = await rt.mintToken({
    subject: 'a-admin',
    roles: ['enterprise-admin'],
    enterpriseId: ids.entA,
  });
  tokens.viewerA = await rt.mintToken({ subject: 'a-viewer', roles: ['viewer'], enterpriseId: ids.entA });
  tokens.financeA = await rt.mintToken({ subject: 'a-finance', roles: ['finance'], enterpriseId: ids.entA });
  tokens.adminB = await rt.mintToken({
    subject: 'b-admin',
    roles: ['enterprise-admin'],
    enterpriseId: ids.entB,
  });

  const asA = { token: tokens.adminA };
  const account = await http.post(
    `/api/enterprises/${ids.entA}/cloud-accounts`,
    { provider: 'focus', accountId: 'a-focus', accountName: 'A exports' },
    asA,
  );
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  ids.accountA = account.body.data.id;
  const upload = await http.post(
    `/api/cloud-accounts/${ids.accountA}/focus-uploads`,
    { periodMonth: PERIOD, csv },
    asA,
  );
  expect(upload.status, JSON.stringify(upload.body)).toBe(202);
  ids.jobA = upload.body.data.id;
  expect((await waitForJob(ids.jobA)).status).toBe('success');
  const budget = await http.post(
    `/api/enterprises/${ids.entA}/cost-budgets`,
    { scopeType: 'all', scopeKey: 'all', currency: 'USD', budgetAmount: '1000' },
    asA,
  );
  expect(budget.status, JSON.stringify(budget.body)).toBe(201);
  ids.budgetA = budget.body.data.budgetId;
  const anomalies = await http.get(`/api/enterprises/${ids.entA}/cost-anomalies?periodMonth=${PERIOD}`, asA);
  const untagged = anomalies.body.data.find((a: any) => a.anomalyType === 'untagged_cost');
  expect(untagged, JSON.stringify(anomalies.body)).toBeDefined();
  ids.anomalyA = untagged.id;
  expect(Object.values(ids).every(Boolean), JSON.stringify(ids)).toBe(true);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
});

/** Every bills route, with A's ids and a valid body: only the caller decides the answer. */
const calls = () => {
  const e = `/api/enterprises/${ids.entA}`;
  const q = `periodMonth=${PERIOD}`;
  return {
    reads: [
      ['GET', `${e}/cloud-accounts`],
      ['GET', `/api/cloud-accounts/${ids.accountA}`],
      ['GET', `${e}/sync-jobs`],
      ['GET', `/api/sync-jobs/${ids.jobA}`],
      ['GET', `${e}/exchange-rates/${PERIOD}`],
      ['GET', `${e}/cost-snapshots?${q}`],
      ['GET', `${e}/cost-overview?${q}`],
      ['GET', `${e}/cost-trend?from=2026-09&to=2026-10`],
      ['GET', `${e}/bill-items?${q}`],
      ['GET', `${e}/cost-anomalies?${q}`],
      ['GET', `${e}/cost-budgets`],
    ],
    financeWrites: [
      ['POST', `/api/cloud-accounts/${ids.accountA}/sync`, { periodMonth: PERIOD }],
      ['POST', `/api/cloud-accounts/${ids.accountA}/focus-uploads`, { periodMonth: PERIOD, csv }],
      [
        'PUT',
        `${e}/exchange-rates/${PERIOD}`,
        { rates: [{ fromCurrency: 'EUR', toCurrency: 'USD', rate: '9' }] },
      ],
      ['POST', `${e}/cost-rollups`, { periodMonth: PERIOD }],
      ['PATCH', `/api/cost-anomalies/${ids.anomalyA}`, { status: 'resolved' }],
      [
        'POST',
        `${e}/cost-budgets`,
        { scopeType: 'provider', scopeKey: 'aws', currency: 'USD', budgetAmount: '5' },
      ],
      ['PATCH', `/api/cost-budgets/${ids.budgetA}`, { budgetAmount: '1' }],
      ['DELETE', `/api/cost-budgets/${ids.budgetA}`],
    ],
    adminWrites: [
      ['POST', `${e}/cloud-accounts`, { provider: 'focus', accountId: 'pwned', accountName: 'x' }],
      ['PATCH', `/api/cloud-accounts/${ids.accountA}`, { status: 'disabled' }],
    ],
  } as Record<string, [string, string, unknown?][]>;
};

const send = (method: string, path: string, body: unknown, token: string) =>
  method === 'GET'
    ? http.get(path, { token })
    : method === 'DELETE'
      ? http.del(path, { token })
      : method === 'PUT'
        ? http.put(path, body, { token })
        : method === 'PATCH'
          ? http.patch(path, body, { token })
          : http.post(path, body, { token });

/** What A has, as A's admin reads it. */
const stateOfA = async () => {
  const asA = { token: tokens.adminA };
  const e = `/api/enterprises/${ids.entA}`;
  const [accounts, jobs, rates, budgets, anomalies, snapshots] = await Promise.all([
    http.get(`${e}/cloud-accounts`, asA),
    http.get(`${e}/sync-jobs`, asA),
    http.get(`${e}/exchange-rates/${PERIOD}`, asA),
    http.get(`${e}/cost-budgets`, asA),
    http.get(`${e}/cost-anomalies?periodMonth=${PERIOD}`, asA),
    http.get(`${e}/cost-snapshots?periodMonth=${PERIOD}`, asA),
  ]);
  return {
    accounts: accounts.body.data,
    jobs: jobs.body.data.items.length,
    rates: rates.body.data,
    budgets: budgets.body.data,
    anomalies: anomalies.body.data.map((a: any) => [a.id, a.status]),
    snapshotVersion: snapshots.body.data.version.snapshotVersion,
  };
};

describe('cloud bills tenancy', () => {
  it('keeps enterprise B out of every bills route of enterprise A (403 / 404) and changes nothing', async () => {
    const before = await stateOfA();
    const { reads, financeWrites, adminWrites } = calls();
    for (const [method, path, body] of [...reads!, ...financeWrites!, ...adminWrites!]) {
      const res = await send(method, path, body, tokens.adminB);
      // Enterprise-scoped paths say FORBIDDEN; A's resources by id do not exist for B.
      if (path.startsWith(`/api/enterprises/${ids.entA}`)) expectError(res, 403, 'FORBIDDEN');
      else expectError(res, 404, 'NOT_FOUND');
    }
    expect(await stateOfA()).toEqual(before);
  });

  it("lets A's viewer read everything and change nothing", async () => {
    const before = await stateOfA();
    const { reads, financeWrites, adminWrites } = calls();
    for (const [method, path] of reads!) {
      const res = await send(method, path, undefined, tokens.viewerA);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    for (const [method, path, body] of [...financeWrites!, ...adminWrites!]) {
      expectError(await send(method, path, body, tokens.viewerA), 403, 'FORBIDDEN');
    }
    expect(await stateOfA()).toEqual(before);
  });

  it("lets A's finance run syncs, rates, rollups, anomalies and budgets, but not cloud accounts", async () => {
    const before = await stateOfA();
    const { adminWrites } = calls();
    for (const [method, path, body] of adminWrites!) {
      expectError(await send(method, path, body, tokens.financeA), 403, 'FORBIDDEN');
    }
    expect(await stateOfA()).toEqual(before);

    const asFinance = { token: tokens.financeA };
    const rollup = await http.post(
      `/api/enterprises/${ids.entA}/cost-rollups`,
      { periodMonth: PERIOD },
      asFinance,
    );
    expect(rollup.status, JSON.stringify(rollup.body)).toBe(200);
    const patched = await http.patch(`/api/cost-budgets/${ids.budgetA}`, { budgetAmount: '2000' }, asFinance);
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data.budgetAmount).toBe('2000');
    const anomaly = await http.patch(
      `/api/cost-anomalies/${ids.anomalyA}`,
      { status: 'acknowledged' },
      asFinance,
    );
    expect(anomaly.status, JSON.stringify(anomaly.body)).toBe(200);
    expect(anomaly.body.data.status).toBe('acknowledged');
  });
});
