/**
 * The deterministic monthly report: the structured summary and a markdown body written from the
 * facts by fixed rules. It is the fallback when the LLM fails, and the reference the LLM's numbers
 * are checked against (llm.ts), so the same facts always give byte-identical output: no clock, no
 * locale, and every list sorted by a total order before it is printed.
 *
 * Totals are exact: `totalCost = cloud.total + gateway.cost`. The previous total is the cloud's
 * previous total plus the gateway's when the facts know it (`gateway.previousCost`); when they do
 * not, it covers the cloud only and `changePercent` is null unless the gateway cost nothing this
 * month, since a change from a cloud-only total to a cloud + gateway total is no like-for-like
 * change. The cloud's own change is then reported instead (a highlight, and the > 20 % risk rule).
 *
 * Amounts are rounded only when printed: half-even to 2 decimals, with thousands separators.
 */
import { UNTAGGED_PROJECT } from '../bills/snapshots';
import { monthBefore } from '../bills/periods';
import { decimal } from '../money';
import type { DecimalValue } from '../money';
import { moneyString, rounded, sumOf } from '../pnl/amounts';
import type { ReportFacts } from './facts';
import type { ReportSummaryData } from './summary';

/** How many costs the summary's `topCosts` lists. */
export const TOP_COSTS = 10;
/** A month-over-month rise above this percent is a risk. */
export const COST_RISE_RISK_PERCENT = 20;
/** A budget used to at least this percent is a risk. */
export const BUDGET_RISK_PERCENT = 80;
/** A balance expected to reach zero within this many days is a risk. */
export const BALANCE_RISK_DAYS = 14;
/** A model with at least this share of the gateway's cost earns a recommendation. */
const MODEL_SHARE_PERCENT = 50;

const MAX_SENTENCES = 10;
const MAX_SENTENCE_LENGTH = 500;

/** Cost dimensions of `topCosts`, in the order that breaks ties between equal amounts. */
export const COST_DIMENSIONS = ['service', 'project', 'account', 'group'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

export interface CostItem {
  dimension: string;
  key: string;
  amount: string;
}

/** The numbers of the summary that come from the facts by arithmetic alone (the LLM must copy them). */
export interface ReportTotals {
  periodMonth: string;
  currency: string;
  totalCost: string;
  previousTotalCost: string | null;
  changePercent: string | null;
  aiGatewayCost: string;
  cloudCost: string;
  topCosts: CostItem[];
}

// ---------------------------------------------------------------------------------------------
// Presentation helpers (also used by the e-mail rendering)

const groupThousands = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `1234567.125` → `1,234,567.12`: half-even to 2 decimals with thousands separators. */
export const displayMoney = (value: string | DecimalValue): string => {
  const fixed = rounded(value, 2);
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction = '00'] = (negative ? fixed.slice(1) : fixed).split('.');
  return `${negative ? '-' : ''}${groupThousands(whole)}.${fraction}`;
};

/** An integer count with thousands separators. */
export const displayCount = (value: number): string =>
  value < 0 ? `-${groupThousands(String(-value))}` : groupThousands(String(value));

/** A percent value, half-even to 2 decimals: `12.5` → `12.50%`. */
const displayPercent = (value: string | DecimalValue): string => `${rounded(value, 2)}%`;

/** A signed change in percent: `+12.50%`, `-3.00%`, `0.00%`. */
const displayChange = (percent: string): string => {
  const d = decimal(percent);
  return d.greaterThan(0) ? `+${displayPercent(d)}` : displayPercent(d);
};

/** One line of plain text: no line breaks, at most `max` UTF-16 units, never a split surrogate pair. */
const oneLine = (text: string, max = MAX_SENTENCE_LENGTH): string => {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  if (flat.length <= max) return flat;
  let cut = flat.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
};

/**
 * Text made safe as inline markdown (a table cell, a list item, the title): characters that would
 * start emphasis, code, links, HTML, strikethrough or a cell are backslash-escaped, and so are an
 * entity's `&`, an `_` that is not inside a word, and a leading `#`, `-`, `+` or `1.` that would
 * make a heading or a nested list. Anything else stays readable as plain text.
 */
