/** The reports API: list and read reports, download them as files, start the workflow on demand. */
import { requireEnterpriseAccess, requireFinanceManager, requireVisible } from '../../domain/access';
import { notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import type { Clock } from '../../ports/clock';
import type {
  ReportRecord,
  ReportSettingsRecord,
  ReportSettingsStore,
  ReportStore,
  WorkflowStarter,
} from '../../ports/reports';
import type { SecretStore } from '../../ports/secrets';
import { credentialHint } from '../../domain/api-keys';
import type * as z from 'zod';
import type * as c from '../../contracts/reports';
import type { EnterpriseRepository } from '../../ports/tenancy';
import type { RequestContext } from '../tenancy';
import { renderReportFile, type ReportFileFormat } from './render';

export interface ReportApiDeps {
  reports: ReportStore & ReportSettingsStore;
  secrets: Pick<SecretStore, 'put' | 'replace' | 'delete'>;
  workflow: WorkflowStarter;
  enterprises: Pick<EnterpriseRepository, 'get'>;
  clock: Clock;
}

const reportView = (r: ReportRecord) => ({
  ...r,
  fallbackReason: r.fallbackReason ?? null,
  generatedAt: r.generatedAt ?? null,
});

const listView = ({ markdown: _markdown, ...r }: ReturnType<typeof reportView>) => r;

export const listReports = async (
  deps: ReportApiDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth?: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return { items: (await deps.reports.list(enterpriseId, periodMonth)).map((r) => listView(reportView(r))) };
};

const visibleReport = async (deps: ReportApiDeps, ctx: RequestContext, reportId: string) => {
  const report = await deps.reports.get(reportId);
  if (!report) throw notFound('Report', reportId);
  requireVisible(ctx.caller, report.enterpriseId, 'Report', reportId);
  return report;
};

export const getReport = async (deps: ReportApiDeps, ctx: RequestContext, reportId: string) =>
  reportView(await visibleReport(deps, ctx, reportId));

export const downloadReport = async (
  deps: ReportApiDeps,
  ctx: RequestContext,
  reportId: string,
  format: ReportFileFormat,
) => {
  const report = await visibleReport(deps, ctx, reportId);
  const enterprise = await deps.enterprises.get(report.enterpriseId);
  return renderReportFile(format, report, enterprise?.name ?? report.enterpriseId);
};

/**
 * Starts the workflow for one enterprise and period. A period whose snapshot version already has a
 * generated report ends at once with that same report (regenerating means syncing new bills first).
 */
export const generateReport = async (
  deps: ReportApiDeps,
  ctx: RequestContext,
  enterpriseId: string,
  periodMonth: string,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterprises.get(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const { executionId } = await deps.workflow.start(
    { periodMonth, enterpriseId },
    `report-${periodMonth}-${newId(deps.clock.now())}`,
  );
  return { executionId, periodMonth };
};

const settingsView = (s: ReportSettingsRecord | null) => ({
  recipients: s?.recipients ?? [],
  llm: s?.llmModel ? { model: s.llmModel, apiKeyHint: s.llmApiKeyHint ?? '' } : null,
  updatedAt: s?.updatedAt ?? null,
});

export const getReportSettings = async (deps: ReportApiDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return settingsView(await deps.reports.getSettings(enterpriseId));
};

/** The group key goes to the secret store (replacing the previous one); the table keeps its reference. */
export const putReportSettings = async (
  deps: ReportApiDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: z.output<typeof c.PutReportSettings>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterprises.get(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const previous = await deps.reports.getSettings(enterpriseId);
  let ref = previous?.llmApiKeyRef ?? null;
  if (body.llm) {
    if (ref) await deps.secrets.replace(ref, body.llm.apiKey);
    else ref = await deps.secrets.put(`report-llm-${enterpriseId}`, body.llm.apiKey);
  } else if (ref) {
    await deps.secrets.delete(ref);
    ref = null;
  }
  const settings: ReportSettingsRecord = {
    enterpriseId,
    recipients: body.recipients,
    llmModel: body.llm?.model ?? null,
    llmApiKeyRef: ref,
    llmApiKeyHint: body.llm ? credentialHint(body.llm.apiKey) : null,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.reports.putSettings(settings);
  return settingsView(settings);
};
