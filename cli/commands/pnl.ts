/** `tollgate pnl get`: the virtual P&L of cost centers for a month, quarter or year. */
import type { Command } from 'commander';
import { pnlRoutes } from '../../shared/contracts/pnl';
import { action } from '../context';
import { listTable } from '../output';
import { periodKey } from '../periods';

interface PnlOptions {
  period: string;
  costCenter?: string;
  own?: boolean;
}

/** Adds `pnl get`. */
export const registerPnl = (program: Command): void => {
  program
    .command('pnl')
    .description('Virtual P&L of cost centers')
    .command('get')
    .description(
      'Costs, revenues, profit, margin, ROI and budget use per cost center, each over its subtree unless --own',
    )
    .requiredOption('--period <period>', 'a month 2026-11, a quarter 2026-Q4 or a year 2026', periodKey)
    .option('--cost-center <id>', 'only this cost center')
    .option('--own', "each center's own figures, without its children")
    .action(
      action<PnlOptions>(async (ctx, options) => {
        const data = await ctx.api().call(pnlRoutes.pnlReport, {
          params: { enterpriseId: await ctx.enterprise() },
          query: {
            period: options.period,
            costCenterId: options.costCenter,
            consolidated: options.own ? 'false' : 'true',
          },
        });
        return {
          data,
          table: listTable(data.summaries, {
            code: (s) => s.code,
            name: (s) => s.name,
            period: (s) => s.periodKey,
            currency: (s) => s.currency,
            costs: (s) => s.totalCosts,
            revenues: (s) => s.totalRevenues,
            netProfit: (s) => s.netProfit,
            profitMargin: (s) => s.profitMargin,
            roi: (s) => s.roi,
            budgetUtilization: (s) => s.budgetUtilization,
          }),
        };
      }),
    );
};
