/**
 * Daily: rolls the open periods of every enterprise with an active cloud account into new snapshot
 * versions and evaluates budgets and anomalies (syncs also roll their own period up as they finish).
 */
import { billDeps } from '../../../shared/composition/bills';
import { openPeriods } from '../../../shared/domain/bills/periods';
import { logger } from '../../../shared/runtime/logger';
import { rollupPeriod } from '../../../shared/usecases/bills/rollup';

const deps = billDeps();

export const handler = async (): Promise<{ rollups: number }> => {
  logger.resetKeys();
  const enterprises = new Set((await deps.store.activeCloudAccounts()).map((a) => a.enterpriseId));
  const periods = openPeriods(deps.clock.now(), deps.settings.graceDays);
  let rollups = 0;
  for (const enterpriseId of enterprises)
    for (const periodMonth of periods) {
      const { head, anomalies } = await rollupPeriod(deps, enterpriseId, periodMonth);
      logger.info('bill rollup', { enterpriseId, periodMonth, version: head.snapshotVersion, anomalies });
      rollups += 1;
    }
  return { rollups };
};
