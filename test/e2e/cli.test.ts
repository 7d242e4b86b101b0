/**
 * The `tollgate` CLI as an agent runs it: a child process against the local API, logged in with a
 * scoped admin key. Every read command answers the JSON envelope and a table; failures answer the
 * error envelope with their own exit code and never a stack trace: a wrong key, a bad date (refused
 * before any request) and an API that is down. The settings file holding the key is mode 0600.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFocusCsv } from '../../bench/focus-data';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const BIN = fileURLToPath(new URL('../../cli/bin/tollgate.mjs', import.meta.url));
const PERIOD = '2026-10';
const EXIT = { VALIDATION_ERROR: 2, UNAUTHORIZED: 3, FORBIDDEN: 4, TIMEOUT: 6 };

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let dir: string;
/** The logged-in CLI's settings directory (created by the CLI itself). */
let home: string;
let adminKey: string;
let enterpriseId: string;
let groupId: string;
let cloudAccountId: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], configDir = home): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, TOLLGATE_CONFIG_DIR: configDir }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });

const envelope = (run: Run) => {
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const body = JSON.parse(run.stdout);
  expect(body).toEqual({
    success: true,
    data: expect.anything(),
    meta: { executionTime: expect.any(Number), cachedAt: null },
  });
  return body.data;
};

const expectNoStackTrace = (run: Run) => expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);

