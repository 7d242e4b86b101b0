import { describe, expect, it } from 'vitest';
import type { ReportFacts } from '../../../../shared/domain/reports/facts';
import { ReportSummary } from '../../../../shared/domain/reports/summary';
import {
  displayCount,
  displayMoney,
  markdownText,
  reportTotals,
  templateReport,
} from '../../../../shared/domain/reports/template';
import { reportFacts } from '../../../factories/report-facts';

/** The same facts with every list in reverse order. */
const reversed = (f: ReportFacts): ReportFacts => ({
  ...f,
  cloud: {
    ...f.cloud,
    byProvider: [...f.cloud.byProvider].reverse(),
    topServices: [...f.cloud.topServices].reverse(),
    topProjects: [...f.cloud.topProjects].reverse(),
    topAccounts: [...f.cloud.topAccounts].reverse(),
  },
  gateway: {
    ...f.gateway,
    topGroups: [...f.gateway.topGroups].reverse(),
    topModels: [...f.gateway.topModels].reverse(),
  },
  anomalies: [...f.anomalies].reverse(),
  budgets: [...f.budgets].reverse(),
  balances: [...f.balances].reverse(),
});

/** Facts with nothing to worry about. */
const calm = (over: Partial<ReportFacts> = {}): ReportFacts =>
  reportFacts({ anomalies: [], budgets: [], balances: [], ...over });

describe('templateReport totals', () => {
  it('adds cloud and gateway exactly; the previous total is cloud only when the gateway’s is unknown', () => {
    const { summary } = templateReport(reportFacts());
    expect(summary).toMatchObject({
      periodMonth: '2026-10',
      currency: 'USD',
      totalCost: '12000.000001',
      cloudCost: '10234.5675',
      aiGatewayCost: '1765.432501',
      previousTotalCost: '8000.10',
      // cloud-only previous vs cloud + gateway now is no like-for-like change
      changePercent: null,
    });
  });

  it('includes the gateway’s previous cost when known and gives the change to 2 places', () => {
    const f = reportFacts();
    const { summary } = templateReport({ ...f, gateway: { ...f.gateway, previousCost: '1000' } });
    expect(summary.previousTotalCost).toBe('9000.10');
    // (12000.000001 − 9000.10) / 9000.10 = 33.3318518…%
    expect(summary.changePercent).toBe('33.33');
  });

  it('compares cloud totals when the gateway cost nothing', () => {
    const f = reportFacts();
    const { summary } = templateReport({ ...f, gateway: { ...f.gateway, cost: '0', topGroups: [] } });
    expect(summary.totalCost).toBe('10234.5675');
    expect(summary.aiGatewayCost).toBe('0.00');
    // (10234.5675 − 8000.10) / 8000.10 = 27.9304946…%
    expect(summary.changePercent).toBe('27.93');
  });

  it('has no previous total or change without a previous month, and no change from zero', () => {
    const f = reportFacts();
    expect(templateReport({ ...f, cloud: { ...f.cloud, previousTotal: null } }).summary).toMatchObject({
      previousTotalCost: null,
      changePercent: null,
    });
    const fromZero = templateReport({
      ...f,
      cloud: { ...f.cloud, previousTotal: '0' },
      gateway: { ...f.gateway, previousCost: '0' },
    }).summary;
    expect(fromZero).toMatchObject({ previousTotalCost: '0.00', changePercent: null });
  });

  it('lists the 10 largest costs across dimensions, ties by dimension order', () => {
    expect(templateReport(reportFacts()).summary.topCosts).toEqual([
      { dimension: 'account', key: '111122223333', amount: '6234.5675' },
      { dimension: 'service', key: 'compute', amount: '5100.125' },
      { dimension: 'project', key: 'p-search', amount: '4000.00' },
      { dimension: 'account', key: 'ali-main', amount: '4000.00' },
      { dimension: 'project', key: '(untagged)', amount: '3234.5675' },
      { dimension: 'project', key: 'p-web', amount: '3000.00' },
      { dimension: 'service', key: 'storage', amount: '2000.4425' },
      { dimension: 'service', key: 'ai-ml', amount: '1500.00' },
      { dimension: 'group', key: 'Research', amount: '1200.000001' },
      { dimension: 'group', key: 'Support', amount: '565.4325' },
    ]);
  });

  it('writes a summary the ReportSummary schema accepts', () => {
    expect(ReportSummary.safeParse(templateReport(reportFacts()).summary).success).toBe(true);
    expect(ReportSummary.safeParse(templateReport(calm()).summary).success).toBe(true);
  });
});

