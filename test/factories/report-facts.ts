/**
 * A hand-made month of report facts with known exact results:
 * - totalCost = 10234.5675 (cloud) + 1765.432501 (gateway) = 12000.000001 USD;
 * - the gateway's previous cost is unknown, so previousTotalCost is the cloud's 8000.10 and
 *   changePercent is null; the cloud alone rose 27.93 % (a risk, above 20 %);
 * - 11 costs by dimension, so topCosts keeps the 10 largest (network, 10.01, is left out) and
 *   breaks the 4000 tie as project p-search before account ali-main;
 * - risks: the cloud rise, budgets Search (114.29 %) and Cloud total (85.29 %), balance OpenAI main
 *   (6 days), and two anomalies (high first).
 */
import type { ReportFacts } from '../../shared/domain/reports/facts';

export const reportFacts = (over: Partial<ReportFacts> = {}): ReportFacts => ({
  periodMonth: '2026-10',
  enterpriseName: 'Acme Robotics',
  currency: 'USD',
  snapshotVersion: 3,
  cloud: {
    total: '10234.5675',
    previousTotal: '8000.10',
    byProvider: [
      { provider: 'aliyun', amount: '4000.00' },
      { provider: 'aws', amount: '6234.5675' },
    ],
    topServices: [
      { key: 'compute', amount: '5100.125' },
      { key: 'storage', amount: '2000.4425' },
      { key: 'ai-ml', amount: '1500' },
      { key: 'network', amount: '10.01' },
    ],
    topProjects: [
      { key: 'p-search', amount: '4000' },
      { key: '(untagged)', amount: '3234.5675' },
      { key: 'p-web', amount: '3000' },
    ],
    topAccounts: [
      { key: '111122223333', amount: '6234.5675' },
      { key: 'ali-main', amount: '4000.00' },
    ],
  },
  gateway: {
    cost: '1765.432501',
    tokens: 12_345_678,
    requests: 4321,
    topGroups: [
      { groupId: 'g-research', name: 'Research', cost: '1200.000001', tokens: 9_000_000 },
      { groupId: 'g-support', name: 'Support', cost: '565.4325', tokens: 3_345_678 },
    ],
    topModels: [
      { model: 'gpt-4o', cost: '1500.4', tokens: 10_000_000 },
      { model: 'claude-sonnet', cost: '265.032501', tokens: 2_345_678 },
    ],
  },
  anomalies: [
    {
      kind: 'untagged_cost',
      scope: 'project:(untagged)',
      severity: 'medium',
      amount: '3234.5675',
      message: '31.6% of the cloud cost carries no project tag',
    },
    {
      kind: 'spike',
      scope: 'service:compute',
      severity: 'high',
      amount: '5100.125',
      message: 'Compute rose 85% month over month',
    },
  ],
  budgets: [
    { name: 'Web', scope: 'project:p-web', amount: '10000', actual: '3000', utilizationPercent: '30.0000' },
    {
      name: 'Cloud total',
      scope: 'all:all',
      amount: '12000',
      actual: '10234.5675',
      utilizationPercent: '85.2881',
    },
    {
      name: 'Search',
      scope: 'project:p-search',
      amount: '3500',
      actual: '4000',
      utilizationPercent: '114.2857',
    },
  ],
  pnl: { totalCosts: '12000.000001', totalRevenues: '15000', netProfit: '2999.999999', roi: '0.250000' },
  balances: [
    { name: 'OpenAI main', provider: 'openai', balance: '120.5', currency: 'USD', daysUntilZero: 6 },
    { name: 'DeepSeek', provider: 'deepseek', balance: '800', currency: 'CNY', daysUntilZero: 40 },
    { name: 'Moonshot', provider: 'moonshot', balance: '50', currency: 'CNY', daysUntilZero: null },
  ],
  ...over,
});