export const markdownText = (text: string): string =>
  oneLine(text, Number.MAX_SAFE_INTEGER)
    .replace(/[\\`*[\]<>|~]/g, '\\$&')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/_/g, (underscore, offset: number, whole: string) =>
      /[A-Za-z0-9]/.test(whole[offset - 1] ?? '') && /[A-Za-z0-9]/.test(whole[offset + 1] ?? '')
        ? underscore
        : '\\_',
    )
    .replace(/^(#|[-+](?=\s|$)|\d+(?=[.)](?:\s|$)))/, (lead) =>
      /^\d/.test(lead) ? `${lead}\\` : `\\${lead}`,
    );

// ---------------------------------------------------------------------------------------------
// Totals

/** (current − previous) / |previous| in percent, 2 places; null when previous is 0. */
const changeOf = (current: DecimalValue, previous: DecimalValue): string | null =>
  previous.isZero() ? null : rounded(current.minus(previous).times(100).dividedBy(previous.abs()), 2);

/** Largest first; equal amounts by dimension order, then key (code-unit order, not locale). */
const byAmountDesc = (a: CostItem, b: CostItem): number => {
  const byAmount = decimal(b.amount).comparedTo(decimal(a.amount));
  if (byAmount !== 0) return byAmount;
  const rank = (d: string) => COST_DIMENSIONS.indexOf(d as CostDimension);
  if (rank(a.dimension) !== rank(b.dimension)) return rank(a.dimension) - rank(b.dimension);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
};

/**
 * Every cost the facts name by dimension (services, projects, accounts and gateway groups, the
 * group's key being its name), amounts as exact money strings, largest first.
 */
export const costItems = (facts: ReportFacts): CostItem[] =>
  [
    ...facts.cloud.topServices.map((s) => ({ dimension: 'service', key: s.key, amount: s.amount })),
    ...facts.cloud.topProjects.map((p) => ({ dimension: 'project', key: p.key, amount: p.amount })),
    ...facts.cloud.topAccounts.map((a) => ({ dimension: 'account', key: a.key, amount: a.amount })),
    ...facts.gateway.topGroups.map((g) => ({ dimension: 'group', key: g.name, amount: g.cost })),
  ]
    .map((item) => ({ ...item, amount: moneyString(item.amount) }))
    .sort(byAmountDesc);

/** The summary's numbers: exact totals, the previous total, the change and the top costs. */
export const reportTotals = (facts: ReportFacts): ReportTotals => {
  const cloud = decimal(facts.cloud.total);
  const gateway = decimal(facts.gateway.cost);
  const total = cloud.plus(gateway);
  const gatewayPrevious = facts.gateway.previousCost ?? null;
  const previous =
    facts.cloud.previousTotal === null
      ? null
      : decimal(facts.cloud.previousTotal).plus(gatewayPrevious === null ? 0 : decimal(gatewayPrevious));
  const likeForLike = gatewayPrevious !== null || gateway.isZero();
  return {
    periodMonth: facts.periodMonth,
    currency: facts.currency,
    totalCost: moneyString(total),
    previousTotalCost: previous === null ? null : moneyString(previous),
    changePercent: previous !== null && likeForLike ? changeOf(total, previous) : null,
    aiGatewayCost: moneyString(gateway),
    cloudCost: moneyString(cloud),
    topCosts: costItems(facts).slice(0, TOP_COSTS),
  };
};

/** The cloud's own month-over-month change in percent, when there is a previous month. */
const cloudChange = (facts: ReportFacts): string | null =>
  facts.cloud.previousTotal === null
    ? null
    : changeOf(decimal(facts.cloud.total), decimal(facts.cloud.previousTotal));

// ---------------------------------------------------------------------------------------------
// Rules

const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };

const capitalized = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sortedAnomalies = (facts: ReportFacts) =>
  [...facts.anomalies].sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) ||
      compareText(a.kind, b.kind) ||
      compareText(a.scope, b.scope) ||
      compareText(a.message, b.message),
  );

/** Budgets by utilization, highest first (unknown utilization last), then name. */
const sortedBudgets = (facts: ReportFacts) =>
  [...facts.budgets].sort((a, b) => {
    if (a.utilizationPercent !== b.utilizationPercent) {
      if (a.utilizationPercent === null) return 1;
      if (b.utilizationPercent === null) return -1;
      const byUse = decimal(b.utilizationPercent).comparedTo(decimal(a.utilizationPercent));
      if (byUse !== 0) return byUse;
    }
    return compareText(a.name, b.name) || compareText(a.scope, b.scope);
  });

/** Balances by runway, shortest first (no runway last), then name. */
const sortedBalances = (facts: ReportFacts) =>
  [...facts.balances].sort(
    (a, b) =>
      (a.daysUntilZero ?? Number.POSITIVE_INFINITY) - (b.daysUntilZero ?? Number.POSITIVE_INFINITY) ||
      compareText(a.name, b.name) ||
      compareText(a.provider, b.provider),
  );

const sortedProviders = (facts: ReportFacts) =>
  [...facts.cloud.byProvider].sort(
    (a, b) => decimal(b.amount).comparedTo(decimal(a.amount)) || compareText(a.provider, b.provider),
  );

const sortedModels = (facts: ReportFacts) =>
  [...facts.gateway.topModels].sort(
    (a, b) => decimal(b.cost).comparedTo(decimal(a.cost)) || compareText(a.model, b.model),
  );

const atLeast = (percent: string | null, threshold: number): boolean =>
  percent !== null && decimal(percent).greaterThanOrEqualTo(threshold);

const daysText = (days: number): string =>
  days <= 0 ? 'now' : days === 1 ? 'within 1 day' : `within ${displayCount(days)} days`;

/** At most 10 sentences; a longer list keeps 9 and says how many more the body lists. */
const capped = (sentences: string[], more: (n: number) => string): string[] =>
  (sentences.length <= MAX_SENTENCES
    ? sentences
    : [...sentences.slice(0, MAX_SENTENCES - 1), more(sentences.length - (MAX_SENTENCES - 1))]
  ).map((s) => oneLine(s));

interface Assessment {
  totals: ReportTotals;
  /** The like-for-like change the rise rule reads: the total's, else the cloud's. */
  rise: { percent: string; of: 'total' | 'cloud' } | null;
  budgetsAtRisk: ReportFacts['budgets'];
  balancesAtRisk: ReportFacts['balances'];
  anomalies: ReportFacts['anomalies'];
}

const assess = (facts: ReportFacts): Assessment => {
  const totals = reportTotals(facts);
  const change = totals.changePercent ?? cloudChange(facts);
  const of = totals.changePercent !== null ? 'total' : 'cloud';
  return {
    totals,
    rise:
      change !== null && decimal(change).greaterThan(COST_RISE_RISK_PERCENT) ? { percent: change, of } : null,
    budgetsAtRisk: sortedBudgets(facts).filter((b) => atLeast(b.utilizationPercent, BUDGET_RISK_PERCENT)),
    balancesAtRisk: sortedBalances(facts).filter(
      (b) => b.daysUntilZero !== null && b.daysUntilZero <= BALANCE_RISK_DAYS,
    ),
    anomalies: sortedAnomalies(facts),
  };
};

const highlightsOf = (facts: ReportFacts, a: Assessment): string[] => {
  const cur = facts.currency;
  const { totals } = a;
  const money = (value: string) => `${displayMoney(value)} ${cur}`;
  const out = [
    `Total cost for ${facts.periodMonth}: ${money(totals.totalCost)} (cloud ${money(totals.cloudCost)}, AI gateway ${money(totals.aiGatewayCost)}).`,
  ];
  const previousMonth = monthBefore(facts.periodMonth);
  if (totals.changePercent !== null && totals.previousTotalCost !== null) {
    out.push(
      `Total cost changed ${displayChange(totals.changePercent)} from ${money(totals.previousTotalCost)} in ${previousMonth}.`,
    );
  } else {
    const cloud = cloudChange(facts);
    if (cloud !== null && facts.cloud.previousTotal !== null) {
      out.push(
        `Cloud cost changed ${displayChange(cloud)} from ${money(facts.cloud.previousTotal)} in ${previousMonth}; the AI gateway's cost of ${previousMonth} is not known.`,
      );
    } else if (facts.cloud.previousTotal === null) {
      out.push(`There is no ${previousMonth} total to compare with.`);
    }
  }
  const [provider] = sortedProviders(facts);
  const cloudTotal = decimal(facts.cloud.total);
  if (provider && !cloudTotal.isZero()) {
    const share = rounded(decimal(provider.amount).times(100).dividedBy(cloudTotal), 2);
    out.push(
      `${provider.provider} is the largest cloud provider at ${money(provider.amount)} (${share}% of cloud cost).`,
    );
  }
  const [largest] = totals.topCosts;
  if (largest) {
    out.push(`The largest single cost is ${largest.dimension} "${largest.key}" at ${money(largest.amount)}.`);
  }
  if (facts.gateway.requests > 0) {
    const [model] = sortedModels(facts);
    out.push(
      `The AI gateway served ${displayCount(facts.gateway.requests)} requests and ${displayCount(facts.gateway.tokens)} tokens for ${money(totals.aiGatewayCost)}` +
        (model ? `; ${model.model} cost the most at ${money(model.cost)}.` : '.'),
    );
  }
  if (facts.pnl) {
    const roi = facts.pnl.roi === null ? '' : ` (ROI ${displayPercent(decimal(facts.pnl.roi).times(100))})`;
    out.push(
      `Virtual P&L: revenues ${money(facts.pnl.totalRevenues)}, costs ${money(facts.pnl.totalCosts)}, net profit ${money(facts.pnl.netProfit)}${roi}.`,
    );
  }
  if (facts.anomalies.length === 0) out.push('No open cost anomalies this month.');
  return capped(out, (n) => `${n} more highlights are in the report.`);
};

