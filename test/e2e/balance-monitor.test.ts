/**
 * The balance monitor through the local stack: 50 OpenRouter-format sources on a fake server on
 * 127.0.0.1 (5 hang, 5 answer 500, 5 are low), polled by the scheduled job under its bound; alerts
 * once per low source, no duplicate on the next poll, one recovery notice; bad configuration refused
 * at create time; manual refresh with a cooldown; readings, trend and summary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanTable } from '../factories/dynamo-table';
import { startRecordingServer, type RecordingServer } from '../factories/fake-upstream';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const TIMEOUT_MS = 400;
const HANG = new Set([0, 1, 2, 3, 4]);
const FAIL = new Set([5, 6, 7, 8, 9]);
const LOW = new Set([10, 11, 12, 13, 14]);

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
let fake: RecordingServer;
const credits = new Map<string, string>();
const sourceIds: string[] = [];

/** OpenRouter's `GET /api/v1/credits`, answering per API key: hang, 500, or the key's credits. */
const startFakeOpenRouterFleet = () =>
  startRecordingServer((req, res) => {
    const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const n = Number(key.replace('or-key-', ''));
    if (req.path !== '/api/v1/credits' || !credits.has(key)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end('{"error":{"code":401,"message":"No auth credentials found"}}');
    }
    if (HANG.has(n)) return; // never answers
    if (FAIL.has(n)) {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end('{"error":{"code":500,"message":"Internal Server Error"}}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"data":{"total_credits":${credits.get(key)},"total_usage":0}}`);
  });

const alerts = async () =>
  (await scanTable(rt.dynamoEndpoint, rt.tableName)).filter(
    (i) => i.__edb_e__ === 'alert' && i.enterpriseId === enterpriseId,
  );
const alertsOf = async (kind: string) => (await alerts()).filter((a) => a.kind === kind);

/** Runs `fn` and returns what it wrote to stdout (Powertools writes its EMF metrics there). */
const capturingStdout = async <T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), lines };
  } finally {
    process.stdout.write = write;
  }
};

const poll = async () =>
  (await rt.runJobNow('balance-poll')) as {
    checked: number;
    ok: number;
    failed: number;
    alerts: number;
    durationMs: number;
  };

beforeAll(async () => {
  process.env.BALANCE_POLL_TIMEOUT_MS = String(TIMEOUT_MS);
  // Every poll reads again, so deduplication is the alert state's doing, not the cache's.
  process.env.BALANCE_CACHE_TTL_MS = '0';
  process.env.BALANCE_REFRESH_COOLDOWN_MS = '60000';
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  fake = await startFakeOpenRouterFleet();
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (await http.post('/api/enterprises', { name: 'Balance Co' }, { token: platform })).body.data
    .id;
  token = await rt.mintToken({ subject: 'finance', roles: ['finance'], enterpriseId });
  for (let n = 0; n < 50; n++) {
    const apiKey = `or-key-${n}`;
    credits.set(apiKey, LOW.has(n) ? '12.5' : '100');
    const res = await http.post(
      `/api/enterprises/${enterpriseId}/balance-sources`,
      {
        name: `OpenRouter ${n}`,
        provider: 'openrouter',
        credentials: { apiKey },
        settings: { endpoint: fake.url },
        threshold: '50',
        currency: 'USD',
        realertAfterMinutes: 0,
      },
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    sourceIds.push(res.body.data.id);
  }
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await fake?.close();
  delete process.env.BALANCE_POLL_TIMEOUT_MS;
  delete process.env.BALANCE_CACHE_TTL_MS;
  delete process.env.BALANCE_REFRESH_COOLDOWN_MS;
});

describe('balance poll of 50 sources (5 hang, 5 fail, 5 low)', () => {
  it('completes within its bound, stores 40 readings and 10 failures, alerts once per low source', async () => {
    // A hanging source: three tries of TIMEOUT_MS with 500 ms and 1 s backoff between them, plus
    // time for the table writes; polled one after another, the 50 would take over 20 s.
    const boundMs = 3 * TIMEOUT_MS + 500 + 1_000 + 4_000;
    const { value: summary, lines } = await capturingStdout(poll);
    console.info(`balance poll of 50 sources took ${summary.durationMs} ms (bound ${boundMs} ms)`);
    expect(summary).toMatchObject({ checked: 50, ok: 40, failed: 10, alerts: 5 });
    expect(summary.durationMs).toBeLessThan(boundMs);

    const hung = (await http.get(`/api/balance-sources/${sourceIds[0]}`, { token })).body.data;
    expect(hung.lastReading).toMatchObject({ status: 'failed', balance: null });
    const range = `from=2026-01-01T00:00:00.000Z&to=2099-01-01T00:00:00.000Z`;
    const hungReadings = (await http.get(`/api/balance-sources/${sourceIds[0]}/readings?${range}`, { token }))
      .body.data;
    expect(hungReadings).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 3,
        error: expect.objectContaining({ kind: 'timeout' }),
      }),
    ]);
    const failedReadings = (
      await http.get(`/api/balance-sources/${sourceIds[5]}/readings?${range}`, { token })
    ).body.data;
    expect(failedReadings).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 3,
        error: expect.objectContaining({ kind: 'upstream' }),
      }),
    ]);
    const good = (await http.get(`/api/balance-sources/${sourceIds[20]}/readings?${range}`, { token })).body
      .data;
    expect(good).toEqual([
      expect.objectContaining({ status: 'ok', balance: '100', currency: 'USD', attempts: 1 }),
    ]);

    const low = await alertsOf('balance.low');
    expect(low.map((a) => a.subject).sort()).toEqual(
      [...LOW].map((n) => `balance-source:${sourceIds[n]}`).sort(),
    );
    // CloudWatch embedded-metric-format lines: balance per source, latency, failures, alerts sent.
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    const metricNames = new Set(
      emf.flatMap((m) => m._aws.CloudWatchMetrics[0].Metrics.map((d: any) => d.Name)),
    );
    expect([...metricNames].sort()).toEqual(
      [
        'Balance',
        'BalanceAlertsSent',
        'BalanceReadFailures',
        'BalanceSourcesChecked',
        'ProviderLatency',
      ].sort(),
    );
    expect(emf.filter((m) => m.BalanceAlertsSent !== undefined)).toHaveLength(5);
    expect(emf.filter((m) => m.BalanceReadFailures !== undefined)).toHaveLength(10);
    const summaryApi = (await http.get(`/api/enterprises/${enterpriseId}/balance-summary`, { token })).body
      .data;
    expect(summaryApi).toEqual({ sources: 50, enabled: 50, low: 5, failing: 10, totals: { USD: '3562.5' } });
  });

  it('sends no duplicate alert on the next poll', async () => {
    const summary = await poll();
    expect(summary).toMatchObject({ checked: 50, ok: 40, failed: 10, alerts: 0 });
    expect(await alertsOf('balance.low')).toHaveLength(5);
  });

  it('sends one recovery notice when a low source is topped up', async () => {
    credits.set('or-key-10', '80');
    const summary = await poll();
    expect(summary.alerts).toBe(1);
    const recovered = await alertsOf('balance.recovered');
    expect(recovered.map((a) => a.subject)).toEqual([`balance-source:${sourceIds[10]}`]);
    expect(await alertsOf('balance.low')).toHaveLength(5);
    await poll();
    expect(await alertsOf('balance.recovered')).toHaveLength(1);
  });

  it('forecasts from the readings: a draining source has a depletion date', async () => {
    credits.set('or-key-30', '40');
    await poll();
    const trend = (await http.get(`/api/balance-sources/${sourceIds[30]}/trend?days=7`, { token })).body.data;
    expect(trend.points.map((p: any) => p.balance)).toEqual(['100', '100', '100', '100', '40']);
    expect(trend.forecast).toMatchObject({
      balance: '40',
      consumed: '60',
      daysUntilZero: expect.any(String),
    });
    expect(trend.forecast.depletesAt).toEqual(expect.any(String));
  });
});

