/**
 * GCP bills: the Cloud Billing standard usage cost export in BigQuery, queried over the BigQuery
 * REST API v2 with global fetch.
 *
 * Wire format followed:
 * - Export schema (docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage):
 *   table `gcp_billing_export_v1_<BILLING_ACCOUNT_ID>` (dashes as underscores); columns
 *   usage_start_time, service{id,description}, sku{id,description}, project{id}, location{region},
 *   labels ARRAY<STRUCT<key,value>>, cost FLOAT64, currency, credits ARRAY<STRUCT<…, amount FLOAT64>>,
 *   invoice{month 'YYYYMM'}, cost_type (regular / tax / adjustment / rounding error).
 * - jobs.query (docs.cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query):
 *   `POST {base}/bigquery/v2/projects/{projectId}/queries` with `{query, useLegacySql:false,
 *   parameterMode:'NAMED', queryParameters[{name, parameterType{type}, parameterValue{value}}],
 *   maxResults, timeoutMs, location}`; the answer holds `jobReference{projectId,jobId,location}`,
 *   `jobComplete`, and once complete `schema{fields[{name,type,mode,fields}]}`, `rows[{f:[{v}]}]`,
 *   `pageToken`. jobs.getQueryResults (…/rest/v2/jobs/getQueryResults):
 *   `GET {base}/bigquery/v2/projects/{projectId}/queries/{jobId}?location&pageToken&maxResults&timeoutMs`,
 *   same shape; poll it while jobComplete is false, then follow pageToken until none. Cell values
 *   arrive as strings (NUMERIC in decimal notation), REPEATED as `[{v}]`, RECORD as `{f:[…]}`:
 *   rows are decoded by the schema and no value goes through a JS number.
 * - Errors: the google.rpc shape `{error:{code,message,status,errors[{reason,domain,message}]}}`,
 *   e.g. 401 UNAUTHENTICATED/authError, 403 rateLimitExceeded, 500 internalError, 503 backendError
 *   (docs.cloud.google.com/bigquery/docs/error-messages). Google answers carry no request id; the
 *   job id is named once the job exists.
 * - Auth: an OAuth2 access token for scope bigquery.readonly from the service account key, via
 *   google-auth-library 10 `JWT` (or the injected tokenProvider).
 *
 * Amounts: the export's cost and credits are FLOAT64. The query casts each to NUMERIC (exact
 * decimal, 9 fractional digits) before summing, so sums carry no float noise. A line's `amount` is
 * the net cost, SUM(cost) + SUM(credits.amount) (credits are negative), computed in NUMERIC by
 * BigQuery; the gross `cost` and `credits` are kept in rawPayload. Lines are grouped by usage day
 * (UTC date of usage_start_time), project, service, SKU, region, currency, cost_type and label set.
 */
import { createHash } from 'node:crypto';
import { JWT } from 'google-auth-library';
import { z } from 'zod';
import type { RawBillLine, RawBillPage } from '../../domain/bills/types';
import type { BillFetchRequest, BillSource } from '../../ports/billing';
import { parseOrThrow } from './validation';

const DEFAULT_BASE_URL = 'https://bigquery.googleapis.com';
const SCOPE = 'https://www.googleapis.com/auth/bigquery.readonly';
const MAX_RESULTS = 10_000;
const WAIT_MS = 10_000;

export interface GcpBigQueryBillSourceOptions {
  /** An OAuth2 access token; default: one minted from the request's service account key. */
  tokenProvider?: () => Promise<string>;
  /** Default https://bigquery.googleapis.com. */
  baseUrl?: string;
}

const required = () => z.string({ error: 'missing' }).trim().min(1, { error: 'missing' });

const credentialsSchema = z.object({ serviceAccountJson: required() });
const serviceAccountSchema = z.object({ client_email: z.string().min(1), private_key: z.string().min(1) });

// Identifiers are spliced into the SQL (they cannot be parameters), so only safe characters pass.
const PROJECT = '[a-z0-9][a-z0-9.:-]*[a-z0-9]';
const DATASET = '[A-Za-z0-9_]+';
const settingsSchema = z
  .object({
    /** Full table id `project.dataset.table`. */
    table: z
      .string()
      .regex(new RegExp(`^${PROJECT}\\.${DATASET}\\.[A-Za-z0-9_]+$`))
      .optional(),
    /** `project.dataset` holding the export table named after the billing account. */
    dataset: z
      .string()
      .regex(new RegExp(`^${PROJECT}\\.${DATASET}$`))
      .optional(),
    /** Project the query job runs (and is billed) in; default the table's project. */
    projectId: z
      .string()
      .regex(new RegExp(`^${PROJECT}$`))
      .optional(),
    /** Job location (`US`, `EU`, `europe-west1`, …) when the dataset is not in US/EU. */
    location: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional(),
  })
  .refine((s) => s.table ?? s.dataset, { message: 'missing', path: ['table'] });

