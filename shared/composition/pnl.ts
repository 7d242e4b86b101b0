/**
 * Composition of the virtual P&L: its store, gateway metering, the bill snapshots and the tenancy
 * lookups in the table for the API, plus the routing notifier and the enterprise list for the
 * hourly rollup.
 */
import { buildBillEntities } from '../adapters/dynamo/bill-entities';
import { DynamoBillStore } from '../adapters/dynamo/bill-store';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../adapters/dynamo/client';
import { buildPnlEntities } from '../adapters/dynamo/pnl-entities';
import { DynamoPnlStore } from '../adapters/dynamo/pnl-store';
import { tenancyRepositories } from '../adapters/dynamo/repositories';
import { DynamoUsageStore } from '../adapters/dynamo/usage-store';
import { systemClock } from '../ports/clock';
import { env, required } from '../runtime/env';
import { everyPage } from '../usecases/pages';
import type { PnlDeps, PnlJobDeps } from '../usecases/pnl/deps';
import { routingNotifier } from './notifications';

export const pnlDeps = (): PnlDeps & { enterpriseIds(): Promise<string[]> } => {
  const table = required('TABLE_NAME');
  const client = dynamoDocumentClient();
  const { enterprises, groups, aiAccounts } = tenancyRepositories(table);
  return {
    store: new DynamoPnlStore(buildPnlEntities(client, table)),
    usage: new DynamoUsageStore(exactNumbersDocumentClient(), table),
    bills: new DynamoBillStore(buildBillEntities(client, table)),
    groups,
    accounts: aiAccounts,
    enterpriseExists: async (id) => (await enterprises.get(id)) !== null,
    enterpriseIds: async () => (await everyPage((page) => enterprises.list(page))).map((e) => e.id),
    clock: systemClock,
  };
};

/** The hourly rollup's (it needs `sendTo: ['notifications']`). */
export const pnlJobDeps = (): PnlJobDeps & {
  enterpriseIds(): Promise<string[]>;
  previousMonthDays: number;
} => ({
  ...pnlDeps(),
  notifier: routingNotifier(),
  // Late usage and late bills land in the previous month for as long as bill syncs keep it open.
  previousMonthDays: env().BILL_SYNC_GRACE_DAYS,
});