const risksOf = (facts: ReportFacts, a: Assessment): string[] => {
  const cur = facts.currency;
  const money = (value: string) => `${displayMoney(value)} ${cur}`;
  const out: string[] = [];
  if (a.rise) {
    const [from, to] =
      a.rise.of === 'total'
        ? [a.totals.previousTotalCost ?? '0', a.totals.totalCost]
        : [facts.cloud.previousTotal ?? '0', facts.cloud.total];
    out.push(
      `${a.rise.of === 'total' ? 'Total' : 'Cloud'} cost rose ${displayChange(a.rise.percent)} month over month, from ${money(from)} to ${money(to)}.`,
    );
  }
  for (const b of a.budgetsAtRisk) {
    const use = displayPercent(b.utilizationPercent ?? '0');
    out.push(
      atLeast(b.utilizationPercent, 100)
        ? `Budget "${b.name}" (${b.scope}) is exceeded: ${money(b.actual)} spent of ${money(b.amount)} (${use}).`
        : `Budget "${b.name}" (${b.scope}) is ${use} used: ${money(b.actual)} of ${money(b.amount)}.`,
    );
  }
  for (const b of a.balancesAtRisk) {
    out.push(
      `Balance "${b.name}" (${b.provider}) runs out ${daysText(b.daysUntilZero ?? 0)} at the recent burn rate: ${displayMoney(b.balance)} ${b.currency} left.`,
    );
  }
  for (const x of a.anomalies) {
    const amount = x.amount === null ? '' : ` (${money(x.amount)})`;
    out.push(`${capitalized(x.severity)}-severity ${x.kind} anomaly on ${x.scope}${amount}: ${x.message}`);
  }
  return capped(out, (n) => `${n} more risks are listed in the report.`);
};

