/** `tollgate sync run`: queue a bill sync of a cloud account. */
import type { Command } from 'commander';
import { billRoutes } from '../../shared/contracts/bills';
import { action } from '../context';
import { objectTable } from '../output';
import { month } from '../periods';

interface SyncOptions {
  account: string;
  period?: string;
}

/** Adds `sync run`. */
export const registerSync = (program: Command): void => {
  program
    .command('sync')
    .description('Cloud bill syncs')
    .command('run')
    .description('Queue a bill sync of a cloud account; answers with the queued job')
    .requiredOption('--account <cloudAccountId>', 'the cloud account (its Tollgate id)')
    .option('--period <month>', 'the month to sync, YYYY-MM (default: this month)', month)
    .action(
      action<SyncOptions>(async (ctx, options) => {
        const data = await ctx.api().call(billRoutes.requestSync, {
          params: { cloudAccountId: options.account },
          body: { periodMonth: options.period },
        });
        return { data, table: objectTable(data) };
      }),
    );
};