describe('balance sources API', () => {
  it('refuses bad configuration at create time with 400 and stores nothing', async () => {
    const before = (await http.get(`/api/enterprises/${enterpriseId}/balance-sources`, { token })).body.data
      .length;
    const base = { name: 'x', threshold: '10', currency: 'USD' };
    const cases = [
      { ...base, provider: 'paypal', credentials: { apiKey: 'k' } },
      {
        ...base,
        provider: 'http-json',
        credentials: { headers: '{"Authorization":"Bearer secret-value-1"}' },
        settings: { url: 'https://example.com/balance', balancePath: '$.data[', currency: 'USD' },
      },
      { ...base, provider: 'deepseek', credentials: {} },
      { ...base, provider: 'openrouter', credentials: { apiKey: 'k' }, settings: { endpoint: 'ftp://x' } },
    ];
    for (const body of cases) {
      const res = await http.post(`/api/enterprises/${enterpriseId}/balance-sources`, body, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
      expect(JSON.stringify(res.body)).not.toContain('secret-value-1');
    }
    const after = (await http.get(`/api/enterprises/${enterpriseId}/balance-sources`, { token })).body.data
      .length;
    expect(after).toBe(before);
  });

  it('refreshes on demand, then answers 429 with Retry-After during the cooldown', async () => {
    const first = await http.post(`/api/balance-sources/${sourceIds[20]}/refresh`, {}, { token });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toMatchObject({ status: 'ok', balance: '100', currency: 'USD' });
    const again = await http.post(`/api/balance-sources/${sourceIds[20]}/refresh`, {}, { token });
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('never returns the credentials, and keeps another enterprise out', async () => {
    const list = await http.get(`/api/enterprises/${enterpriseId}/balance-sources`, { token });
    expect(JSON.stringify(list.body)).not.toContain('or-key-');
    expect(list.body.data[0].credentialHint).toMatch(/^apiKey:/);
    const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
    const other = (await http.post('/api/enterprises', { name: 'Other' }, { token: platform })).body.data.id;
    const outsider = await rt.mintToken({ subject: 'o', roles: ['enterprise-admin'], enterpriseId: other });
    expect((await http.get(`/api/balance-sources/${sourceIds[20]}`, { token: outsider })).status).toBe(404);
    expect(
      (await http.get(`/api/enterprises/${enterpriseId}/balance-sources`, { token: outsider })).status,
    ).toBe(403);
    const viewer = await rt.mintToken({ subject: 'v', roles: ['viewer'], enterpriseId });
    expect(
      (await http.post(`/api/balance-sources/${sourceIds[20]}/refresh`, {}, { token: viewer })).status,
    ).toBe(403);
  });
});