const QUERY_SQL = (table: string): string => `
WITH lines AS (
  SELECT
    DATE(usage_start_time) AS usage_date,
    service.id AS service_id,
    service.description AS service_description,
    sku.id AS sku_id,
    sku.description AS sku_description,
    project.id AS project_id,
    location.region AS region,
    currency,
    cost_type,
    labels,
    TO_JSON_STRING(ARRAY(SELECT AS STRUCT key, value FROM UNNEST(labels) ORDER BY key, value)) AS labels_key,
    CAST(cost AS NUMERIC) AS cost,
    IFNULL((SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c), 0) AS credits
  FROM \`${table}\`
  WHERE invoice.month = @invoice_month
)
SELECT
  usage_date, service_id, service_description, sku_id, sku_description, project_id, region,
  currency, cost_type, labels_key, ANY_VALUE(labels) AS labels,
  SUM(cost) AS cost, SUM(credits) AS credits, SUM(cost) + SUM(credits) AS net_cost
FROM lines
GROUP BY usage_date, service_id, service_description, sku_id, sku_description, project_id, region,
  currency, cost_type, labels_key
ORDER BY usage_date, project_id, service_id, sku_id, region, currency, cost_type, labels_key`;

interface FieldSchema {
  name: string;
  type: string;
  mode?: string;
  fields?: FieldSchema[];
}
const fieldSchema: z.ZodType<FieldSchema> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    mode: z.string().optional(),
    fields: z.array(fieldSchema).optional(),
  }),
);
const tableRowSchema = z.object({ f: z.array(z.object({ v: z.unknown() })) });
type TableRow = z.infer<typeof tableRowSchema>;

const queryResponseSchema = z.object({
  jobReference: z.object({ jobId: z.string(), location: z.string().optional() }),
  jobComplete: z.boolean(),
  schema: z.object({ fields: z.array(fieldSchema) }).optional(),
  rows: z.array(tableRowSchema).optional(),
  pageToken: z.string().optional(),
});
type QueryResponse = z.infer<typeof queryResponseSchema>;

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);
const nullableText = z.string().nullable();
const lineRowSchema = z.object({
  usage_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  service_id: nullableText,
  service_description: nullableText,
  sku_id: nullableText,
  sku_description: nullableText,
  project_id: nullableText,
  region: nullableText,
  currency: z.string().regex(/^[A-Z]{3}$/),
  cost_type: nullableText,
  labels_key: z.string(),
  labels: z.array(z.object({ key: z.string(), value: nullableText })),
  cost: decimalString,
  credits: decimalString,
  net_cost: decimalString,
});
type LineRow = z.infer<typeof lineRowSchema>;

export class GcpBigQueryBillSource implements BillSource {
  private readonly baseUrl: string;

