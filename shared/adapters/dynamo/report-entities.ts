/**
 * ElectroDB entities of the monthly AI cost reports (issue 7), in the single table (key templates
 * in ACCESS_PATTERNS.md); a service of its own so other functions do not build them at cold start.
 * The summary is stored as JSON text: it is read back whole, and its amounts are decimal strings.
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;

const defineReportEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const report = new Entity(
    {
      model: { entity: 'aiCostReport', version: '1', service },
      attributes: {
        reportId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodMonth: { type: 'string', required: true, readOnly: true },
        sourceSnapshotVersion: { type: 'number', required: true, readOnly: true },
        status: { type: ['pending', 'generated', 'failed'] as const, required: true },
        writer: { type: ['llm', 'template'] as const, required: true },
        fallbackReason: { type: 'string' },
        /** JSON text of the structured summary. */
        summary: { type: 'string', required: true },
        markdown: { type: 'string', required: true },
        recipients: { type: 'list', items: { type: 'string' }, required: true },
        emailStatus: { type: ['pending', 'sent', 'failed', 'skipped'] as const, required: true },
        generatedAt: { type: 'string' },
        failureReason: { type: 'string' },
        createdAt: { type: 'string', required: true, readOnly: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['reportId'], template: 'REPORT#${reportId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'REPORT', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'REPORTS#${enterpriseId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['periodMonth', 'reportId'],
            template: '${periodMonth}#${reportId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const reportSettings = new Entity(
    {
      model: { entity: 'reportSettings', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        recipients: { type: 'list', items: { type: 'string' }, required: true },
        llmModel: { type: 'string' },
        llmApiKeyRef: { type: 'string' },
        llmApiKeyHint: { type: 'string' },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byEnterprise: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId'],
            template: 'REPORTSET#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'sk', composite: [], template: 'SETTINGS', casing: none },
        },
      },
    },
    config,
  );

  return new Service({ report, reportSettings });
};

export type ReportService = ReturnType<typeof defineReportEntities>;

export const buildReportEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): ReportService => withModelValidation(validateModels, () => defineReportEntities(client, table));
