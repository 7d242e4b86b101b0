/** Daily: one sync job per active cloud account and open period, queued for the worker. */
import { billDeps } from '../../../shared/composition/bills';
import { logger } from '../../../shared/runtime/logger';
import { dispatchSyncJobs } from '../../../shared/usecases/bills/sync';

const deps = billDeps();

export const handler = async (): Promise<{ jobs: number }> => {
  logger.resetKeys();
  const jobs = await dispatchSyncJobs(deps);
  logger.info('bill sync jobs queued', { jobs: jobs.length });
  return { jobs: jobs.length };
};