describe('templateReport determinism', () => {
  it('gives byte-identical output for the same facts', () => {
    const a = templateReport(reportFacts());
    const b = templateReport(reportFacts());
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(b.markdown).toBe(a.markdown);
  });

  it('does not depend on the order of the facts’ lists', () => {
    const a = templateReport(reportFacts());
    const b = templateReport(reversed(reportFacts()));
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(b.markdown).toBe(a.markdown);
  });
});

describe('templateReport rules', () => {
  it('turns the rise, budgets, balances and anomalies into risks with their numbers', () => {
    expect(templateReport(reportFacts()).summary.risks).toEqual([
      'Cloud cost rose +27.93% month over month, from 8,000.10 USD to 10,234.57 USD.',
      'Budget "Search" (project:p-search) is exceeded: 4,000.00 USD spent of 3,500.00 USD (114.29%).',
      'Budget "Cloud total" (all:all) is 85.29% used: 10,234.57 USD of 12,000.00 USD.',
      'Balance "OpenAI main" (openai) runs out within 6 days at the recent burn rate: 120.50 USD left.',
      'High-severity spike anomaly on service:compute (5,100.12 USD): Compute rose 85% month over month',
      'Medium-severity untagged_cost anomaly on project:(untagged) (3,234.57 USD): 31.6% of the cloud cost carries no project tag',
    ]);
  });

  it('recommends actions that follow from the risks', () => {
    const { recommendations } = templateReport(reportFacts()).summary;
    expect(recommendations).toEqual([
      'Review what drove the +27.93% rise, starting with the largest cost, account "111122223333" at 6,234.57 USD.',
      'Cut the spend of "Search" or raise its budget: it is 500.00 USD over 3,500.00 USD.',
      'Watch budget "Cloud total": 1,765.43 USD of 12,000.00 USD remain before it is exceeded.',
      'Top up "OpenAI main" (openai) within 6 days, or lower its burn rate; 120.50 USD are left.',
      'Investigate the 1 high-severity anomaly first (service:compute), then acknowledge or resolve all 2.',
      'Tag the resources behind 3,234.57 USD of untagged cloud cost so that it can be charged to projects.',
      "gpt-4o is 84.99% of the AI gateway's cost; check whether a cheaper model can serve part of its traffic.",
    ]);
  });

  it('highlights the totals, the change, the largest provider, cost, gateway use and P&L', () => {
    expect(templateReport(reportFacts()).summary.highlights).toEqual([
      'Total cost for 2026-10: 12,000.00 USD (cloud 10,234.57 USD, AI gateway 1,765.43 USD).',
      "Cloud cost changed +27.93% from 8,000.10 USD in 2026-09; the AI gateway's cost of 2026-09 is not known.",
      'aws is the largest cloud provider at 6,234.57 USD (60.92% of cloud cost).',
      'The largest single cost is account "111122223333" at 6,234.57 USD.',
      'The AI gateway served 4,321 requests and 12,345,678 tokens for 1,765.43 USD; gpt-4o cost the most at 1,500.40 USD.',
      'Virtual P&L: revenues 15,000.00 USD, costs 12,000.00 USD, net profit 3,000.00 USD (ROI 25.00%).',
    ]);
  });

  it('applies the thresholds at their edges: budget ≥ 80 %, balance ≤ 14 days, rise > 20 %', () => {
    const f = calm({
      cloud: { ...reportFacts().cloud, previousTotal: '8528.80625' }, // exactly +20.00 %
      budgets: [
        { name: 'At 80', scope: 'all:all', amount: '100', actual: '80', utilizationPercent: '80.0000' },
        { name: 'Below', scope: 'all:all', amount: '100', actual: '79.9999', utilizationPercent: '79.9999' },
      ],
      balances: [
        { name: 'Two weeks', provider: 'openai', balance: '14', currency: 'USD', daysUntilZero: 14 },
        { name: 'Fifteen', provider: 'openai', balance: '15', currency: 'USD', daysUntilZero: 15 },
      ],
    });
    const f2 = { ...f, gateway: { ...f.gateway, cost: '0', topGroups: [] } };
    const { summary } = templateReport(f2);
    expect(summary.changePercent).toBe('20.00');
    expect(summary.risks).toEqual([
      'Budget "At 80" (all:all) is 80.00% used: 80.00 USD of 100.00 USD.',
      'Balance "Two weeks" (openai) runs out within 14 days at the recent burn rate: 14.00 USD left.',
    ]);
  });

  it('has no risks when nothing is wrong, and says there are no anomalies', () => {
    const f = calm({ cloud: { ...reportFacts().cloud, previousTotal: '10000' } });
    const { summary } = templateReport(f);
    expect(summary.risks).toEqual([]);
    expect(summary.highlights).toContain('No open cost anomalies this month.');
  });

  it('keeps at most 10 risks, the last one saying how many more there are', () => {
    const anomalies = Array.from({ length: 12 }, (_, i) => ({
      kind: 'spike',
      scope: `service:s${String(i).padStart(2, '0')}`,
      severity: 'low' as const,
      amount: null,
      message: 'Rose',
    }));
    const { summary } = templateReport(calm({ anomalies }));
    expect(summary.risks).toHaveLength(10);
    // the rise + 12 anomalies = 13 risks: 9 kept, 4 more
    expect(summary.risks[9]).toBe('4 more risks are listed in the report.');
    expect(ReportSummary.safeParse(summary).success).toBe(true);
  });

  it('cuts sentences to 500 characters', () => {
    const { summary } = templateReport(
      calm({
        anomalies: [{ kind: 'spike', scope: 'x', severity: 'high', amount: null, message: 'a'.repeat(2000) }],
      }),
    );
    expect(summary.risks.every((r) => r.length <= 500)).toBe(true);
    expect(summary.risks.at(-1)?.endsWith('…')).toBe(true);
  });
});