const failure = (run: Run, code: keyof typeof EXIT) => {
  expect(run.code, run.stdout + run.stderr).toBe(EXIT[code]);
  expectNoStackTrace(run);
  const body = JSON.parse(run.stdout);
  expect(body).toEqual({
    success: false,
    error: { code, message: expect.any(String), details: expect.anything() },
  });
  return body.error;
};

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const waitForSync = async (jobId: string, token: string) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { data } = (await http.get(`/api/sync-jobs/${jobId}`, { token })).body;
    if (data.status === 'success' || data.status === 'failed') return data;
    if (Date.now() > deadline) throw new Error(`sync job ${jobId} still ${data.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-cli-'));
  home = join(dir, 'home');
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (
    await http.post(
      '/api/enterprises',
      { name: 'CLI Co', settings: { reportingCurrency: 'USD' } },
      { token: platform },
    )
  ).body.data.id;
  const created = await http.post(
    `/api/enterprises/${enterpriseId}/admin-keys`,
    { name: 'cli', role: 'enterprise-admin' },
    { token: platform },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  adminKey = created.body.data.key;

  // A little of everything, through the API: a group, a P&L fact, a cloud budget, a FOCUS source.
  const token = adminKey;
  const ok = async (res: Promise<{ status: number; body: any }>) => {
    const { status, body } = await res;
    expect(status, JSON.stringify(body)).toBeLessThan(300);
    return body.data;
  };
  groupId = (await ok(http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Research' }, { token })))
    .id;
  const center = await ok(
    http.post(
      `/api/enterprises/${enterpriseId}/cost-centers`,
      { code: 'RES', name: 'Research', currency: 'USD' },
      { token },
    ),
  );
  await ok(
    http.post(
      `/api/enterprises/${enterpriseId}/cost-entries`,
      {
        costCenterId: center.id,
        recordDate: `${PERIOD}-15`,
        category: 'infrastructure',
        amount: '120.50',
        currency: 'USD',
      },
      { token },
    ),
  );
  await ok(http.post(`/api/enterprises/${enterpriseId}/pnl/recompute`, { month: PERIOD }, { token }));
  await ok(
    http.post(
      `/api/enterprises/${enterpriseId}/cost-budgets`,
      { scopeType: 'all', scopeKey: 'all', currency: 'USD', budgetAmount: '1000' },
      { token },
    ),
  );
  await ok(
    http.put(
      `/api/enterprises/${enterpriseId}/exchange-rates/${PERIOD}`,
      {
        rates: [
          { fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0825' },
          { fromCurrency: 'CNY', toCurrency: 'USD', rate: '0.1387' },
        ],
      },
      { token },
    ),
  );
  const path = join(dir, 'focus.csv');
  await writeFile(path, generateFocusCsv(40, 3).csv);
  cloudAccountId = (
    await ok(
      http.post(
        `/api/enterprises/${enterpriseId}/cloud-accounts`,
        { provider: 'focus', accountId: 'cli-focus', accountName: 'CLI FOCUS', settings: { path } },
        { token },
      ),
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tollgate CLI', () => {
  it('logs in with an admin key and keeps it in a 0600 file; a wrong key is UNAUTHORIZED', async () => {
    const data = envelope(await cli(['auth', 'login', '--api-key', adminKey, '--url', rt.apiUrl]));
    expect(data).toMatchObject({ url: rt.apiUrl, enterprise: enterpriseId, roles: ['enterprise-admin'] });
    expect(JSON.stringify(data)).not.toContain(adminKey);
    expect((await stat(join(home, 'config.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);

    const [listed, wrong] = await Promise.all([
      cli(['config', 'list']),
      cli(['auth', 'login', '--api-key', 'tgadm_not-a-real-key-000000000000', '--url', rt.apiUrl]),
    ]);
    expect(envelope(listed)).toMatchObject({ url: rt.apiUrl, enterprise: enterpriseId, format: 'json' });
    expect(listed.stdout).not.toContain(adminKey);
    // The stored key stays: every command below uses it.
    expect(failure(wrong, 'UNAUTHORIZED').details).toMatchObject({
      httpStatus: 401,
      apiCode: 'UNAUTHORIZED',
    });
  });

  it('queues a bill sync, in JSON and as a table', async () => {
    const args = ['sync', 'run', '--account', cloudAccountId, '--period', PERIOD];
    const [json, table] = await Promise.all([cli(args), cli([...args, '--format', 'table'])]);
    const queued = envelope(json);
    expect(queued).toMatchObject({ cloudAccountId, periodMonth: PERIOD, trigger: 'manual' });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ key +│ value +│/);
    const tableJobId = /│ id +│ (\S+) +│/.exec(table.stdout)?.[1];
    expect(tableJobId).toBeDefined();
    const jobs = await Promise.all([waitForSync(queued.id, adminKey), waitForSync(tableJobId!, adminKey)]);
    expect(jobs.map((j) => j.status)).toEqual(['success', 'success']);
  });

  // Each command, the header its table must show, and what its data must hold.
  const reads: [string, () => string[], string, (data: any) => void][] = [
    ['config get', () => ['config', 'get', 'url'], 'key', (d) => expect(d.value).toBe(rt.apiUrl)],
    [
      'usage (days)',
      () => ['usage', 'get', '--group', groupId, '--days', '7'],
      'requests',
      (d) => expect(d.stats).toEqual(expect.any(Array)),
    ],
    [
      'usage (range)',
      () => [
        'usage',
        'get',
        '--group',
        groupId,
        '--start',
        '2026-10-01',
        '--end',
        '2026-10-31',
        '--group-by',
        'week',
      ],
      'requests',
      (d) => expect(d.summary).toBeDefined(),
    ],
    [
      'cost (month)',
      () => ['cost', 'get', '--period', PERIOD, '--group-by', 'service'],
      'amount',
      (d) => {
        expect(Number(d.total.amount)).toBeGreaterThan(0);
        expect(d.byDimension.provider.map((s: any) => s.provider)).toEqual(['focus']);
      },
    ],
    [
      'cost (provider)',
      () => ['cost', 'get', '--period', PERIOD, '--provider', 'focus'],
      'amount',
      (d) =>
        expect(d.snapshots.every((s: any) => s.provider === 'focus' && s.dimensionType === 'service')).toBe(
          true,
        ),
    ],
    [
      'cost (trend)',
      () => ['cost', 'get', '--start', '2026-09', '--end', PERIOD],
      'byProvider',
      (d) => expect(d.months.map((m: any) => m.periodMonth)).toEqual([PERIOD]),
    ],
    [
      'snapshot',
      () => ['snapshot', 'get', '--period', PERIOD],
      'dimension',
      (d) => expect(d.snapshots.length).toBeGreaterThan(0),
    ],
    [
      'anomalies',
      () => ['anomalies', 'get', '--period', PERIOD, '--status', 'open'],
      'severity',
      (d) => expect(d.every((a: any) => a.status === 'open')).toBe(true),
    ],
    [
      'budget',
      () => ['budget', 'get', '--period', PERIOD],
      'utilizationPercent',
      (d) => expect(d).toEqual([expect.objectContaining({ scopeType: 'all', budgetAmount: '1000' })]),
    ],
    [
      'budget (P&L)',
      () => ['budget', 'get', '--pnl', '--period', '2026-Q4'],
      'utilizationPercent',
      (d) => expect(d.items).toEqual([]),
    ],
    ['balance', () => ['balance', 'get'], 'value', (d) => expect(d).toMatchObject({ sources: 0 })],
    [
      'balance (sources)',
      () => ['balance', 'get', '--sources'],
      'daysUntilZero',
      (d) => expect(d).toEqual({ days: 30, sources: [] }),
    ],
    [
      'pnl',
      () => ['pnl', 'get', '--period', PERIOD],
      'netProfit',
      (d) =>
        expect(d.summaries).toEqual([
          expect.objectContaining({
            code: 'RES',
            name: 'Research',
            totalCosts: expect.stringMatching(/^120\.5/),
          }),
        ]),
    ],
    [
      'roi',
      () => ['roi', 'get', '--start', PERIOD, '--end', PERIOD],
      'value',
      (d) => expect(d).toMatchObject({ from: PERIOD, to: PERIOD }),
    ],
  ];

  it.concurrent.each(reads)('%s answers the envelope and a table', async (_name, args, header, check) => {
    const [json, table] = await Promise.all([cli(args()), cli([...args(), '--format', 'table'])]);
    check(envelope(json));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^│.*\\b${header}\\b.*│$`));
  });

  it('prints CSV with a header row, and serves a repeated read from --cache', async () => {
    const csv = await cli(['pnl', 'get', '--period', PERIOD, '--format', 'csv']);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual([
      'code,name,period,currency,costs,revenues,netProfit,profitMargin,roi,budgetUtilization',
      expect.stringMatching(/^RES,Research,2026-10,USD,120\.5/),
    ]);

    const args = ['cost', 'get', '--period', PERIOD, '--cache', '60'];
    envelope(await cli(args));
    const again = JSON.parse((await cli(args)).stdout);
    expect(again.meta.cachedAt).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
  });

  describe('with the API down', () => {
    let down: string;
    beforeAll(async () => {
      down = join(dir, 'down');
      envelope(await cli(['config', 'set', 'url', `http://127.0.0.1:${await closedPort()}`], down));
      envelope(await cli(['config', 'set', 'apiKey', adminKey], down));
    });

    it('says TIMEOUT with a clear message and no stack trace', async () => {
      const args = ['balance', 'get', '--enterprise', enterpriseId];
      const [json, table] = await Promise.all([cli(args, down), cli([...args, '--format', 'table'], down)]);
      expect(failure(json, 'TIMEOUT').message).toMatch(
        /^Cannot connect to the Tollgate API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
      );
      expect(table.code).toBe(EXIT.TIMEOUT);
      expect(table.stdout).toBe('');
      expect(table.stderr.trim().split('\n')).toHaveLength(1);
      expect(table.stderr).toMatch(/^tollgate: TIMEOUT: Cannot connect/);
    });

    it('refuses a bad date with VALIDATION_ERROR before sending anything', async () => {
      // The API is down: any request would have answered TIMEOUT instead.
      const args = ['usage', 'get', '--group', 'g1', '--start', '2026-13-40', '--end', '2026-10-31'];
      const [json, table] = await Promise.all([cli(args, down), cli([...args, '--format', 'table'], down)]);
      expect(failure(json, 'VALIDATION_ERROR').message).toContain('2026-13-40');
      expect(table.code).toBe(EXIT.VALIDATION_ERROR);
      expectNoStackTrace(table);
      expect(table.stderr).toMatch(/^tollgate: VALIDATION_ERROR: .*2026-13-40/);
    });
  });

  it('generates the monthly report and reads it back, in JSON and as a table', async () => {
    const started = envelope(await cli(['report', 'generate', '--period', PERIOD]));
    expect(started).toMatchObject({
      periodMonth: PERIOD,
      executionId: expect.stringMatching(/^arn:aws:states:/),
    });
    let reports: any[] = [];
    for (let i = 0; i < 100 && reports[0]?.status !== 'generated'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      reports = envelope(await cli(['report', 'get', '--period', PERIOD])).items;
    }
    // No model and no recipients configured: the template writes it and nothing is mailed.
    expect(reports[0]).toMatchObject({
      periodMonth: PERIOD,
      status: 'generated',
      writer: 'template',
      emailStatus: 'skipped',
    });
    const one = envelope(await cli(['report', 'get', reports[0].id]));
    expect(one.markdown).toContain(PERIOD);
    const table = await cli(['report', 'get', '--period', PERIOD, '--format', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(reports[0].id);
  });

  it('runs a job only for platform admins: an enterprise key is FORBIDDEN', async () => {
    const denied = failure(await cli(['jobs', 'run', 'pnl-rollup']), 'FORBIDDEN');
    expect(denied.message).toMatch(/platform/i);
  });

  it('logs out: the key leaves the file and commands say UNAUTHORIZED', async () => {
    expect(envelope(await cli(['auth', 'logout']))).toMatchObject({ loggedOut: true });
    const table = await cli(['auth', 'logout', '--format', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ loggedOut +│ true +│/);
    expect(await readFile(join(home, 'config.json'), 'utf8')).not.toContain('apiKey');
    expect(failure(await cli(['balance', 'get']), 'UNAUTHORIZED').message).toBe('Not logged in');
  });
});
