/** `tollgate usage get`: a group's AI gateway usage and cost over days, weeks or months. */
import { Option, type Command } from 'commander';
import { usageRoutes } from '../../shared/contracts/usage';
import { action } from '../context';
import { listTable } from '../output';
import { day, daysBefore, positiveInt, range, today } from '../periods';

interface UsageOptions {
  group: string;
  days?: number;
  start?: string;
  end?: string;
  groupBy: 'hour' | 'day' | 'week' | 'month';
}

/** Adds `usage get`. */
export const registerUsage = (program: Command): void => {
  program
    .command('usage')
    .description('AI gateway usage and cost')
    .command('get')
    .description('Requests, tokens and cost per currency of a group, per period bucket')
    .requiredOption('--group <id>', 'the group')
    .addOption(
      new Option('--days <n>', 'the last N days, today included (default 7)')
        .argParser(positiveInt)
        .conflicts(['start', 'end']),
    )
    .option('--start <date>', 'first day, YYYY-MM-DD (with --end)', day)
    .option('--end <date>', 'last day, YYYY-MM-DD (with --start)', day)
    .addOption(
      new Option('--group-by <unit>', 'bucket size').choices(['hour', 'day', 'week', 'month']).default('day'),
    )
    .action(
      action<UsageOptions>(async (ctx, options) => {
        const end = today();
        const { start: startDate, end: endDate } = range(options.start, options.end) ?? {
          start: daysBefore(end, (options.days ?? 7) - 1),
          end,
        };
        const data = await ctx.api().call(usageRoutes.groupUsageStats, {
          params: { groupId: options.group },
          query: { startDate, endDate, granularity: options.groupBy },
        });
        return {
          data,
          table: listTable(data.stats, {
            period: (s) => s.period,
            requests: (s) => s.totalRequests,
            tokens: (s) => s.totalTokens,
            cost: (s) => s.totalCost,
            avgResponseMs: (s) => s.averageResponseTime,
            successRate: (s) => s.successRate,
          }),
        };
      }),
    );
};
