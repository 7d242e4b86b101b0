/** `tollgate anomalies get`: cost anomalies (spikes, budget overruns, untagged cost) of a month. */
import { Option, type Command } from 'commander';
import { billRoutes } from '../../shared/contracts/bills';
import { action } from '../context';
import { listTable } from '../output';
import { currentMonth, month } from '../periods';

interface AnomaliesOptions {
  period?: string;
  status?: 'open' | 'acknowledged' | 'resolved';
}

/** Adds `anomalies get`. */
export const registerAnomalies = (program: Command): void => {
  program
    .command('anomalies')
    .description('Cloud cost anomalies')
    .command('get')
    .description('Anomalies of a month, optionally only those in one status')
    .option('--period <month>', 'the month, YYYY-MM (default: this month)', month)
    .addOption(
      new Option('--status <status>', 'only this status').choices(['open', 'acknowledged', 'resolved']),
    )
    .action(
      action<AnomaliesOptions>(async (ctx, options) => {
        const all = await ctx.api().call(billRoutes.listAnomalies, {
          params: { enterpriseId: await ctx.enterprise() },
          query: { periodMonth: options.period ?? currentMonth() },
        });
        // The route has no status filter; the list of a month is short.
        const data = options.status ? all.filter((a) => a.status === options.status) : all;
        return {
          data,
          table: listTable(data, {
            id: (a) => a.id,
            provider: (a) => a.provider,
            type: (a) => a.anomalyType,
            severity: (a) => a.severity,
            status: (a) => a.status,
            title: (a) => a.title,
            detectedAt: (a) => a.detectedAt,
          }),
        };
      }),
    );
};
