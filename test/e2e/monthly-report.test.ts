/**
 * The monthly AI cost report through the local stack: the API starts the state machine synthesized
 * from the CDK definition, run by aws-local-stepfunctions with the step function bound to its
 * Tasks; the report is written by a model through Tollgate's own gateway (the labelled demo
 * upstream, whose structured answer is the draft it was sent, validated like any model's), or by
 * the template when the model fails; it is stored once per period and snapshot version and
 * e-mailed through SES local with the top costs attached as CSV.
 */
import { ulid } from 'ulidx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoUpstream, type DemoUpstream } from '../../infra/local/demo-upstream';
import { startLocalStepFunctions } from '../../infra/local/step-functions';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { createAiAccount } from '../factories/ai-accounts';
import { scanTable } from '../factories/dynamo-table';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const PERIOD = '2026-10';

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let demo: DemoUpstream;
let broken: FakeOpenAi;
let token: string;

const ok = async (res: Promise<{ status: number; body: any }>, status = 200) => {
  const { status: got, body } = await res;
  expect(got, JSON.stringify(body)).toBe(status);
  return body.data;
};

interface Tenant {
  enterpriseId: string;
  groupKey: string;
}

/** An enterprise with October bills (FOCUS), gateway usage, a group key and its report settings. */
const tenant = async (
  name: string,
  upstream: { url: string; apiKey: string; model: string },
): Promise<Tenant> => {
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const enterpriseId = (
    await ok(
      http.post('/api/enterprises', { name, settings: { reportingCurrency: 'USD' } }, { token: platform }),
      201,
    )
  ).id;
  token = await rt.mintToken({ subject: 'cfo', roles: ['enterprise-admin'], enterpriseId });
  const auth = { token };
  const groupId = (
    await ok(http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Reports' }, auth), 201)
  ).id;
  await createAiAccount(http, token, enterpriseId, {
    name: `${name} writer`,
    serviceType: 'vllm',
    accountType: 'shared',
    apiKey: upstream.apiKey,
    endpoint: upstream.url,
    supportedModels: [upstream.model],
  });
  await ok(
    http.put(
      `/api/groups/${groupId}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: {
          mode: 'shared',
          poolConfig: [{ serviceType: 'vllm', maxUsagePercent: 100, priority: 1 }],
        },
        quotaConfig: { dailyTokenLimit: 10_000_000 },
      },
      auth,
    ),
  );
  const groupKey = (await ok(http.post(`/api/groups/${groupId}/api-keys`, { name: 'reports' }, auth), 201))
    .key;

  const focus = await ok(
    http.post(
      `/api/enterprises/${enterpriseId}/cloud-accounts`,
      { provider: 'focus', accountId: `${name}-focus`, accountName: 'FOCUS' },
      auth,
    ),
    201,
  );
  const header =
    'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,ServiceName,ChargeCategory,ChargeDescription,BillingAccountId,ResourceId,Tags';
  // September is imported first, so October's snapshot compares with it (the report's change).
  const months = [
    { period: '2026-09', start: '2026-09', end: '2026-10', rows: [['1000.00', 'Compute', 'vm-1']] },
    {
      period: PERIOD,
      start: '2026-10',
      end: '2026-11',
      rows: [
        ['1200.00', 'Compute', 'vm-1'],
        ['300.50', 'Storage', 's3-1'],
      ],
    },
  ];
  for (const { period, start, end, rows } of months) {
    const csv = rows.map(
      ([cost, service, id]) =>
        `${cost},${cost},USD,${start}-03T00:00:00Z,${start}-04T00:00:00Z,${start}-01T00:00:00Z,${end}-01T00:00:00Z,${service},Usage,x,acct-1,${id},"{""project"":""apollo""}"`,
    );
    const job = await ok(
      http.post(
        `/api/cloud-accounts/${focus.id}/focus-uploads`,
        { periodMonth: period, mode: 'all-or-nothing', csv: [header, ...csv].join('\n') },
        auth,
      ),
      202,
    );
    for (let status = ''; status !== 'success'; await new Promise((r) => setTimeout(r, 200))) {
      status = (await ok(http.get(`/api/sync-jobs/${job.id}`, auth))).status;
      expect(status).not.toBe('failed');
    }
  }
  const usage = (at: string, cost: string) => ({
    requestId: ulid(),
    at,
    enterpriseId,
    groupId,
    userId: null,
    apiKeyId: 'k',
    accountId: 'acct',
    serviceType: 'openai',
    model: 'gpt-4o',
    requestType: 'chat' as const,
    promptTokens: 1000,
    completionTokens: 500,
    cachedPromptTokens: 0,
    cost,
    currency: 'USD',
    latencyMs: 100,
    status: 'success' as const,
    errorCode: null,
    estimated: false,
    failovers: [],
  });
  await new DynamoUsageStore(exactNumbersDocumentClient(), rt.tableName).recordBatch([
    usage('2026-09-15T10:00:00.000Z', '50.00'),
    usage('2026-10-15T10:00:00.000Z', '99.50'),
  ]);
  await ok(
    http.put(
      `/api/enterprises/${enterpriseId}/report-settings`,
      { recipients: ['finance@example.com'], llm: { model: upstream.model, apiKey: groupKey } },
      auth,
    ),
  );
  return { enterpriseId, groupKey };
};

/** Starts the workflow and waits for the period's report to be complete (generated or failed). */
const generate = async (enterpriseId: string) => {
  const started = await ok(
    http.post(`/api/enterprises/${enterpriseId}/reports/generate`, { periodMonth: PERIOD }, { token }),
    202,
  );
  expect(started.executionId).toMatch(/^arn:aws:states:/);
  for (let i = 0; i < 150; i++) {
    const { items } = await ok(
      http.get(`/api/enterprises/${enterpriseId}/reports?periodMonth=${PERIOD}`, { token }),
    );
    if (items[0] && items[0].status !== 'pending') return items as any[];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the report did not complete');
};

const mailsTo = async (subjectPart: string) => {
  const store = (await (await fetch(`${rt.sesEndpoint}/store`)).json()) as { emails: any[] };
  return store.emails.filter((e) => String(e.subject).includes(subjectPart));
};

beforeAll(async () => {
  demo = await startDemoUpstream(0, { paced: false });
  broken = await startFakeOpenAi();
  broken.setMode({ kind: 'server_error', status: 500 });
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await demo?.close();
  await broken?.close();
});

describe('monthly AI cost report', () => {
  it('is written through the gateway by the model, validated, stored once and e-mailed with its CSV', async () => {
    const { enterpriseId } = await tenant('Report Co', {
      url: demo.url,
      apiKey: 'demo-key-123',
      model: 'demo-echo-small',
    });
    const [report] = await generate(enterpriseId);
    expect(report).toMatchObject({
      status: 'generated',
      writer: 'llm',
      fallbackReason: null,
      emailStatus: 'sent',
      recipients: ['finance@example.com'],
      sourceSnapshotVersion: expect.any(Number),
    });
    // 1,200.00 + 300.50 of cloud bills and 99.50 through the gateway.
    expect(report.summary).toMatchObject({
      periodMonth: PERIOD,
      currency: 'USD',
      cloudCost: '1500.50',
      aiGatewayCost: '99.50',
      totalCost: '1600.00',
      previousTotalCost: '1050.00',
      // (1,600.00 − 1,050.00) / 1,050.00: September's 1,000.00 of bills and 50.00 through the gateway.
      changePercent: '52.38',
    });

    const [mail] = await mailsTo('Report Co');
    expect(mail.destination.to).toEqual(['finance@example.com']);
    expect(mail.subject).toContain('1,600.00');
    expect(mail.body.html).toContain('<table');
    expect(mail.body.text).toContain(PERIOD);
    const [csv] = mail.attachments;
    expect(csv.filename).toBe(`ai-cost-report-${PERIOD}-top-costs.csv`);
    const rows = Buffer.from(csv.content, 'base64').toString('utf8').trim().split('\n');
    // Services by their normalized category, the project by its tag, the gateway group by name.
    expect(rows).toEqual([
      'dimension,key,amount,currency',
      'project,apollo,1500.50,USD',
      expect.stringMatching(/^account,\w+,1500\.50,USD$/),
      'service,compute,1200.00,USD',
      'service,storage,300.50,USD',
      'group,Reports,99.50,USD',
    ]);

    // The same period and snapshot version: the same report, not sent twice.
    const again = await generate(enterpriseId);
    expect(again.map((r) => r.id)).toEqual([report.id]);
    expect(await mailsTo('Report Co')).toHaveLength(1);

    const full = await ok(http.get(`/api/reports/${report.id}`, { token }));
    expect(full.markdown).toContain('1,600.00');
    const etag = (await http.get(`/api/reports/${report.id}`, { token })).headers.get('etag');
    expect(etag).toBeTruthy();
    const unchanged = await http.get(`/api/reports/${report.id}`, {
      token,
      headers: { 'if-none-match': etag! },
    });
    expect(unchanged.status).toBe(304);
    const csvFile = await http.get(`/api/reports/${report.id}/download?format=csv`, { token });
    expect(csvFile.status).toBe(200);
    expect(csvFile.headers.get('content-type')).toContain('text/csv');
    expect(String(csvFile.body)).toContain('service,compute,1200.00,USD');
  });

  it('falls back to the template when the model keeps failing, and records why', async () => {
    const { enterpriseId } = await tenant('Fallback Co', {
      url: broken.url,
      apiKey: 'sk-broken-key-1',
      model: 'gpt-4o',
    });
    const [report] = await generate(enterpriseId);
    expect(report).toMatchObject({ status: 'generated', writer: 'template', emailStatus: 'sent' });
    expect(report.fallbackReason).toMatch(/\S/);
    expect(report.summary.totalCost).toBe('1600.00');
    expect(await mailsTo('Fallback Co')).toHaveLength(1);
  });
});

describe('jobs API', () => {
  it('runs a scheduled job now for a platform admin, and says which jobs exist', async () => {
    const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
    const run = await ok(http.post('/api/jobs/pnl-rollup/run', {}, { token: platform }));
    expect(run).toMatchObject({ name: 'pnl-rollup', result: { enterprises: expect.any(Number) } });
    const unknown = await http.post('/api/jobs/no-such-job/run', {}, { token: platform });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('pnl-rollup');
  });

  it('starts the state machine on its monthly schedule, as EventBridge Scheduler does', async () => {
    expect(rt.jobs()).toContain('monthly-report');
    // The schedule's input is {}: the month before this one, for every enterprise.
    expect(await rt.runJobNow('monthly-report')).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('a failing run', () => {
  it('marks nothing generated, runs the Fail step and notifies, and the execution still ends', async () => {
    const { enterpriseId } = await tenant('Failing Co', {
      url: demo.url,
      apiKey: 'demo-key-123',
      model: 'demo-echo-small',
    });
    // The real step function, but gathering fails as if the table were unreachable.
    const { handler } = await import('../../functions/workflows/report-workflow/handler');
    const steps: string[] = [];
    const sfn = await startLocalStepFunctions({
      invoke: (_name, payload) => {
        const { step } = payload as { step: string };
        steps.push(step);
        return step === 'gather'
          ? Promise.reject(new Error('the bill store is unreachable'))
          : (handler(payload as never) as Promise<unknown>);
      },
    });
    try {
      const execution = sfn.start('monthly-report', { periodMonth: PERIOD, enterpriseId });
      await execution.done;
      expect(execution.status, execution.error).toBe('SUCCEEDED');
    } finally {
      await sfn.stop();
    }
    // Gather is retried only for Lambda's own transient errors; this one goes straight to Fail.
    expect(steps).toEqual(['plan', 'freeze', 'gather', 'fail']);
    const { items } = await ok(http.get(`/api/enterprises/${enterpriseId}/reports`, { token }));
    expect(items).toEqual([]);
    const alerts = (await scanTable(rt.dynamoEndpoint, rt.tableName)).filter(
      (i) => i.__edb_e__ === 'alert' && i.enterpriseId === enterpriseId && i.kind === 'report.failed',
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toContain('the bill store is unreachable');
  });
});
