/**
 * `tollgate budget get`: cloud cost budgets with their utilization for a month, or with `--pnl`
 * the P&L budgets of cost centers against actual costs for a month, quarter or year.
 */
import type { Command } from 'commander';
import { billRoutes } from '../../shared/contracts/bills';
import { pnlRoutes } from '../../shared/contracts/pnl';
import { action } from '../context';
import { CliError } from '../errors';
import { listTable } from '../output';
import { currentMonth, periodKey } from '../periods';

interface BudgetOptions {
  period?: string;
  pnl?: boolean;
}

/** Adds `budget get`. */
export const registerBudget = (program: Command): void => {
  program
    .command('budget')
    .description('Budgets and how much of them is used')
    .command('get')
    .description(
      'Cloud cost budgets with actual, forecast, utilization and crossed thresholds; ' +
        'with --pnl, cost-center budgets against actual costs',
    )
    .option(
      '--period <period>',
      'YYYY-MM (default: this month); with --pnl also a quarter YYYY-Qn or a year YYYY',
      periodKey,
    )
    .option('--pnl', 'P&L budgets of cost centers instead of cloud budgets')
    .action(
      action<BudgetOptions>(async (ctx, options) => {
        if (!options.pnl && options.period && !/^\d{4}-\d{2}$/.test(options.period))
          throw new CliError(
            'VALIDATION_ERROR',
            '--period of cloud budgets is a month YYYY-MM (add --pnl for quarters and years)',
          );
        const enterpriseId = await ctx.enterprise();
        if (options.pnl) {
          const data = await ctx.api().call(pnlRoutes.budgetUtilization, {
            params: { enterpriseId },
            query: { period: options.period ?? currentMonth() },
          });
          return {
            data,
            table: listTable(data.items, {
              costCenter: (b) => b.code,
              period: (b) => b.periodKey,
              currency: (b) => b.currency,
              budget: (b) => b.totalBudget,
              actual: (b) => b.actualCosts,
              variance: (b) => b.variance,
              utilizationPercent: (b) => b.utilizationPercent,
              status: (b) => b.status,
            }),
          };
        }
        const data = await ctx.api().call(billRoutes.listBudgets, {
          params: { enterpriseId },
          query: { periodMonth: options.period },
        });
        return {
          data,
          table: listTable(data, {
            budgetId: (b) => b.budgetId,
            scope: (b) => `${b.scopeType}:${b.scopeKey}`,
            currency: (b) => b.currency,
            budget: (b) => b.budgetAmount,
            actual: (b) => b.utilization?.actual,
            forecast: (b) => b.utilization?.forecast,
            utilizationPercent: (b) => b.utilization?.utilizationPercent,
            remaining: (b) => b.utilization?.remaining,
            crossedThresholds: (b) => b.utilization?.crossedThresholds,
          }),
        };
      }),
    );
};