  constructor(private readonly options: GcpBigQueryBillSourceOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async *fetchPages(request: BillFetchRequest): AsyncIterable<RawBillPage> {
    const { serviceAccountJson } = parseOrThrow(credentialsSchema, request.credentials, 'gcp credentials');
    const serviceAccount = parseServiceAccount(serviceAccountJson);
    const settings = parseOrThrow(settingsSchema, request.settings, 'gcp settings');
    const month = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(request.periodMonth);
    if (!month) throw new Error(`gcp: periodMonth "${request.periodMonth}" is not YYYY-MM`);
    const table = settings.table ?? `${settings.dataset}.${exportTableName(request.accountId)}`;
    const projectId =
      settings.projectId ?? table.slice(0, table.lastIndexOf('.', table.lastIndexOf('.') - 1));
    const token = await (this.options.tokenProvider ?? (() => serviceAccountToken(serviceAccount)))();
    const call = (method: string, path: string, body?: unknown) =>
      this.call(
        token,
        method,
        `/bigquery/v2/projects/${encodeURIComponent(projectId)}${path}`,
        body,
        request.signal,
      );

    let response = queryResponse(
      await call('POST', '/queries', {
        query: QUERY_SQL(table),
        useLegacySql: false,
        parameterMode: 'NAMED',
        queryParameters: [
          {
            name: 'invoice_month',
            parameterType: { type: 'STRING' },
            parameterValue: { value: `${month[1]}${month[2]}` },
          },
        ],
        maxResults: MAX_RESULTS,
        timeoutMs: WAIT_MS,
        ...(settings.location ? { location: settings.location } : {}),
      }),
    );
    const { jobId } = response.jobReference;
    const location = response.jobReference.location ?? settings.location;
    const results = async (params: Record<string, string>): Promise<QueryResponse> => {
      const query = new URLSearchParams({ ...(location ? { location } : {}), ...params });
      try {
        return queryResponse(await call('GET', `/queries/${encodeURIComponent(jobId)}?${query}`));
      } catch (err) {
        throw new Error(`${(err as Error).message} (job ${jobId})`);
      }
    };

    while (!response.jobComplete) {
      request.signal?.throwIfAborted();
      response = await results({ timeoutMs: String(WAIT_MS), maxResults: String(MAX_RESULTS) });
    }
    for (;;) {
      const lines = (response.rows ?? []).map((row) => toLine(decodeLine(response, row)));
      if (lines.length > 0) yield { lines };
      if (!response.pageToken) return;
      request.signal?.throwIfAborted();
      response = await results({ pageToken: response.pageToken, maxResults: String(MAX_RESULTS) });
    }
  }

  private async call(
    token: string,
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const label = method === 'POST' ? 'jobs.query' : 'jobs.getQueryResults';
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      throw new Error(`gcp BigQuery ${label} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new Error(`gcp BigQuery ${label} failed: ${describeError(res.status, json)}`);
    if (json === undefined) throw new Error(`gcp BigQuery ${label}: response is not JSON`);
    return json;
  }
}

const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional() })).optional(),
  }),
});

function describeError(httpStatus: number, json: unknown): string {
  const parsed = googleErrorSchema.safeParse(json);
  if (!parsed.success) return `HTTP ${httpStatus}`;
  const { status, errors, message } = parsed.data.error;
  const reasons = (errors ?? []).map((e) => e.reason).filter(Boolean);
  const code = [status, ...reasons].filter(Boolean).join('/') || 'error';
  return `${code} (HTTP ${httpStatus}): ${message ?? ''}`;
}

function queryResponse(json: unknown): QueryResponse {
  const parsed = queryResponseSchema.safeParse(json);
  if (!parsed.success) throw new Error('gcp BigQuery: unexpected query response shape');
  return parsed.data;
}

function decodeLine(response: QueryResponse, row: TableRow): LineRow {
  if (!response.schema) throw new Error('gcp BigQuery: rows without a schema');
  const parsed = lineRowSchema.safeParse(decodeRecord(response.schema.fields, row));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`gcp BigQuery: row has invalid ${fields}`);
  }
  return parsed.data;
}

/** `{f:[{v}]}` → `{name: value}` by the schema; scalars stay the strings BigQuery sent. */
function decodeRecord(fields: FieldSchema[], row: TableRow): Record<string, unknown> {
  return Object.fromEntries(fields.map((field, i) => [field.name, decodeValue(field, row.f[i]?.v)]));
}

function decodeValue(field: FieldSchema, value: unknown): unknown {
  if (value === null || value === undefined) return field.mode === 'REPEATED' ? [] : null;
  if (field.mode === 'REPEATED') {
    return z
      .array(z.object({ v: z.unknown() }))
      .parse(value)
      .map((cell) => decodeValue({ ...field, mode: 'NULLABLE' }, cell.v));
  }
  if (field.type === 'RECORD' || field.type === 'STRUCT') {
    return decodeRecord(field.fields ?? [], tableRowSchema.parse(value));
  }
  return value;
}

function toLine(row: LineRow): RawBillLine {
  const tags: Record<string, string> = {};
  for (const label of row.labels) tags[label.key] = label.value ?? '';
  // The label set is part of the line's identity; its hash keeps the key short.
  const labelsHash = row.labels.length
    ? createHash('sha256').update(row.labels_key).digest('hex').slice(0, 16)
    : '';
  return {
    sourceKey: [
      row.usage_date,
      row.project_id,
      row.service_id,
      row.sku_id,
      row.region,
      row.currency,
      row.cost_type,
      labelsHash,
    ]
      .map((part) => part ?? '')
      .join('|'),
    billingDate: row.usage_date,
    originalServiceName: row.service_description ?? row.service_id ?? 'unknown',
    region: row.region ?? undefined,
    usageAccountId: row.project_id ?? undefined,
    currency: row.currency,
    amount: row.net_cost,
    tags,
    rawPayload: row,
  };
}

function exportTableName(billingAccountId: string): string {
  if (!/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/i.test(billingAccountId)) {
    throw new Error(`gcp: "${billingAccountId}" is not a billing account id`);
  }
  return `gcp_billing_export_v1_${billingAccountId.replace(/-/g, '_')}`;
}

function parseServiceAccount(json: string): z.infer<typeof serviceAccountSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('gcp credentials: serviceAccountJson is not JSON');
  }
  const account = serviceAccountSchema.safeParse(parsed);
  if (!account.success) {
    const fields = account.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`gcp credentials: serviceAccountJson lacks ${fields}`);
  }
  return account.data;
}

async function serviceAccountToken(account: z.infer<typeof serviceAccountSchema>): Promise<string> {
  const client = new JWT({ email: account.client_email, key: account.private_key, scopes: [SCOPE] });
  let token: string | null | undefined;
  try {
    ({ token } = await client.getAccessToken());
  } catch (err) {
    // The library's message names the OAuth error (e.g. invalid_grant), never the key.
    throw new Error(`gcp credentials: no access token: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!token) throw new Error('gcp credentials: no access token for the service account');
  return token;
}
