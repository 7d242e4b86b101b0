/** `tollgate snapshot get`: the published monthly cost snapshots of a period. */
import type { Command } from 'commander';
import type { z } from 'zod';
import { billRoutes, SnapshotsQuery, type Snapshot } from '../../shared/contracts/bills';
import { action } from '../context';
import { listTable } from '../output';
import { month } from '../periods';

/** The table columns of a snapshot row (also used by `cost get`). */
export const snapshotColumns: Record<string, (s: z.output<typeof Snapshot>) => unknown> = {
  provider: (s) => s.provider,
  dimension: (s) => s.dimensionType,
  key: (s) => s.dimensionKey,
  currency: (s) => s.currency,
  amount: (s) => s.totalAmount,
  previous: (s) => s.previousAmount,
  changeRate: (s) => s.changeRate,
  items: (s) => s.itemCount,
};

/** The providers a snapshot row can name, `all` being the sum over providers. */
export const snapshotProviders = SnapshotsQuery.shape.provider.unwrap().options.join(', ');

interface SnapshotOptions {
  period: string;
  provider?: string;
}

/** Adds `snapshot get`. */
export const registerSnapshot = (program: Command): void => {
  program
    .command('snapshot')
    .description('Monthly cloud cost snapshots')
    .command('get')
    .description('Every snapshot row of a period: totals by provider, account, project, service and region')
    .requiredOption('--period <month>', 'the month, YYYY-MM', month)
    .option('--provider <provider>', `only this provider: ${snapshotProviders}`)
    .action(
      action<SnapshotOptions>(async (ctx, options) => {
        const data = await ctx.api().call(billRoutes.listSnapshots, {
          params: { enterpriseId: await ctx.enterprise() },
          query: { periodMonth: options.period, provider: options.provider },
        });
        return { data, table: listTable(data.snapshots, snapshotColumns) };
      }),
    );
};
