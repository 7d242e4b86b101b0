/**
 * A fake BigQuery REST API v2 on 127.0.0.1 for the Cloud Billing export query: `jobs.query`
 * (`POST /bigquery/v2/projects/{p}/queries`) and `jobs.getQueryResults`
 * (`GET /bigquery/v2/projects/{p}/queries/{jobId}`). It checks `Authorization: Bearer <token>`,
 * that the query is standard SQL over the expected table with a NAMED STRING parameter
 * `invoice_month`, and serves the rows configured for that month in `{f:[{v}]}` form with the
 * query's schema (NUMERIC and DATE as strings, labels as a REPEATED RECORD), `maxResults`-capped
 * pages linked by pageToken. It can keep the job running for a few polls, and answers errors in the
 * google.rpc shape `{error:{code,message,errors[{message,domain,reason}],status}}`. Every request
 * is recorded.
 */
import { randomUUID } from 'node:crypto';
import type { FakeResponse, RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';

export type FakeBigQueryMode =
  | 'ok'
  /** 403 rateLimitExceeded on jobs.query. */
  | 'rate_limited'
  /** 503 backendError on jobs.query. */
  | 'backend_error'
  /** jobs.query succeeds; every jobs.getQueryResults answers 503 backendError. */
  | 'backend_error_on_results';

/** One result row of the export query, decoded; money is decimal strings. */
export interface FakeBillingRow {
  usage_date: string;
  service_id: string | null;
  service_description: string | null;
  sku_id: string | null;
  sku_description: string | null;
  project_id: string | null;
  region: string | null;
  currency: string;
  cost_type: string | null;
  labels: { key: string; value: string | null }[];
  cost: string;
  credits: string;
  net_cost: string;
}

export interface FakeBigQueryOptions {
  token: string;
  /** Full table id the query must read, `project.dataset.table`. */
  table: string;
  /** Rows per invoice month `YYYYMM`. */
  rowsByMonth?: Record<string, FakeBillingRow[]>;
  /** Rows per page at most (the request's maxResults also caps it); default 2. */
  pageSize?: number;
  /** getQueryResults calls answering jobComplete=false before the job completes; default 0. */
  pendingPolls?: number;
}

export interface FakeBigQuery {
  url: string;
  requests: RecordedRequest[];
  setMode(mode: FakeBigQueryMode): void;
  close(): Promise<void>;
}

const SCHEMA = {
  fields: [
    { name: 'usage_date', type: 'DATE', mode: 'NULLABLE' },
    { name: 'service_id', type: 'STRING', mode: 'NULLABLE' },
    { name: 'service_description', type: 'STRING', mode: 'NULLABLE' },
    { name: 'sku_id', type: 'STRING', mode: 'NULLABLE' },
    { name: 'sku_description', type: 'STRING', mode: 'NULLABLE' },
    { name: 'project_id', type: 'STRING', mode: 'NULLABLE' },
    { name: 'region', type: 'STRING', mode: 'NULLABLE' },
    { name: 'currency', type: 'STRING', mode: 'NULLABLE' },
    { name: 'cost_type', type: 'STRING', mode: 'NULLABLE' },
    { name: 'labels_key', type: 'STRING', mode: 'NULLABLE' },
    {
      name: 'labels',
      type: 'RECORD',
      mode: 'REPEATED',
      fields: [
        { name: 'key', type: 'STRING', mode: 'NULLABLE' },
        { name: 'value', type: 'STRING', mode: 'NULLABLE' },
      ],
    },
    { name: 'cost', type: 'NUMERIC', mode: 'NULLABLE' },
    { name: 'credits', type: 'NUMERIC', mode: 'NULLABLE' },
    { name: 'net_cost', type: 'NUMERIC', mode: 'NULLABLE' },
  ],
};

interface Job {
  projectId: string;
  jobId: string;
  location: string;
  rows: FakeBillingRow[];
  pending: number;
}

export async function startFakeBigQuery(options: FakeBigQueryOptions): Promise<FakeBigQuery> {
  let mode: FakeBigQueryMode = 'ok';
  const jobs = new Map<string, Job>();
  const pageSize = options.pageSize ?? 2;

  const server = await startRecordingServer((recorded, res) => {
    if (recorded.headers.authorization !== `Bearer ${options.token}`) {
      return sendError(
        res,
        401,
        'UNAUTHENTICATED',
        'authError',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      );
    }
    const insert = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(recorded.path);
    if (insert && recorded.method === 'POST') return query(recorded, res, insert[1] ?? '');
    const results = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(recorded.path);
    if (results && recorded.method === 'GET') return getQueryResults(recorded, res, results[2] ?? '');
    return sendError(res, 404, 'NOT_FOUND', 'notFound', `${recorded.method} ${recorded.path} not found`);
  });

  function query(recorded: RecordedRequest, res: FakeResponse, projectId: string): void {
    if (mode === 'rate_limited') {
      return sendError(
        res,
        403,
        'PERMISSION_DENIED',
        'rateLimitExceeded',
        'Exceeded rate limits: too many api requests per user per method for this user_method. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas',
        'usageLimits',
      );
    }
    if (mode === 'backend_error') {
      return sendError(
        res,
        503,
        'UNAVAILABLE',
        'backendError',
        'Error encountered during execution. Retrying may solve the problem.',
      );
    }
    const body = (recorded.body ?? {}) as Record<string, any>;
    if (body.useLegacySql !== false || body.parameterMode !== 'NAMED' || typeof body.query !== 'string') {
      return sendError(
        res,
        400,
        'INVALID_ARGUMENT',
        'invalidQuery',
        'Expected a standard SQL query with NAMED parameters.',
      );
    }
    if (!body.query.includes(`FROM \`${options.table}\``)) {
      return sendError(res, 404, 'NOT_FOUND', 'notFound', 'Not found: Table was not found in location US');
    }
    const param = (body.queryParameters ?? []).find((p: any) => p.name === 'invoice_month');
    const month = param?.parameterValue?.value;
    if (
      param?.parameterType?.type !== 'STRING' ||
      !/^\d{6}$/.test(String(month)) ||
      !body.query.includes('invoice.month = @invoice_month')
    ) {
      return sendError(
        res,
        400,
        'INVALID_ARGUMENT',
        'invalidQuery',
        'Query parameter invoice_month (STRING YYYYMM) is required.',
      );
    }
    const job: Job = {
      projectId,
      jobId: `job_${randomUUID().replace(/-/g, '')}`,
      location: typeof body.location === 'string' ? body.location : 'US',
      rows: options.rowsByMonth?.[month] ?? [],
      pending: options.pendingPolls ?? 0,
    };
    jobs.set(job.jobId, job);
    send(res, 200, answer('bigquery#queryResponse', job, 0, Number(body.maxResults ?? 0)));
  }

  function getQueryResults(recorded: RecordedRequest, res: FakeResponse, jobId: string): void {
    const job = jobs.get(jobId);
    const location = recorded.query.get('location');
    if (!job || (location !== null && location !== job.location)) {
      return sendError(res, 404, 'NOT_FOUND', 'notFound', `Not found: Job ${jobId}`);
    }
    if (mode === 'backend_error_on_results') {
      return sendError(
        res,
        503,
        'UNAVAILABLE',
        'backendError',
        'Error encountered during execution. Retrying may solve the problem.',
      );
    }
    const token = recorded.query.get('pageToken');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'invalid', 'Invalid page token.');
    }
    send(
      res,
      200,
      answer('bigquery#getQueryResultsResponse', job, offset, Number(recorded.query.get('maxResults') ?? 0)),
    );
  }

  /** A running job answers jobComplete=false (one poll less each time); a done one a page. */
  function answer(kind: string, job: Job, offset: number, maxResults: number): Record<string, unknown> {
    const jobReference = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (job.pending > 0) {
      if (kind === 'bigquery#getQueryResultsResponse') job.pending -= 1;
      return { kind, jobReference, jobComplete: false };
    }
    const size = maxResults > 0 ? Math.min(maxResults, pageSize) : pageSize;
    const rows = job.rows.slice(offset, offset + size);
    const next =
      offset + size < job.rows.length ? Buffer.from(String(offset + size)).toString('base64') : undefined;
    return {
      kind,
      schema: SCHEMA,
      jobReference,
      totalRows: String(job.rows.length),
      ...(rows.length ? { rows: rows.map(encodeRow) } : {}),
      ...(next ? { pageToken: next } : {}),
      totalBytesProcessed: '1048576',
      jobComplete: true,
      cacheHit: false,
    };
  }

  return {
    url: server.url,
    requests: server.requests,
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}

/** The query's `labels_key` (sorted labels as JSON) and the row, in BigQuery's `{f:[{v}]}` form. */
function encodeRow(row: FakeBillingRow): { f: { v: unknown }[] } {
  const sorted = [...row.labels].sort((a, b) =>
    a.key === b.key ? String(a.value).localeCompare(String(b.value)) : a.key.localeCompare(b.key),
  );
  const values: Record<string, unknown> = {
    ...row,
    labels_key: JSON.stringify(sorted.map(({ key, value }) => ({ key, value }))),
    labels: row.labels.map((label) => ({ v: { f: [{ v: label.key }, { v: label.value }] } })),
  };
  return { f: SCHEMA.fields.map((field) => ({ v: values[field.name] ?? null })) };
}

function send(res: FakeResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function sendError(
  res: FakeResponse,
  code: number,
  status: string,
  reason: string,
  message: string,
  domain = 'global',
): void {
  send(res, code, { error: { code, message, errors: [{ message, domain, reason }], status } });
}
