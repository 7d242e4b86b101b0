/**
 * Rolls one enterprise's period up: reads every bill item of the period once into monthly
 * snapshots per dimension, publishes them as a new snapshot version (readers only ever see a
 * complete version), then evaluates budgets and anomaly rules and notifies what is new.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { detectAnomalies, type AnomalyConfig, type BudgetStatus } from '../../domain/bills/anomalies';
import {
  budgetActual,
  budgetAlertKey,
  budgetUtilization,
  monthEndForecast,
  type DepartmentProjects,
} from '../../domain/bills/budgets';
import { monthBefore } from '../../domain/bills/periods';
import { SnapshotRollup, previousAmounts, type MonthlyCostSnapshot } from '../../domain/bills/snapshots';
import type { BillStore, SnapshotHead } from '../../ports/bills';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifications';

export interface BillingSettings {
  reportingCurrency: string;
  departments: DepartmentProjects;
  anomalies: AnomalyConfig;
}

export interface RollupDeps {
  store: BillStore;
  notifier: Notifier;
  clock: Clock;
  /** The enterprise's reporting currency, department → projects map and anomaly thresholds. */
  billingSettings(enterpriseId: string): Promise<BillingSettings>;
}

export interface RollupResult {
  head: SnapshotHead;
  /** DynamoDB write requests the snapshots took. */
  writeRequests: number;
  anomalies: { created: number; updated: number };
  budgetAlerts: number;
}

const PUBLISH_TRIES = 3;

const anomalyId = (enterpriseId: string, dedupeKey: string): string =>
  createHash('sha256').update(`${enterpriseId}|${dedupeKey}`).digest('hex').slice(0, 26);

const previousMonthSnapshots = async (
  deps: RollupDeps,
  enterpriseId: string,
  periodMonth: string,
  reportingCurrency: string,
): Promise<MonthlyCostSnapshot[]> => {
  const period = monthBefore(periodMonth);
  const head = await deps.store.snapshotHead(enterpriseId, period);
  // A month reported in another currency cannot be compared amount for amount.
  if (!head || head.reportingCurrency !== reportingCurrency) return [];
  return deps.store.snapshots(enterpriseId, period, head.snapshotVersion);
};

const publish = async (
  deps: RollupDeps,
  enterpriseId: string,
  periodMonth: string,
  settings: BillingSettings,
): Promise<{
  head: SnapshotHead;
  snapshots: MonthlyCostSnapshot[];
  rollup: SnapshotRollup;
  writeRequests: number;
}> => {
  for (let attempt = 1; ; attempt++) {
    const current = await deps.store.snapshotHead(enterpriseId, periodMonth);
    const rollup = new SnapshotRollup(periodMonth, settings.reportingCurrency);
    let itemCount = 0;
    for await (const items of deps.store.scanPeriodItems(enterpriseId, periodMonth))
      for (const item of items) {
        rollup.add(item);
        itemCount += 1;
      }
    const previous = await previousMonthSnapshots(
      deps,
      enterpriseId,
      periodMonth,
      settings.reportingCurrency,
    );
    const snapshots = rollup.snapshots(previousAmounts(previous));
    const head: SnapshotHead = {
      enterpriseId,
      periodMonth,
      snapshotVersion: (current?.snapshotVersion ?? 0) + 1,
      reportingCurrency: settings.reportingCurrency,
      itemCount,
      snapshotCount: snapshots.length,
      publishedAt: deps.clock.now().toISOString(),
    };
    try {
      const writeRequests = await deps.store.publishSnapshots(
        head,
        snapshots,
        current?.snapshotVersion ?? null,
      );
      return { head, snapshots, rollup, writeRequests };
    } catch (err) {
      // Another rollup of the same period published first: read again, on top of its version.
      if (!(err instanceof DomainError && err.code === 'CONFLICT') || attempt === PUBLISH_TRIES) throw err;
    }
  }
};

export const rollupPeriod = async (
  deps: RollupDeps,
  enterpriseId: string,
  periodMonth: string,
): Promise<RollupResult> => {
  const settings = await deps.billingSettings(enterpriseId);
  const { head, snapshots, rollup, writeRequests } = await publish(deps, enterpriseId, periodMonth, settings);
  const now = deps.clock.now();

  const budgets: BudgetStatus[] = (await deps.store.listBudgets(enterpriseId))
    .filter((budget) => budget.currency === settings.reportingCurrency)
    .map((budget) => {
      const actual = budgetActual(budget, snapshots, settings.departments);
      return {
        budget,
        utilization: budgetUtilization(budget, actual, monthEndForecast(actual, periodMonth, now)),
      };
    });
  let budgetAlerts = 0;
  for (const { budget, utilization } of budgets)
    for (const threshold of utilization.crossedThresholds) {
      budgetAlerts += 1;
      await deps.notifier.notifyOnce(budgetAlertKey(budget.budgetId, periodMonth, threshold), {
        enterpriseId,
        kind: 'bills.budget-threshold',
        severity: threshold >= 100 ? 'critical' : 'warning',
        subject: `cost-budget:${budget.budgetId}`,
        message: `${budget.scopeType} ${budget.scopeKey} spent ${utilization.actual} ${budget.currency} of ${budget.budgetAmount} in ${periodMonth} (${utilization.utilizationPercent} %, threshold ${threshold} %)`,
      });
    }

  const findings = detectAnomalies(
    { periodMonth, snapshots, dailyTotals: rollup.dailyTotals(), budgets },
    settings.anomalies,
  );
  const anomalies = { created: 0, updated: 0 };
  for (const { dedupeKey, ...finding } of findings) {
    const { created } = await deps.store.upsertAnomaly(
      { ...finding, id: anomalyId(enterpriseId, dedupeKey), enterpriseId },
      now.toISOString(),
    );
    if (!created) {
      anomalies.updated += 1;
      continue;
    }
    anomalies.created += 1;
    await deps.notifier.notify({
      enterpriseId,
      kind: `bills.anomaly.${finding.anomalyType}`,
      severity: finding.severity === 'high' ? 'critical' : 'warning',
      subject: `cost-anomaly:${finding.provider}:${finding.scopeKey}`,
      message: finding.title,
    });
  }
  return { head, writeRequests, anomalies, budgetAlerts };
};