const recommendationsOf = (facts: ReportFacts, a: Assessment): string[] => {
  const cur = facts.currency;
  const money = (value: string | DecimalValue) => `${displayMoney(value)} ${cur}`;
  const out: string[] = [];
  const [largest] = a.totals.topCosts;
  if (a.rise && largest) {
    out.push(
      `Review what drove the ${displayChange(a.rise.percent)} rise, starting with the largest cost, ${largest.dimension} "${largest.key}" at ${money(largest.amount)}.`,
    );
  }
  for (const b of a.budgetsAtRisk) {
    if (atLeast(b.utilizationPercent, 100)) {
      const over = decimal(b.actual).minus(decimal(b.amount));
      out.push(
        `Cut the spend of "${b.name}" or raise its budget: it is ${money(over)} over ${money(b.amount)}.`,
      );
    } else {
      out.push(
        `Watch budget "${b.name}": ${money(decimal(b.amount).minus(decimal(b.actual)))} of ${money(b.amount)} remain before it is exceeded.`,
      );
    }
  }
  for (const b of a.balancesAtRisk) {
    out.push(
      `Top up "${b.name}" (${b.provider}) ${daysText(b.daysUntilZero ?? 0)}, or lower its burn rate; ${displayMoney(b.balance)} ${b.currency} are left.`,
    );
  }
  if (a.anomalies.length > 0) {
    const high = a.anomalies.filter((x) => x.severity === 'high');
    out.push(
      high.length > 0
        ? `Investigate the ${high.length} high-severity anomal${high.length === 1 ? 'y' : 'ies'} first (${high.map((x) => x.scope).join(', ')}), then acknowledge or resolve all ${a.anomalies.length}.`
        : `Review the ${a.anomalies.length} open anomal${a.anomalies.length === 1 ? 'y' : 'ies'} and acknowledge or resolve ${a.anomalies.length === 1 ? 'it' : 'them'}.`,
    );
  }
  const untagged = sumOf(
    facts.cloud.topProjects.filter((p) => p.key === UNTAGGED_PROJECT).map((p) => p.amount),
  );
  if (untagged.greaterThan(0)) {
    out.push(
      `Tag the resources behind ${money(untagged)} of untagged cloud cost so that it can be charged to projects.`,
    );
  }
  const gateway = decimal(facts.gateway.cost);
  const [model] = sortedModels(facts);
  if (model && gateway.greaterThan(0)) {
    const share = decimal(model.cost).times(100).dividedBy(gateway);
    if (share.greaterThanOrEqualTo(MODEL_SHARE_PERCENT)) {
      out.push(
        `${model.model} is ${displayPercent(share)} of the AI gateway's cost; check whether a cheaper model can serve part of its traffic.`,
      );
    }
  }
  return capped(out, (n) => `${n} more recommendations follow from the risks in the report.`);
};

