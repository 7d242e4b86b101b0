/** The reports' repositories over the single table (entities in report-entities.ts). */
import type { EntityItem } from 'electrodb';
import { notFound } from '../../domain/errors';
import type { ReportSummaryData } from '../../domain/reports/summary';
import type {
  ReportRecord,
  ReportSettingsRecord,
  ReportSettingsStore,
  ReportStore,
} from '../../ports/reports';
import { isConditionFailure } from './errors';
import type { ReportService } from './report-entities';

type Entities = ReportService['entities'];
type Item<K extends keyof Entities> = EntityItem<Entities[K]>;

const toReport = ({ reportId, summary, ...rest }: Item<'report'>): ReportRecord => ({
  ...rest,
  id: reportId,
  summary: JSON.parse(summary) as ReportSummaryData,
});

const fromReport = ({ id, summary, ...rest }: ReportRecord) => ({
  ...rest,
  reportId: id,
  summary: JSON.stringify(summary),
});

export class DynamoReportStore implements ReportStore, ReportSettingsStore {
  private readonly e: Entities;

  constructor(service: ReportService) {
    this.e = service.entities;
  }

  async createIfAbsent(report: ReportRecord): Promise<{ report: ReportRecord; created: boolean }> {
    try {
      await this.e.report.create(fromReport(report)).go({ response: 'none' });
      return { report, created: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const stored = await this.get(report.id);
      if (!stored) throw new Error(`Report ${report.id} exists but could not be read`, { cause: err });
      return { report: stored, created: false };
    }
  }

  async get(id: string): Promise<ReportRecord | null> {
    const { data } = await this.e.report.get({ reportId: id }).go();
    return data ? toReport(data) : null;
  }

  async list(enterpriseId: string, periodMonth?: string): Promise<ReportRecord[]> {
    const { data } = await this.e.report.query
      .byEnterprise({ enterpriseId, ...(periodMonth && { periodMonth }) })
      .go({ pages: 'all', limit: 1000, order: 'desc' });
    return data.map(toReport);
  }

  async update(
    id: string,
    patch: Partial<
      Pick<ReportRecord, 'status' | 'emailStatus' | 'generatedAt' | 'failureReason' | 'recipients'>
    >,
  ): Promise<ReportRecord> {
    try {
      const { data } = await this.e.report
        .patch({ reportId: id })
        .set({ ...patch, updatedAt: new Date().toISOString() })
        .go({ response: 'all_new' });
      return toReport(data as Item<'report'>);
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('Report', id);
      throw err;
    }
  }

  async getSettings(enterpriseId: string): Promise<ReportSettingsRecord | null> {
    const { data } = await this.e.reportSettings.get({ enterpriseId }).go();
    if (!data) return null;
    const { llmModel, llmApiKeyRef, llmApiKeyHint, ...rest } = data;
    return {
      ...rest,
      llmModel: llmModel ?? null,
      llmApiKeyRef: llmApiKeyRef ?? null,
      llmApiKeyHint: llmApiKeyHint ?? null,
    };
  }

  async putSettings({ llmModel, llmApiKeyRef, llmApiKeyHint, ...rest }: ReportSettingsRecord): Promise<void> {
    // Absent rather than null: ElectroDB stores no nulls.
    await this.e.reportSettings
      .put({
        ...rest,
        ...(llmModel !== null && { llmModel }),
        ...(llmApiKeyRef !== null && { llmApiKeyRef }),
        ...(llmApiKeyHint !== null && { llmApiKeyHint }),
      })
      .go({ response: 'none' });
  }
}
