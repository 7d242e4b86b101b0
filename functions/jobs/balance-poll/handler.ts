/**
 * Scheduled: reads every enabled balance source under the concurrency bound, stores each reading,
 * alerts on low balances (once per state change) and publishes Powertools metrics: balance per
 * source, provider latency, failures and alerts sent.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { balanceDeps } from '../../../shared/composition/balance';
import { logger } from '../../../shared/runtime/logger';
import { pollBalances, type PollObserver, type PollSummary } from '../../../shared/usecases/balance/poll';

const deps = balanceDeps();
const metrics = new Metrics({ namespace: 'Tollgate', serviceName: 'balance-monitor' });

const observer: PollObserver = {
  reading(source, reading) {
    const single = metrics.singleMetric();
    single.addDimensions({ provider: source.provider, source: source.id });
    single.addMetric('ProviderLatency', MetricUnit.Milliseconds, reading.latencyMs);
    if (reading.status === 'failed') single.addMetric('BalanceReadFailures', MetricUnit.Count, 1);
    // Metrics are numbers by nature: the exact balance stays in the reading; this is for graphs.
    else single.addMetric('Balance', MetricUnit.NoUnit, Number(reading.balance));
  },
  alertSent(source, kind) {
    const single = metrics.singleMetric();
    single.addDimensions({ provider: source.provider, kind });
    single.addMetric('BalanceAlertsSent', MetricUnit.Count, 1);
  },
};

export const handler = async (): Promise<Omit<PollSummary, 'sources'>> => {
  logger.resetKeys();
  const { sources: _each, ...summary } = await pollBalances({ ...deps, observer });
  metrics.addMetric('BalanceSourcesChecked', MetricUnit.Count, summary.checked);
  metrics.publishStoredMetrics();
  logger.info('balance poll', summary);
  return summary;
};
