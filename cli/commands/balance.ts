/**
 * `tollgate balance get`: the balance summary (sources, low, failing, totals per currency), or with
 * `--sources` every source with its latest balance and depletion forecast, soonest first.
 */
import type { Command } from 'commander';
import { balanceRoutes } from '../../shared/contracts/balance';
import { action, type Context, type Outcome } from '../context';
import { CliError } from '../errors';
import { listTable, objectTable } from '../output';
import { positiveInt } from '../periods';

interface BalanceOptions {
  sources?: boolean;
  days?: number;
}

/** Days until zero as a number for sorting; sources without a forecast go last. */
const runway = (daysUntilZero: string | null): number =>
  daysUntilZero === null ? Number.POSITIVE_INFINITY : Number(daysUntilZero);

const withForecasts = async (ctx: Context, days: number): Promise<Outcome> => {
  const api = ctx.api();
  const sources = await api.call(balanceRoutes.listBalanceSources, {
    params: { enterpriseId: await ctx.enterprise() },
  });
  // One trend per source: enterprises monitor a handful of balances.
  const trends = await Promise.all(
    sources.map((s) => api.call(balanceRoutes.balanceTrend, { params: { sourceId: s.id }, query: { days } })),
  );
  const rows = sources
    .map((s, i) => {
      const forecast = trends[i]?.forecast ?? null;
      return {
        sourceId: s.id,
        name: s.name,
        provider: s.provider,
        enabled: s.enabled,
        state: s.state,
        balance: s.lastReading?.balance ?? null,
        currency: s.lastReading?.currency ?? s.currency,
        threshold: s.threshold,
        readAt: s.lastReading?.at ?? null,
        dailyConsumption: forecast?.dailyConsumption ?? null,
        daysUntilZero: forecast?.daysUntilZero ?? null,
        depletesAt: forecast?.depletesAt ?? null,
      };
    })
    .sort((a, b) => runway(a.daysUntilZero) - runway(b.daysUntilZero));
  return {
    data: { days, sources: rows },
    table: listTable(rows, {
      name: (r) => r.name,
      provider: (r) => r.provider,
      state: (r) => r.state,
      balance: (r) => r.balance,
      currency: (r) => r.currency,
      threshold: (r) => r.threshold,
      dailyConsumption: (r) => r.dailyConsumption,
      daysUntilZero: (r) => r.daysUntilZero,
      depletesAt: (r) => r.depletesAt,
    }),
  };
};

/** Adds `balance get`. */
export const registerBalance = (program: Command): void => {
  program
    .command('balance')
    .description('Provider account balances')
    .command('get')
    .description(
      'How many balance sources, how many low or failing, and the latest balances per currency; ' +
        'with --sources every source with its depletion forecast, soonest to run out first',
    )
    .option('--sources', 'list the sources with their forecasts')
    .option(
      '--days <n>',
      'readings the forecast is based on, last N days (default 30; with --sources)',
      positiveInt,
    )
    .action(
      action<BalanceOptions>(async (ctx, options) => {
        if (options.days !== undefined && !options.sources)
          throw new CliError('VALIDATION_ERROR', '--days applies to --sources');
        if (options.sources) return withForecasts(ctx, options.days ?? 30);
        const data = await ctx.api().call(balanceRoutes.balanceSummary, {
          params: { enterpriseId: await ctx.enterprise() },
        });
        return { data, table: objectTable(data) };
      }),
    );
};