// ---------------------------------------------------------------------------------------------
// Markdown

type Align = 'left' | 'right';

const table = (headers: string[], align: Align[], rows: string[][]): string[] => [
  `| ${headers.join(' | ')} |`,
  `|${align.map((a) => (a === 'right' ? ' ---: ' : ' --- ')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
];

const bullets = (items: string[], empty: string): string[] =>
  items.length === 0 ? [empty] : items.map((s) => `- ${markdownText(s)}`);

const markdownOf = (facts: ReportFacts, summary: ReportSummaryData, a: Assessment): string => {
  const cur = markdownText(facts.currency);
  const t = markdownText;
  const lines: string[] = [
    `# AI cost report ${facts.periodMonth}: ${t(facts.enterpriseName)}`,
    '',
    '## Highlights',
    '',
    ...bullets(summary.highlights, 'Nothing to report.'),
    '',
    '## Totals',
    '',
  ];
  const totalsRows = [
    ['Cloud', displayMoney(summary.cloudCost)],
    ['AI gateway', displayMoney(summary.aiGatewayCost)],
    ['**Total**', `**${displayMoney(summary.totalCost)}**`],
  ];
  if (summary.previousTotalCost !== null) {
    const coversGateway = (facts.gateway.previousCost ?? null) !== null;
    totalsRows.push([
      `Previous month (${monthBefore(facts.periodMonth)}${coversGateway ? '' : ', cloud only'})`,
      displayMoney(summary.previousTotalCost),
    ]);
  }
  const change = summary.changePercent ?? cloudChange(facts);
  if (change !== null) {
    totalsRows.push([summary.changePercent !== null ? 'Change' : 'Cloud change', displayChange(change)]);
  }
  lines.push(...table(['', `Amount (${cur})`], ['left', 'right'], totalsRows), '');

  const providers = sortedProviders(facts);
  if (providers.length > 0) {
    lines.push(
      '## Cloud cost by provider',
      '',
      ...table(
        ['Provider', `Amount (${cur})`],
        ['left', 'right'],
        providers.map((p) => [t(p.provider), displayMoney(p.amount)]),
      ),
      '',
    );
  }

  lines.push('## Top costs', '');
  if (summary.topCosts.length === 0) lines.push('No costs by service, project, account or group.');
  else {
    lines.push(
      ...table(
        ['#', 'Dimension', 'Key', `Amount (${cur})`],
        ['right', 'left', 'left', 'right'],
        summary.topCosts.map((c, i) => [String(i + 1), t(c.dimension), t(c.key), displayMoney(c.amount)]),
      ),
    );
  }
  lines.push('');

  lines.push(
    '## AI gateway',
    '',
    `${displayCount(facts.gateway.requests)} requests, ${displayCount(facts.gateway.tokens)} tokens, ${displayMoney(summary.aiGatewayCost)} ${cur}.`,
    '',
  );
  const models = sortedModels(facts);
  if (models.length > 0) {
    lines.push(
      ...table(
        ['Model', 'Tokens', `Cost (${cur})`],
        ['left', 'right', 'right'],
        models.map((m) => [t(m.model), displayCount(m.tokens), displayMoney(m.cost)]),
      ),
      '',
    );
  }

  lines.push('## Risks', '', ...bullets(summary.risks, 'No risks found.'), '');
  lines.push('## Recommendations', '', ...bullets(summary.recommendations, 'No action needed.'), '');

  lines.push('## Anomalies', '');
  if (a.anomalies.length === 0) lines.push('No open cost anomalies.');
  else {
    lines.push(
      ...table(
        ['Severity', 'Kind', 'Scope', `Amount (${cur})`, 'Description'],
        ['left', 'left', 'left', 'right', 'left'],
        a.anomalies.map((x) => [
          t(x.severity),
          t(x.kind),
          t(x.scope),
          x.amount === null ? '–' : displayMoney(x.amount),
          t(x.message),
        ]),
      ),
    );
  }
  lines.push('');

  lines.push('## Budgets', '');
  const budgets = sortedBudgets(facts);
  if (budgets.length === 0) lines.push('No cloud budgets.');
  else {
    lines.push(
      ...table(
        ['Budget', 'Scope', `Budget (${cur})`, `Actual (${cur})`, 'Used'],
        ['left', 'left', 'right', 'right', 'right'],
        budgets.map((b) => [
          t(b.name),
          t(b.scope),
          displayMoney(b.amount),
          displayMoney(b.actual),
          b.utilizationPercent === null ? '–' : displayPercent(b.utilizationPercent),
        ]),
      ),
    );
  }
  lines.push('');

  lines.push('## Virtual P&L', '');
  if (facts.pnl === null) lines.push(`No consolidated P&L in ${cur} for this month.`);
  else {
    const p = facts.pnl;
    const roi = p.roi === null ? 'n/a' : displayPercent(decimal(p.roi).times(100));
    lines.push(
      `Revenues ${displayMoney(p.totalRevenues)} ${cur}, costs ${displayMoney(p.totalCosts)} ${cur}, net profit ${displayMoney(p.netProfit)} ${cur}, ROI ${roi}.`,
    );
  }
  lines.push('');

  lines.push('## Balances', '');
  const balances = sortedBalances(facts);
  if (balances.length === 0) lines.push('No monitored balances.');
  else {
    lines.push(
      ...table(
        ['Balance', 'Provider', 'Amount', 'Days until zero'],
        ['left', 'left', 'right', 'right'],
        balances.map((b) => [
          t(b.name),
          t(b.provider),
          `${displayMoney(b.balance)} ${t(b.currency)}`,
          b.daysUntilZero === null ? '–' : displayCount(b.daysUntilZero),
        ]),
      ),
    );
  }
  lines.push(
    '',
    '---',
    '',
    `_Generated by the Tollgate report template from snapshot version ${facts.snapshotVersion}._`,
    '',
  );
  return lines.join('\n');
};

/**
 * The deterministic report of a month: the same facts give the same summary and byte-identical
 * markdown. Risks: anomalies, budgets used ≥ 80 %, balances reaching zero within 14 days, and a
 * month-over-month rise above 20 %; the recommendations follow from those.
 */
export const templateReport = (facts: ReportFacts): { summary: ReportSummaryData; markdown: string } => {
  const a = assess(facts);
  const summary: ReportSummaryData = {
    periodMonth: a.totals.periodMonth,
    currency: a.totals.currency,
    totalCost: a.totals.totalCost,
    previousTotalCost: a.totals.previousTotalCost,
    changePercent: a.totals.changePercent,
    aiGatewayCost: a.totals.aiGatewayCost,
    cloudCost: a.totals.cloudCost,
    topCosts: a.totals.topCosts,
    highlights: highlightsOf(facts, a),
    risks: risksOf(facts, a),
    recommendations: recommendationsOf(facts, a),
  };
  return { summary, markdown: markdownOf(facts, summary, a) };
};
