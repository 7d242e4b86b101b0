/**
 * The steps of the monthly report workflow (the state machine in infra/stacks/workflows-stack.ts
 * runs them in order, with Retry and Catch around each): plan the enterprises → freeze the
 * period's snapshot version → gather → write with the LLM (retried; on failure the template
 * writes it and the reason is kept) → persist (one report per period and version: a re-run finds
 * the same one) → e-mail it to finance. A failed run marks the report failed and notifies.
 */
import { monthBefore, periodOf } from '../../domain/bills/periods';
import { factId } from '../../domain/pnl/facts';
import type { ReportFacts } from '../../domain/reports/facts';
import { llmJsonSchema, parseLlmReport, reportMessages } from '../../domain/reports/llm';
import type { ReportSummaryData } from '../../domain/reports/summary';
import { templateReport } from '../../domain/reports/template';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifications';
import type { Mailer, ReportSettingsStore, ReportStore, ReportWriterLlm } from '../../ports/reports';
import type { SecretStore } from '../../ports/secrets';
import { renderReportEmail } from './render';

export interface ReportWorkflowDeps {
  reports: ReportStore & ReportSettingsStore;
  /** The period's published snapshot version (0: nothing synced yet). */
  snapshotVersion(enterpriseId: string, periodMonth: string): Promise<number>;
  gather(enterpriseId: string, periodMonth: string): Promise<ReportFacts>;
  enterpriseIds(): Promise<string[]>;
  llm: ReportWriterLlm;
  secrets: Pick<SecretStore, 'get'>;
  mailer: Mailer;
  notifier: Notifier;
  clock: Clock;
}

export interface PlanInput {
  /** Absent: the month before the current one (the monthly schedule). */
  periodMonth?: string;
  /** Absent: every enterprise. */
  enterpriseId?: string;
}

export interface RunState {
  enterpriseId: string;
  periodMonth: string;
  snapshotVersion?: number;
  reportId?: string;
  /** The report already exists for this period and version: nothing to write or send. */
  existing?: boolean;
  facts?: ReportFacts;
  draft?: Draft;
  /** Kept past `persist` for the e-mail's subject. */
  enterpriseName?: string;
}

export interface Draft {
  writer: 'llm' | 'template';
  fallbackReason: string | null;
  summary: ReportSummaryData;
  markdown: string;
}

export const reportId = (enterpriseId: string, periodMonth: string, snapshotVersion: number): string =>
  factId(enterpriseId, 'ai-cost-report', `${periodMonth}#${snapshotVersion}`);

export const plan = async (deps: ReportWorkflowDeps, input: PlanInput) => {
  const periodMonth = input.periodMonth ?? monthBefore(periodOf(deps.clock.now()));
  const enterprises = input.enterpriseId ? [input.enterpriseId] : await deps.enterpriseIds();
  return { periodMonth, runs: enterprises.map((enterpriseId) => ({ enterpriseId, periodMonth })) };
};

export const freeze = async (deps: ReportWorkflowDeps, state: RunState): Promise<RunState> => {
  const snapshotVersion = await deps.snapshotVersion(state.enterpriseId, state.periodMonth);
  const id = reportId(state.enterpriseId, state.periodMonth, snapshotVersion);
  const stored = await deps.reports.get(id);
  return { ...state, snapshotVersion, reportId: id, existing: stored?.status === 'generated' };
};

export const gather = async (deps: ReportWorkflowDeps, state: RunState): Promise<RunState> => ({
  ...state,
  facts: await deps.gather(state.enterpriseId, state.periodMonth),
});

const template = (facts: ReportFacts, fallbackReason: string): Draft => ({
  writer: 'template',
  fallbackReason,
  ...templateReport(facts),
});

/**
 * Asks the configured model through Tollgate's own gateway. Errors and invalid output throw, so
 * the state machine retries and then falls back; with no model configured the template writes it.
 */
