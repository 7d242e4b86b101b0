/**
 * `tollgate cost get`: what was spent on cloud. One month answers with the cost overview (total,
 * month-over-month change, every dimension, top N); `--provider` narrows the month to that
 * provider's snapshots; `--start/--end` answers with the monthly trend by provider.
 */
import { Option, type Command } from 'commander';
import { billRoutes } from '../../shared/contracts/bills';
import { action, type Context, type Outcome } from '../context';
import { CliError } from '../errors';
import { listTable } from '../output';
import { currentMonth, month, range } from '../periods';
import { snapshotColumns, snapshotProviders } from './snapshot';

const dimensions = ['provider', 'service', 'project', 'account', 'region'] as const;
type Dimension = (typeof dimensions)[number];

interface CostOptions {
  period?: string;
  start?: string;
  end?: string;
  provider?: string;
  groupBy?: Dimension;
}

const trend = async (ctx: Context, from: string, to: string): Promise<Outcome> => {
  const data = await ctx.api().call(billRoutes.costTrend, {
    params: { enterpriseId: await ctx.enterprise() },
    query: { from, to },
  });
  return {
    data,
    table: listTable(data.months, {
      month: (m) => m.periodMonth,
      currency: (m) => m.currency,
      total: (m) => m.total,
      byProvider: (m) => m.byProvider,
    }),
  };
};

const providerMonth = async (
  ctx: Context,
  periodMonth: string,
  provider: string,
  dimensionType: Dimension,
): Promise<Outcome> => {
  const data = await ctx.api().call(billRoutes.listSnapshots, {
    params: { enterpriseId: await ctx.enterprise() },
    query: { periodMonth, provider, dimensionType },
  });
  return { data, table: listTable(data.snapshots, snapshotColumns) };
};

const overview = async (ctx: Context, periodMonth: string, dimension: Dimension): Promise<Outcome> => {
  const data = await ctx.api().call(billRoutes.costOverview, {
    params: { enterpriseId: await ctx.enterprise() },
    query: { periodMonth },
  });
  return { data, table: listTable(data.byDimension[dimension], snapshotColumns) };
};

/** Adds `cost get`. */
export const registerCost = (program: Command): void => {
  program
    .command('cost')
    .description('Cloud spend')
    .command('get')
    .description(
      'A month: total, change against the month before, every dimension and the top N (the table shows --group-by). ' +
        'With --provider: that provider broken down by --group-by (default service). ' +
        'With --start/--end: monthly totals by provider.',
    )
    .addOption(
      new Option('--period <month>', 'the month, YYYY-MM (default: this month)')
        .argParser(month)
        .conflicts(['start', 'end']),
    )
    .option('--start <month>', 'first month of a trend, YYYY-MM (with --end)', month)
    .option('--end <month>', 'last month of a trend, YYYY-MM (with --start)', month)
    .option('--provider <provider>', `one provider: ${snapshotProviders}`)
    .addOption(
      new Option('--group-by <dimension>', 'rows of the table (default provider)').choices(dimensions),
    )
    .action(
      action<CostOptions>(async (ctx, options) => {
        const months = range(options.start, options.end);
        if (months) {
          if (options.provider || (options.groupBy && options.groupBy !== 'provider'))
            throw new CliError(
              'VALIDATION_ERROR',
              '--provider and --group-by need a single --period: a --start/--end trend is by provider',
            );
          return trend(ctx, months.start, months.end);
        }
        const periodMonth = options.period ?? currentMonth();
        return options.provider
          ? providerMonth(ctx, periodMonth, options.provider, options.groupBy ?? 'service')
          : overview(ctx, periodMonth, options.groupBy ?? 'provider');
      }),
    );
};