describe('templateReport markdown', () => {
  const { markdown } = templateReport(reportFacts());

  it('has a title with the month and enterprise and a totals table rounded half-even', () => {
    expect(markdown.startsWith('# AI cost report 2026-10: Acme Robotics\n')).toBe(true);
    expect(markdown).toContain(
      [
        '|  | Amount (USD) |',
        '| --- | ---: |',
        '| Cloud | 10,234.57 |',
        '| AI gateway | 1,765.43 |',
        '| **Total** | **12,000.00** |',
        '| Previous month (2026-09, cloud only) | 8,000.10 |',
        '| Cloud change | +27.93% |',
      ].join('\n'),
    );
    // 5100.125 → 5,100.12 (half-even), 2000.4425 → 2,000.44
    expect(markdown).toContain('| 2 | service | compute | 5,100.12 |');
    expect(markdown).toContain('| 7 | service | storage | 2,000.44 |');
  });

  it('has anomalies, budgets, the P&L, balances and the snapshot footer', () => {
    expect(markdown).toContain(
      '| high | spike | service:compute | 5,100.12 | Compute rose 85% month over month |',
    );
    expect(markdown).toContain('| Search | project:p-search | 3,500.00 | 4,000.00 | 114.29% |');
    expect(markdown).toContain(
      'Revenues 15,000.00 USD, costs 12,000.00 USD, net profit 3,000.00 USD, ROI 25.00%.',
    );
    expect(markdown).toContain('| OpenAI main | openai | 120.50 USD | 6 |');
    expect(markdown).toContain('| Moonshot | moonshot | 50.00 CNY | – |');
    expect(markdown.endsWith('_Generated by the Tollgate report template from snapshot version 3._\n')).toBe(
      true,
    );
  });

  it('escapes markdown and HTML in names', () => {
    const md = templateReport(reportFacts({ enterpriseName: '<b>Acme</b> | *x*' })).markdown;
    expect(md.split('\n')[0]).toBe('# AI cost report 2026-10: \\<b\\>Acme\\</b\\> \\| \\*x\\*');
  });
});

describe('presentation helpers', () => {
  it('prints money half-even with 2 decimals and thousands separators', () => {
    expect(displayMoney('1234567.125')).toBe('1,234,567.12');
    expect(displayMoney('1234567.135')).toBe('1,234,567.14');
    expect(displayMoney('-1234.5')).toBe('-1,234.50');
    expect(displayMoney('0.005')).toBe('0.00');
    expect(displayMoney('-0.001')).toBe('0.00');
    expect(displayMoney('999')).toBe('999.00');
    expect(displayCount(1234567)).toBe('1,234,567');
  });

  it('escapes markdown syntax but keeps intraword underscores', () => {
    expect(markdownText('my_project _x_ [a](b) # 1')).toBe('my_project \\_x\\_ \\[a\\](b) # 1');
    expect(markdownText('# heading')).toBe('\\# heading');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('1. item')).toBe('1\\. item');
    expect(markdownText('a\nb')).toBe('a b');
    expect(markdownText('&amp; & P&L')).toBe('\\&amp; & P&L');
  });

  it('exposes the same totals the summary has', () => {
    const { summary } = templateReport(reportFacts());
    const totals = reportTotals(reportFacts());
    expect(totals.totalCost).toBe(summary.totalCost);
    expect(totals.topCosts).toEqual(summary.topCosts);
  });
});
