/**
 * Composition of the monthly reports: the report store, the workflow starter and tenancy lookups
 * for the API; for the workflow's steps, the gatherers (bills, balances, metering, P&L), the
 * gateway LLM, SES and the notifier.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { buildPnlEntities } from '../adapters/dynamo/pnl-entities';
import { DynamoPnlStore } from '../adapters/dynamo/pnl-store';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../adapters/dynamo/client';
import { buildReportEntities } from '../adapters/dynamo/report-entities';
import { DynamoReportStore } from '../adapters/dynamo/report-store';
import { tenancyRepositories } from '../adapters/dynamo/repositories';
import { DynamoUsageStore } from '../adapters/dynamo/usage-store';
import { GatewayReportWriter } from '../adapters/llm/gateway-report-writer';
import { secretStore } from '../adapters/secrets/secret-store';
import { SesMailer } from '../adapters/ses/ses-mailer';
import { SfnWorkflowStarter } from '../adapters/sfn/sfn-workflow-starter';
import { systemClock } from '../ports/clock';
import { env, required } from '../runtime/env';
import { everyPage } from '../usecases/pages';
import type { ReportApiDeps } from '../usecases/reports/api';
import { gatherReportFacts } from '../usecases/reports/gather';
import type { ReportWorkflowDeps } from '../usecases/reports/workflow';
import { balanceDeps } from './balance';
import { billDeps } from './bills';
import { routingNotifier } from './notifications';

const reportStore = () =>
  new DynamoReportStore(buildReportEntities(dynamoDocumentClient(), required('TABLE_NAME')));

export const reportApiDeps = (): ReportApiDeps => ({
  reports: reportStore(),
  secrets: secretStore(),
  workflow: new SfnWorkflowStarter(new SFNClient({}), required('STATE_MACHINE_ARN_MONTHLY_REPORT')),
  enterprises: tenancyRepositories(required('TABLE_NAME')).enterprises,
  clock: systemClock,
});

export const reportWorkflowDeps = (): ReportWorkflowDeps => {
  const table = required('TABLE_NAME');
  const { enterprises, groups } = tenancyRepositories(table);
  const bills = billDeps();
  const gatherDeps = {
    bills,
    balance: balanceDeps(),
    usage: new DynamoUsageStore(exactNumbersDocumentClient(), table),
    pnl: new DynamoPnlStore(buildPnlEntities(dynamoDocumentClient(), table)),
    groups,
    enterprises,
  };
  const gatewayUrl = env().REPORT_GATEWAY_URL;
  return {
    reports: reportStore(),
    snapshotVersion: async (enterpriseId, periodMonth) =>
      (await bills.store.snapshotHead(enterpriseId, periodMonth))?.snapshotVersion ?? 0,
    gather: (enterpriseId, periodMonth) =>
      gatherReportFacts(gatherDeps, enterpriseId, periodMonth, `report-${enterpriseId}-${periodMonth}`),
    enterpriseIds: async () => (await everyPage((page) => enterprises.list(page))).map((e) => e.id),
    llm: gatewayUrl
      ? new GatewayReportWriter(gatewayUrl)
      : { complete: () => Promise.reject(new Error('REPORT_GATEWAY_URL is not set: no gateway to ask')) },
    secrets: secretStore(),
    mailer: new SesMailer(new SESv2Client({}), env().NOTIFY_FROM_ADDRESS),
    notifier: routingNotifier(),
    clock: systemClock,
  };
};
