/** `tollgate report`: the monthly AI cost reports, read one or list them, or start one. */
import type { Command } from 'commander';
import { reportRoutes } from '../../shared/contracts/reports';
import { action } from '../context';
import { CliError } from '../errors';
import { listTable, objectTable } from '../output';
import { month } from '../periods';

interface ReportGetOptions {
  period?: string;
}

/** Adds `report get` and `report generate`. */
export const registerReport = (program: Command): void => {
  const report = program.command('report').description('Monthly AI cost reports');

  report
    .command('get')
    .description('One report with its summary and markdown, or the list of reports (newest first)')
    .argument('[reportId]', 'the report to read; absent: list them')
    .option('--period <month>', 'list only the reports of this month, YYYY-MM', month)
    .action(
      action<ReportGetOptions>(async (ctx, options, [reportId]) => {
        if (reportId) {
          if (options.period)
            throw new CliError('VALIDATION_ERROR', 'give a report id or --period, not both');
          const data = await ctx.api().call(reportRoutes.getReport, { params: { reportId } });
          // The markdown body is the JSON answer's; a table cell cannot show it.
          const { markdown: _markdown, ...fields } = data;
          return { data, table: objectTable(fields) };
        }
        const data = await ctx.api().call(reportRoutes.listReports, {
          params: { enterpriseId: await ctx.enterprise() },
          query: { periodMonth: options.period },
        });
        return {
          data,
          table: listTable(data.items, {
            id: (r) => r.id,
            period: (r) => r.periodMonth,
            status: (r) => r.status,
            writer: (r) => r.writer,
            currency: (r) => r.summary.currency,
            totalCost: (r) => r.summary.totalCost,
            changePercent: (r) => r.summary.changePercent,
            email: (r) => r.emailStatus,
            generatedAt: (r) => r.generatedAt,
          }),
        };
      }),
    );

  report
    .command('generate')
    .description('Start the report workflow for a month (the same snapshot version yields the same report)')
    .requiredOption('--period <month>', 'the month, YYYY-MM', month)
    .action(
      action<{ period: string }>(async (ctx, options) => {
        const data = await ctx.api().call(reportRoutes.generateReport, {
          params: { enterpriseId: await ctx.enterprise() },
          body: { periodMonth: options.period },
        });
        return { data, table: objectTable(data) };
      }),
    );
};
