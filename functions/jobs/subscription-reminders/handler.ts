/**
 * Scheduled daily: moves passed subscription renewals on (recording each one) and sends the renewal
 * reminders due, once per subscription, renewal and lead time however often it runs.
 */
import { renewalJobDeps } from '../../../shared/composition/subscriptions';
import { logger } from '../../../shared/runtime/logger';
import { runRenewalReminders, type RenewalRunSummary } from '../../../shared/usecases/balance/subscriptions';

const deps = renewalJobDeps();

export const handler = async (): Promise<RenewalRunSummary> => {
  logger.resetKeys();
  const summary = await runRenewalReminders(deps);
  logger.info('subscription reminders', { ...summary });
  return summary;
};
