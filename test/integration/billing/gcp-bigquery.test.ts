/** GcpBigQueryBillSource against a fake BigQuery REST API that checks the bearer token and pages results. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GcpBigQueryBillSource } from '../../../shared/adapters/billing/gcp-bigquery';
import type { RawBillLine } from '../../../shared/domain/bills/types';
import type { BillFetchRequest } from '../../../shared/ports/billing';
import type { FakeBigQuery, FakeBillingRow } from '../../factories/fake-billing/bigquery';
import { startFakeBigQuery } from '../../factories/fake-billing/bigquery';

const TOKEN = 'ya29.fake-access-token-0123456789';
const TABLE = 'billing-admin.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9';
const SERVICE_ACCOUNT_JSON = JSON.stringify({
  type: 'service_account',
  project_id: 'billing-admin',
  client_email: 'tollgate@billing-admin.iam.gserviceaccount.com',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n',
});

const row = (over: Partial<FakeBillingRow>): FakeBillingRow => ({
  usage_date: '2024-03-01',
  service_id: '6F81-5844-456A',
  service_description: 'Compute Engine',
  sku_id: 'CP-COMPUTEENGINE-VMIMAGE-N2-STANDARD-4',
  sku_description: 'N2 Instance Core running in Americas',
  project_id: 'web-prod',
  region: 'us-central1',
  currency: 'USD',
  cost_type: 'regular',
  labels: [],
  cost: '10.000000000',
  credits: '0',
  net_cost: '10.000000000',
  ...over,
});

const MARCH: FakeBillingRow[] = [
  row({
    labels: [
      { key: 'team', value: 'ml' },
      { key: 'env', value: 'prod' },
    ],
    cost: '123456789012345678.123456789',
    credits: '-0.000000001',
    net_cost: '123456789012345678.123456788',
  }),
  row({
    sku_id: 'CP-COMPUTEENGINE-STORAGE-PD-CAPACITY',
    sku_description: 'Storage PD Capacity',
    cost: '0.1',
    credits: '0',
    net_cost: '0.1',
  }),
  row({
    usage_date: '2024-03-02',
    service_id: '24E6-581D-38E5',
    service_description: 'BigQuery',
    region: null,
    cost: '5.25',
    credits: '-5.25',
    net_cost: '0',
  }),
  row({
    usage_date: '2024-03-31',
    cost_type: 'tax',
    sku_id: null,
    sku_description: null,
    region: null,
    cost: '1.99',
    net_cost: '1.99',
  }),
  row({
    usage_date: '2024-03-31',
    project_id: 'data-dev',
    labels: [{ key: 'owner', value: null }],
    cost: '-2.50',
    net_cost: '-2.50',
  }),
];
const FEBRUARY = [row({ usage_date: '2024-02-10', cost: '7.77', net_cost: '7.77' })];

let fake: FakeBigQuery;
let source: GcpBigQueryBillSource;

beforeAll(async () => {
  fake = await startFakeBigQuery({
    token: TOKEN,
    table: TABLE,
    rowsByMonth: { '202403': MARCH, '202402': FEBRUARY },
  });
  source = new GcpBigQueryBillSource({ tokenProvider: async () => TOKEN, baseUrl: fake.url });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.requests.length = 0;
});

const request = (over: Partial<BillFetchRequest> = {}): BillFetchRequest => ({
  provider: 'gcp',
  accountId: '01A2B3-C4D5E6-F7A8B9',
  periodMonth: '2024-03',
  credentials: { serviceAccountJson: SERVICE_ACCOUNT_JSON },
  settings: { table: TABLE },
  ...over,
});

async function collect(req: BillFetchRequest, from = source) {
  const pages: RawBillLine[][] = [];
  for await (const page of from.fetchPages(req)) pages.push(page.lines);
  return { pages, lines: pages.flat() };
}

async function failure(req: BillFetchRequest, from = source): Promise<Error> {
  const error = await collect(req, from).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('fetching', () => {
  it('follows pageToken through every page and maps rows exactly, net of credits', async () => {
    const { pages, lines } = await collect(request());

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(lines.map((l) => l.amount)).toEqual(['123456789012345678.123456788', '0.1', '0', '1.99', '-2.50']);
    expect(lines[0]).toEqual({
      sourceKey: expect.stringMatching(
        /^2024-03-01\|web-prod\|6F81-5844-456A\|CP-COMPUTEENGINE-VMIMAGE-N2-STANDARD-4\|us-central1\|USD\|regular\|[0-9a-f]{16}$/,
      ),
      billingDate: '2024-03-01',
      originalServiceName: 'Compute Engine',
      region: 'us-central1',
      usageAccountId: 'web-prod',
      currency: 'USD',
      amount: '123456789012345678.123456788',
      tags: { team: 'ml', env: 'prod' },
      rawPayload: expect.objectContaining({ cost: '123456789012345678.123456789', credits: '-0.000000001' }),
    });
    expect(lines[2]).toMatchObject({ originalServiceName: 'BigQuery', region: undefined, amount: '0' });
    expect(lines[3]!.sourceKey).toBe('2024-03-31|web-prod|6F81-5844-456A|||USD|tax|');
    expect(lines[4]).toMatchObject({ usageAccountId: 'data-dev', tags: { owner: '' } });
  });

  it('sends one parameterized standard-SQL jobs.query for the invoice month, then getQueryResults by pageToken', async () => {
    await collect(request({ settings: { table: TABLE, location: 'US' } }));
    const [insert, ...reads] = fake.requests;

    expect(insert!.method).toBe('POST');
    expect(insert!.path).toBe('/bigquery/v2/projects/billing-admin/queries');
    expect(insert!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(insert!.body).toMatchObject({
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: [
        { name: 'invoice_month', parameterType: { type: 'STRING' }, parameterValue: { value: '202403' } },
      ],
      maxResults: 10000,
      location: 'US',
    });
    expect(insert!.body.query).toContain(`FROM \`${TABLE}\``);
    expect(insert!.body.query).toContain('CAST(cost AS NUMERIC)');

    expect(reads).toHaveLength(2);
    const jobId = reads[0]!.path.split('/').at(-1);
    expect(jobId).toMatch(/^job_[0-9a-f]{32}$/);
    expect(reads.map((r) => r.path)).toEqual([
      `/bigquery/v2/projects/billing-admin/queries/${jobId}`,
      `/bigquery/v2/projects/billing-admin/queries/${jobId}`,
    ]);
    expect(reads.map((r) => r.query.get('location'))).toEqual(['US', 'US']);
    expect(reads.map((r) => Buffer.from(r.query.get('pageToken') ?? '', 'base64').toString())).toEqual([
      '2',
      '4',
    ]);
    expect(reads.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('asks only for the requested invoice month', async () => {
    const { lines } = await collect(request({ periodMonth: '2024-02' }));
    expect(lines.map((l) => [l.billingDate, l.amount])).toEqual([['2024-02-10', '7.77']]);
    expect(fake.requests[0]!.body.queryParameters[0].parameterValue.value).toBe('202402');
  });

  it('derives the export table from dataset and billing account, running the job in the configured project', async () => {
    const derived = await startFakeBigQuery({
      token: TOKEN,
      table: 'example.com:fin-tools.exports.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9',
      rowsByMonth: { '202403': MARCH.slice(0, 1) },
    });
    try {
      const viaDataset = new GcpBigQueryBillSource({
        tokenProvider: async () => TOKEN,
        baseUrl: derived.url,
      });
      const { lines } = await collect(
        request({ settings: { dataset: 'example.com:fin-tools.exports' } }),
        viaDataset,
      );
      expect(lines).toHaveLength(1);
      expect(derived.requests[0]!.path).toBe('/bigquery/v2/projects/example.com:fin-tools/queries');
      await collect(
        request({ settings: { dataset: 'example.com:fin-tools.exports', projectId: 'query-runner' } }),
        viaDataset,
      );
      expect(derived.requests.at(-1)!.path).toBe('/bigquery/v2/projects/query-runner/queries');
    } finally {
      await derived.close();
    }
  });

  it('polls getQueryResults while the job is still running', async () => {
    const slow = await startFakeBigQuery({
      token: TOKEN,
      table: TABLE,
      rowsByMonth: { '202403': MARCH },
      pendingPolls: 2,
      pageSize: 10,
    });
    try {
      const viaSlow = new GcpBigQueryBillSource({ tokenProvider: async () => TOKEN, baseUrl: slow.url });
      const { pages } = await collect(request(), viaSlow);
      expect(pages.map((p) => p.length)).toEqual([5]);
      // The query, two polls that find it running, the one that finds it done.
      expect(slow.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
      expect(slow.requests.slice(1).every((r) => r.query.get('timeoutMs') === '10000')).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('maps labels to tags and gives the same unique sourceKeys on every fetch, whatever the label order', async () => {
    const first = await collect(request());
    const second = await collect(request());
    const keys = first.lines.map((l) => l.sourceKey);
    expect(second.lines.map((l) => l.sourceKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(first.lines.map((l) => l.tags)).toEqual([{ team: 'ml', env: 'prod' }, {}, {}, {}, { owner: '' }]);
  });
});

describe('failures', () => {
  it('a bad token is rejected: UNAUTHENTICATED/authError, the token not in the message', async () => {
    const wrong = 'ya29.wrong-token-9876543210';
    const bad = new GcpBigQueryBillSource({ tokenProvider: async () => wrong, baseUrl: fake.url });
    const error = await failure(request(), bad);
    expect(error.message).toMatch(
      /^gcp BigQuery jobs\.query failed: UNAUTHENTICATED\/authError \(HTTP 401\)/,
    );
    expect(error.message).not.toContain(wrong);
  });

  it('rate limits and backend errors are thrown with the status and reason', async () => {
    fake.setMode('rate_limited');
    expect((await failure(request())).message).toMatch(/PERMISSION_DENIED\/rateLimitExceeded \(HTTP 403\)/);
    fake.setMode('backend_error');
    expect((await failure(request())).message).toMatch(/UNAVAILABLE\/backendError \(HTTP 503\)/);
  });

  it('a failure while reading results names the job', async () => {
    fake.setMode('backend_error_on_results');
    const error = await failure(request());
    expect(error.message).toMatch(
      /jobs\.getQueryResults failed: UNAVAILABLE\/backendError \(HTTP 503\).* \(job job_[0-9a-f]{32}\)$/,
    );
  });

  it('validates credentials and settings before calling out, without echoing values', async () => {
    expect((await failure(request({ credentials: {} }))).message).toBe(
      'gcp credentials: serviceAccountJson missing',
    );
    const notJson = await failure(
      request({ credentials: { serviceAccountJson: '{"private_key": "-----BEGIN' } }),
    );
    expect(notJson.message).toBe('gcp credentials: serviceAccountJson is not JSON');
    expect(notJson.message).not.toContain('BEGIN');
    const noKey = await failure(
      request({ credentials: { serviceAccountJson: JSON.stringify({ client_email: 'a@b.c' }) } }),
    );
    expect(noKey.message).toBe('gcp credentials: serviceAccountJson lacks private_key');
    expect((await failure(request({ settings: {} }))).message).toBe('gcp settings: table missing');
    expect((await failure(request({ settings: { table: 'p.d.t` WHERE 1=1 --' } }))).message).toBe(
      'gcp settings: table invalid',
    );
    expect(
      (await failure(request({ settings: { dataset: 'my-proj.ds' }, accountId: 'not-an-account' }))).message,
    ).toMatch(/is not a billing account id/);
    expect(fake.requests).toHaveLength(0);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(request({ signal: controller.signal }))).rejects.toThrow();
    expect(fake.requests).toHaveLength(0);
  });
});
