/** `tollgate roi get`: return on the AI platform over a range of months, self-hosted vs cloud. */
import type { Command } from 'commander';
import { pnlRoutes } from '../../shared/contracts/pnl';
import { action } from '../context';
import { objectTable } from '../output';
import { month, range } from '../periods';

interface RoiOptions {
  start: string;
  end: string;
  costCenter?: string;
}

/** Adds `roi get`. */
export const registerRoi = (program: Command): void => {
  program
    .command('roi')
    .description('Return on investment of the AI platform')
    .command('get')
    .description('ROI, net profit, payback, self-hosted cost against the cloud price, and recommendations')
    .requiredOption('--start <month>', 'first month, YYYY-MM', month)
    .requiredOption('--end <month>', 'last month, YYYY-MM', month)
    .option('--cost-center <id>', 'only this cost center (with its subtree)')
    .action(
      action<RoiOptions>(async (ctx, options) => {
        const { start: from, end: to } = range(options.start, options.end)!;
        const data = await ctx.api().call(pnlRoutes.roiAnalysis, {
          params: { enterpriseId: await ctx.enterprise() },
          query: { from, to, costCenterId: options.costCenter },
        });
        return { data, table: objectTable(data) };
      }),
    );
};
