/**
 * Scheduled hourly: feeds the open months' usage, self-hosted cost, bills and savings into the
 * P&L, recomputes the months with new facts (and their quarters and years), then checks budgets.
 */
import { pnlJobDeps } from '../../../shared/composition/pnl';
import { logger } from '../../../shared/runtime/logger';
import { runPnlRollup, type RollupRunSummary } from '../../../shared/usecases/pnl/summaries';

const deps = pnlJobDeps();

export const handler = async (): Promise<RollupRunSummary> => {
  logger.resetKeys();
  const summary = await runPnlRollup(deps);
  logger.info('pnl rollup', { ...summary });
  return summary;
};