export const writeWithLlm = async (deps: ReportWorkflowDeps, state: RunState): Promise<RunState> => {
  const facts = state.facts!;
  const settings = await deps.reports.getSettings(state.enterpriseId);
  if (!settings?.llmModel || !settings.llmApiKeyRef)
    return { ...state, draft: template(facts, 'No LLM model is configured for reports') };
  const content = await deps.llm.complete({
    apiKey: await deps.secrets.get(settings.llmApiKeyRef),
    model: settings.llmModel,
    messages: [
      ...reportMessages(facts),
      // The template's draft: the model keeps its numbers and improves the words.
      {
        role: 'user',
        content: JSON.stringify({
          instruction:
            'A rule-based draft of this report: keep every number, improve the analysis and wording.',
          draft: templateReport(facts),
        }),
      },
    ],
    jsonSchema: llmJsonSchema(),
  });
  return { ...state, draft: { writer: 'llm', fallbackReason: null, ...parseLlmReport(content, facts) } };
};

/** The Catch of writeWithLlm: the deterministic template, with the LLM's last error as the reason. */
export const writeFallback = async (
  _deps: ReportWorkflowDeps,
  state: RunState & { error?: { Error?: string; Cause?: string } },
): Promise<RunState> => {
  const { error, ...rest } = state;
  return { ...rest, draft: template(state.facts!, failureText(error)) };
};

export const persist = async (deps: ReportWorkflowDeps, state: RunState): Promise<RunState> => {
  const now = deps.clock.now().toISOString();
  const settings = await deps.reports.getSettings(state.enterpriseId);
  const { draft } = state;
  const { report } = await deps.reports.createIfAbsent({
    id: state.reportId!,
    enterpriseId: state.enterpriseId,
    periodMonth: state.periodMonth,
    sourceSnapshotVersion: state.snapshotVersion!,
    status: 'pending',
    writer: draft!.writer,
    ...(draft!.fallbackReason !== null && { fallbackReason: draft!.fallbackReason }),
    summary: draft!.summary,
    markdown: draft!.markdown,
    recipients: settings?.recipients ?? [],
    emailStatus: 'pending',
    createdAt: now,
    updatedAt: now,
  });
  // The facts stay behind (the e-mail is rendered from the stored report), but for the name.
  const { facts, draft: _draft, ...rest } = state;
  return {
    ...rest,
    enterpriseName: facts?.enterpriseName,
    reportId: report.id,
    existing: report.status === 'generated',
  };
};

export const send = async (deps: ReportWorkflowDeps, state: RunState): Promise<RunState> => {
  const report = (await deps.reports.get(state.reportId!))!;
  if (report.status === 'generated') return state;
  if (report.recipients.length === 0) {
    await deps.reports.update(report.id, {
      status: 'generated',
      emailStatus: 'skipped',
      generatedAt: deps.clock.now().toISOString(),
    });
    return state;
  }
  const mail = renderReportEmail(report, state.enterpriseName ?? report.enterpriseId);
  await deps.mailer.send({
    to: report.recipients,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    attachment: { filename: mail.csvFilename, contentType: 'text/csv', content: mail.csv },
  });
  await deps.reports.update(report.id, {
    status: 'generated',
    emailStatus: 'sent',
    generatedAt: deps.clock.now().toISOString(),
  });
  return state;
};

const failureText = (error?: { Error?: string; Cause?: string }): string => {
  if (!error) return 'unknown error';
  // Lambda errors arrive as a JSON Cause carrying the message.
  try {
    const cause = JSON.parse(error.Cause ?? '') as { errorMessage?: string };
    if (cause.errorMessage) return `${error.Error ?? 'Error'}: ${cause.errorMessage}`.slice(0, 1000);
  } catch {
    /* a plain-text cause */
  }
  return `${error.Error ?? 'Error'}: ${error.Cause ?? ''}`.slice(0, 1000);
};

/** The Catch of every other step: the report (if any) is marked failed and the failure notified. */
export const fail = async (
  deps: ReportWorkflowDeps,
  state: RunState & { error?: { Error?: string; Cause?: string } },
): Promise<{ enterpriseId: string; periodMonth: string; status: 'failed'; reason: string }> => {
  const reason = failureText(state.error);
  if (state.reportId && (await deps.reports.get(state.reportId)))
    await deps.reports.update(state.reportId, {
      status: 'failed',
      failureReason: reason,
      emailStatus: 'failed',
    });
  await deps.notifier.notify({
    enterpriseId: state.enterpriseId,
    kind: 'report.failed',
    severity: 'warning',
    subject: `report:${state.periodMonth}`,
    message: `The ${state.periodMonth} AI cost report could not be completed: ${reason}`,
  });
  return { enterpriseId: state.enterpriseId, periodMonth: state.periodMonth, status: 'failed', reason };
};
