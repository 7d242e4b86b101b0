/**
 * Monthly AI cost reports (issue 7; seed 001 ai_cost_reports): one report per period and snapshot
 * version, written by the monthly workflow (an LLM through Tollgate's own gateway, or the
 * deterministic template when that fails) and e-mailed to finance. Reads carry an ETag.
 */
import * as z from 'zod';
import { ReportSummary } from '../domain/reports/summary';
import { Id, Timestamp } from './common';
import { defineRoute } from './route';

export { ReportSummary } from '../domain/reports/summary';

const tag = 'reports';
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as "2026-11"');

export const Report = z.object({
  id: z.string(),
  enterpriseId: Id,
  periodMonth: Month,
  sourceSnapshotVersion: z.number().int(),
  status: z.enum(['pending', 'generated', 'failed']),
  /** `llm` when the gateway's model wrote it, `template` for the deterministic fallback. */
  writer: z.enum(['llm', 'template']),
  /** Why the template was used (the LLM's error or the validation failure); null for `llm`. */
  fallbackReason: z.string().nullable(),
  summary: ReportSummary,
  markdown: z.string(),
  recipients: z.array(z.string()),
  emailStatus: z.enum(['pending', 'sent', 'failed', 'skipped']),
  generatedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

export const ReportListItem = Report.omit({ markdown: true });

export const GenerateReport = z.strictObject({ periodMonth: Month });

export const DownloadQuery = z.strictObject({
  format: z.enum(['markdown', 'html', 'csv']).default('markdown'),
});

export const ReportSettings = z.object({
  recipients: z.array(z.email()),
  llm: z.object({ model: z.string(), apiKeyHint: z.string() }).nullable(),
  updatedAt: Timestamp.nullable(),
});

export const PutReportSettings = z.strictObject({
  /** Finance recipients of the monthly e-mail; empty: reports are stored, not sent. */
  recipients: z.array(z.email()).max(50),
  /**
   * The model that writes reports, asked through Tollgate's own gateway with a group API key
   * (`tg_…`, kept in the secret store). null: the deterministic template writes them.
   */
  llm: z
    .strictObject({
      model: z.string().min(1).max(200),
      apiKey: z.string().regex(/^tg_[A-Za-z0-9_-]{8,200}$/, 'must be a group API key (tg_…)'),
    })
    .nullable(),
});

export const reportRoutes = {
  getReportSettings: defineRoute({
    id: 'getReportSettings',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/report-settings',
    auth: 'admin',
    tag,
    summary: 'Who receives the monthly report and which model writes it',
    params: z.strictObject({ enterpriseId: Id }),
    response: ReportSettings,
  }),
  putReportSettings: defineRoute({
    id: 'putReportSettings',
    method: 'PUT',
    path: '/api/enterprises/{enterpriseId}/report-settings',
    auth: 'admin',
    tag,
    summary: 'Set the report recipients and writer model (the group key goes to the secret store)',
    params: z.strictObject({ enterpriseId: Id }),
    body: PutReportSettings,
    response: ReportSettings,
  }),
  listReports: defineRoute({
    id: 'listReports',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/reports',
    auth: 'admin',
    tag,
    summary: 'Monthly AI cost reports, newest first',
    params: z.strictObject({ enterpriseId: Id }),
    query: z.strictObject({ periodMonth: Month.optional() }),
    response: z.object({ items: z.array(ReportListItem) }),
  }),
  getReport: defineRoute({
    id: 'getReport',
    method: 'GET',
    path: '/api/reports/{reportId}',
    auth: 'admin',
    tag,
    summary: 'One report: its structured summary and markdown body',
    params: z.strictObject({ reportId: Id }),
    response: Report,
  }),
  generateReport: defineRoute({
    id: 'generateReport',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/reports/generate',
    auth: 'admin',
    tag,
    summary:
      'Start the monthly report workflow for a period (the same snapshot version yields the same report)',
    params: z.strictObject({ enterpriseId: Id }),
    body: GenerateReport,
    response: z.object({ executionId: z.string(), periodMonth: Month }),
    successStatus: 202,
  }),
  downloadReport: defineRoute({
    id: 'downloadReport',
    method: 'GET',
    path: '/api/reports/{reportId}/download',
    auth: 'admin',
    tag,
    summary: 'The report as a file: markdown, the HTML e-mail body, or the CSV of top costs',
    params: z.strictObject({ reportId: Id }),
    query: DownloadQuery,
    response: z.string(),
  }),
};
