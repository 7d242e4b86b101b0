/** `tollgate jobs run <name>`: run a scheduled job now (platform admins). */
import type { Command } from 'commander';
import { jobRoutes } from '../../shared/contracts/jobs';
import { action } from '../context';
import { objectTable } from '../output';

/** Adds `jobs run`. */
export const registerJobs = (program: Command): void => {
  program
    .command('jobs')
    .description('Scheduled jobs')
    .command('run')
    .description('Run a scheduled job now and show its summary (platform admins only)')
    .argument('<name>', 'the job, such as pnl-rollup, bill-rollup or balance-poll')
    .action(
      action(async (ctx, _options, [name]) => {
        const data = await ctx.api().call(jobRoutes.runJob, { params: { name }, body: {} });
        return { data, table: objectTable(data) };
      }),
    );
};
