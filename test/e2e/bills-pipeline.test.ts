/**
 * The cloud-bills pipeline through the local stack (API → SQS on fauxqs → worker → DynamoDB Local →
 * rollup): a FOCUS import whose snapshot totals equal the file's BilledCost per currency exactly and
 * stay identical over three re-imports, and malformed files. The queue keeps its deployed settings
 * (a visibility timeout longer than any import); retries and the DLQ are in bills-retry.test.ts.
 *
 * `npm test` imports 5,000 rows; `.ci/run` then runs this file alone with `BILLS_E2E_ROWS=100000`
 * (about 4.5 minutes: DynamoDB Local writes ~1,300 bill items a second here).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFocusCsv } from '../../bench/focus-data';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const PERIOD = '2026-10';
const ROWS = Number(process.env.BILLS_E2E_ROWS ?? 5_000);
let rt: TestRuntime;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
let dir: string;

const waitForJob = async (jobId: string, until: (job: any) => boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await http.get(`/api/sync-jobs/${jobId}`, { token });
    if (until(body.data)) return body.data;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${JSON.stringify(body.data)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};
const finished = (job: { status: string }) => job.status === 'success' || job.status === 'failed';

const grandTotal = async () => {
  const { body } = await http.get(
    `/api/enterprises/${enterpriseId}/cost-snapshots?periodMonth=${PERIOD}&provider=all`,
    {
      token,
    },
  );
  const total = body.data.snapshots.find(
    (s: any) => s.dimensionType === 'provider' && s.dimensionKey === 'all',
  );
  return { version: body.data.version, total };
};

const createAccount = async (body: Record<string, unknown>) => {
  const res = await http.post(`/api/enterprises/${enterpriseId}/cloud-accounts`, body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-bills-'));
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const enterprise = await http.post(
    '/api/enterprises',
    { name: 'Bills Co', settings: { reportingCurrency: 'USD' } },
    { token: platform },
  );
  enterpriseId = enterprise.body.data.id;
  token = await rt.mintToken({ subject: 'fin-admin', roles: ['enterprise-admin'], enterpriseId });
  const rates = await http.put(
    `/api/enterprises/${enterpriseId}/exchange-rates/${PERIOD}`,
    {
      rates: [
        { fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0825' },
        { fromCurrency: 'CNY', toCurrency: 'USD', rate: '0.1387' },
      ],
    },
    { token },
  );
  expect(rates.status, JSON.stringify(rates.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe(`FOCUS import of ${ROWS} rows`, () => {
  it(
    'imports through the queue; snapshot totals equal BilledCost per currency, identically over three syncs',
    async () => {
      const file = generateFocusCsv(ROWS, 7);
      const path = join(dir, 'focus-export.csv');
      await writeFile(path, file.csv);
      const account = await createAccount({
        provider: 'focus',
        accountId: 'focus-export-1',
        accountName: 'FOCUS export',
        settings: { path },
      });

      const outcomes = [];
      for (let run = 0; run < 3; run++) {
        const queued = await http.post(
          `/api/cloud-accounts/${account.id}/sync`,
          { periodMonth: PERIOD },
          { token },
        );
        expect(queued.status).toBe(202);
        const job = await waitForJob(queued.body.data.id, finished, 60_000 + ROWS * 5);
        expect(job.status, job.lastError).toBe('success');
        expect(job.summary.itemCount).toBe(ROWS);
        expect(job.summary.totalsByCurrency).toEqual(file.billedTotals);
        const { version, total } = await grandTotal();
        expect(total.originalAmounts).toEqual(file.billedTotals);
        outcomes.push({
          items: version.itemCount,
          total: total.totalAmount,
          removed: job.summary.removedItems,
        });
      }
      // Same items (deterministic ids, nothing swept, nothing added) and the same total every time.
      expect(outcomes.map((o) => o.items)).toEqual([ROWS, ROWS, ROWS]);
      expect(new Set(outcomes.map((o) => o.total)).size).toBe(1);
      expect(outcomes.map((o) => o.removed)).toEqual([0, 0, 0]);

      const drill = await http.get(
        `/api/enterprises/${enterpriseId}/bill-items?periodMonth=${PERIOD}&provider=focus&limit=5`,
        { token },
      );
      expect(drill.status).toBe(200);
      expect(drill.body.data.items).toHaveLength(5);
      expect(drill.body.data.nextCursor).toEqual(expect.any(String));
      const overview = await http.get(
        `/api/enterprises/${enterpriseId}/cost-overview?periodMonth=${PERIOD}`,
        {
          token,
        },
      );
      expect(overview.body.data.total.amount).toBe(outcomes[0]!.total);
    },
    120_000 + ROWS * 20,
  );
});

// Each import rolls up the whole month, the big file's rows included: the budget grows with them.
describe('malformed FOCUS files', { timeout: 20_000 + ROWS }, () => {
  let accountId: string;
  beforeAll(async () => {
    accountId = (await createAccount({ provider: 'focus', accountId: 'uploads-1', accountName: 'Uploads' }))
      .id;
  });

  const header =
    'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,ServiceName,ChargeCategory,ChargeDescription,BillingAccountId,ResourceId,Tags';
  const row = (cost: string, currency = 'USD', start = '2026-10-03T00:00:00Z') =>
    `${cost},${cost},${currency},${start},2026-10-04T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Amazon Simple Storage Service,Usage,"Storage, standard",acct-1,res-${cost},"{""project"":""alpha""}"`;
  const upload = async (csv: string, mode: 'all-or-nothing' | 'skip-row') => {
    const res = await http.post(
      `/api/cloud-accounts/${accountId}/focus-uploads`,
      { periodMonth: PERIOD, mode, csv },
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return waitForJob(res.body.data.id, finished);
  };

  it('all-or-nothing: bad numbers, dates and currencies fail the file with row errors and write nothing', async () => {
    const before = await grandTotal();
    const csv = [header, row('10.50'), row('1e5'), row('3.00', 'ABC'), row('4.00', 'USD', 'yesterday')].join(
      '\n',
    );
    const job = await upload(csv, 'all-or-nothing');
    expect(job.status).toBe('failed');
    expect(job.summary.errors.map((e: any) => e.row)).toEqual([2, 3, 4]);
    expect(job.summary.itemCount).toBe(0);
    const items = await http.get(
      `/api/enterprises/${enterpriseId}/bill-items?periodMonth=${PERIOD}&cloudAccountId=${accountId}`,
      { token },
    );
    expect(items.body.data.items).toEqual([]);
    // No snapshot was published for the failed file.
    expect((await grandTotal()).version.snapshotVersion).toBe(before.version.snapshotVersion);
  });

  it('skip-row: the good rows import, the bad ones are listed by row', async () => {
    const csv = [header, row('10.50'), row('abc'), row('2.25', 'EUR'), row('7.00', 'JPY')].join('\n');
    const job = await upload(csv, 'skip-row');
    expect(job.status).toBe('success');
    expect(job.summary.itemCount).toBe(2);
    expect(job.summary.totalsByCurrency).toEqual({ USD: '10.5', EUR: '2.25' });
    // JPY has no rate for the period: a per-row error too, not a half-imported file.
    expect(job.summary.errors.map((e: any) => e.row)).toEqual([2, 4]);
  });

  it('a broken CSV or missing mandatory columns fail with a file error', async () => {
    const broken = await upload([header, row('1.00'), '2.00,"USD,unterminated'].join('\n'), 'skip-row');
    expect(broken.status).toBe('failed');
    expect(broken.lastError).toMatch(/not valid CSV/);
    const missing = await upload(['BilledCost,BillingCurrency', '1.00,USD'].join('\n'), 'skip-row');
    expect(missing.status).toBe('failed');
    expect(missing.lastError).toMatch(/ChargePeriodStart/);
  });

  it('refuses bad requests with 4xx and the error envelope', async () => {
    const bad = await http.post(
      `/api/cloud-accounts/${accountId}/focus-uploads`,
      { periodMonth: '2026-13', csv: '' },
      { token },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const dup = await http.post(
      `/api/enterprises/${enterpriseId}/cloud-accounts`,
      { provider: 'focus', accountId: 'uploads-1', accountName: 'again' },
      { token },
    );
    expect(dup.status).toBe(409);
  });
});
