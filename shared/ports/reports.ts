/**
 * Monthly AI cost reports (seed 001 ai_cost_reports) and what the report workflow needs to write
 * one: the store (one report per enterprise, period and snapshot version), the LLM that drafts it,
 * the mailer that sends it, and the starter of the workflow.
 */
import type { ReportSummaryData } from '../domain/reports/summary';

export interface ReportRecord {
  /** Deterministic from enterprise, period and snapshot version: a re-run finds the same report. */
  id: string;
  enterpriseId: string;
  periodMonth: string;
  sourceSnapshotVersion: number;
  status: 'pending' | 'generated' | 'failed';
  writer: 'llm' | 'template';
  /** Why the template wrote it; absent when the LLM did. */
  fallbackReason?: string;
  summary: ReportSummaryData;
  markdown: string;
  recipients: string[];
  emailStatus: 'pending' | 'sent' | 'failed' | 'skipped';
  /** Set once the report is complete (status generated). */
  generatedAt?: string;
  /** Why the run failed (status failed). */
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReportStore {
  /** Stores the report unless one with its id exists; returns the stored one either way. */
  createIfAbsent(report: ReportRecord): Promise<{ report: ReportRecord; created: boolean }>;
  get(id: string): Promise<ReportRecord | null>;
  /** Newest period first; only `periodMonth` when given. */
  list(enterpriseId: string, periodMonth?: string): Promise<ReportRecord[]>;
  /** Sets fields of a stored report; NOT_FOUND when it is gone. */
  update(
    id: string,
    patch: Partial<
      Pick<ReportRecord, 'status' | 'emailStatus' | 'generatedAt' | 'failureReason' | 'recipients'>
    >,
  ): Promise<ReportRecord>;
}

/** Per-enterprise report settings: who gets the report and which model, through which group key, writes it. */
export interface ReportSettingsRecord {
  enterpriseId: string;
  recipients: string[];
  /** The model asked through Tollgate's own gateway; null: always the template. */
  llmModel: string | null;
  /** Secret-store reference of the group API key (`tg_…`) the workflow calls the gateway with. */
  llmApiKeyRef: string | null;
  /** The key's masked hint, shown instead of it. */
  llmApiKeyHint: string | null;
  updatedAt: string;
}

export interface ReportSettingsStore {
  getSettings(enterpriseId: string): Promise<ReportSettingsRecord | null>;
  putSettings(settings: ReportSettingsRecord): Promise<void>;
}

/** A chat model asked for structured output (the gateway's OpenAI-compatible API). */
export interface ReportWriterLlm {
  /** The model's answer text; throws on transport or upstream errors. */
  complete(request: {
    apiKey: string;
    model: string;
    messages: { role: 'system' | 'user'; content: string }[];
    jsonSchema: Record<string, unknown>;
  }): Promise<string>;
}

/** Sends one e-mail with an attachment (SES in AWS, SES local on one machine). */
export interface Mailer {
  send(mail: {
    to: string[];
    subject: string;
    html: string;
    text: string;
    attachment: { filename: string; contentType: string; content: string };
  }): Promise<{ messageId: string }>;
}

/** Starts the monthly report workflow (Step Functions in AWS, the local runner on one machine). */
export interface WorkflowStarter {
  start(
    input: { periodMonth: string; enterpriseId?: string },
    name: string,
  ): Promise<{ executionId: string }>;
}
