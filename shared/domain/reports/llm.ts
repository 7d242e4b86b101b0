/**
 * The LLM side of the monthly report: the prompt, the JSON Schema of the structured answer, and the
 * validation of that answer. The model writes prose; the numbers are not its to compute. It gets the
 * facts and the totals already added up (by the template's arithmetic), must copy the totals, and
 * every copied number is checked exactly against them: a model that invents or miscopies a number
 * is refused, and the workflow falls back to the template with the reason given here.
 */
import * as z from 'zod';
import { invalid } from '../errors';
import { decimal } from '../money';
import type { ReportFacts } from './facts';
import { ReportSummary } from './summary';
import type { ReportSummaryData } from './summary';
import { costItems, reportTotals } from './template';
import type { CostItem, ReportTotals } from './template';

/** The structured answer the model must give. */
export const LlmReport = z.strictObject({
  summary: ReportSummary,
  markdown: z.string().min(200).max(50_000),
});
export type LlmReportData = z.infer<typeof LlmReport>;

/** JSON Schema of LlmReport, for `response_format: { type: 'json_schema', json_schema: { schema } }`. */
export const llmJsonSchema = (): Record<string, unknown> => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(LlmReport) as Record<string, unknown>;
  return schema;
};

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

const SYSTEM_PROMPT = `You are a FinOps analyst writing the monthly AI and cloud cost report of one company for its finance team.

Answer ONLY with one JSON object, no prose before or after it, matching this JSON Schema:
{schema}

Rules:
- "summary.periodMonth", "summary.currency", "summary.totalCost", "summary.previousTotalCost", "summary.changePercent", "summary.aiGatewayCost" and "summary.cloudCost" must be copied exactly from "totals" in the user message. Do not recompute or round them.
- "summary.topCosts" must be copied from "totals.topCosts" (you may drop entries, never change or add one).
- Never invent numbers. Every amount, percent and count you mention must appear in the facts or the totals. Amounts are in "totals.currency" unless a balance names its own currency.
- "summary.highlights" (1 to 10), "summary.risks" and "summary.recommendations" (0 to 10 each) are short plain-text sentences (at most 500 characters each, no markdown). Risks include anomalies, budgets used 80 % or more, balances that reach zero within 14 days and a month-over-month rise above 20 %. Recommendations are concrete actions that follow from the facts.
- "markdown" is the report body in GitHub-flavoured markdown (200 to 50000 characters): a title with the month and the company name, the totals, the top costs, anomalies, budgets, the virtual P&L and balances, with tables where they help. Print amounts with 2 decimals and thousands separators. No raw HTML, no images, no links.
- Write in English. Do not address the reader with greetings or sign-offs.`;

/** The facts and the totals the model must copy, as the user message gives them. */
const userPayload = (facts: ReportFacts, totals: ReportTotals) => ({
  totals,
  facts,
});

/** The chat messages asking the model for the report of `facts`: deterministic for the same facts. */
export const reportMessages = (facts: ReportFacts): ChatMessage[] => [
  { role: 'system', content: SYSTEM_PROMPT.replace('{schema}', JSON.stringify(llmJsonSchema())) },
  {
    role: 'user',
    content: `Write the report for ${facts.periodMonth} from these facts (JSON):\n${JSON.stringify(
      userPayload(facts, reportTotals(facts)),
      null,
      2,
    )}`,
  },
];

const FENCED = /```[A-Za-z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

/**
 * The JSON text of an answer: trimmed, and unwrapped when the model fenced it in ``` or ```json
 * (also when it put a sentence before the fence).
 */
const jsonText = (content: string): string => {
  const trimmed = content.trim();
  if (trimmed.startsWith('{')) return trimmed;
  return FENCED.exec(trimmed)?.[1]?.trim() ?? trimmed;
};

/** A reason stays short: it is stored and shown as the report's fallback reason. */
const clip = (text: string, max = 300): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const MAX_ISSUES = 3;

const describeIssues = (error: z.ZodError): string => {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  return issues.join('; ') + (more > 0 ? `; and ${more} more` : '');
};

/** Two money strings, or nulls, are the same amount. */
const sameAmount = (a: string | null, b: string | null): boolean =>
  a === null || b === null ? a === b : decimal(a).equals(decimal(b));

const show = (value: string | null): string => (value === null ? 'null' : `"${value}"`);

/**
 * The copied numbers, checked: the first mismatch as a reason, or null. Amounts compare as decimals
 * ("12.5" equals "12.50"); the month and currency compare as text.
 */
const mismatch = (
  summary: ReportSummaryData,
  totals: ReportTotals,
  candidates: CostItem[],
): string | null => {
  for (const field of ['periodMonth', 'currency'] as const) {
    if (summary[field] !== totals[field]) {
      return `summary.${field} is ${show(summary[field])} but the facts say ${show(totals[field])}`;
    }
  }
  for (const field of [
    'totalCost',
    'aiGatewayCost',
    'cloudCost',
    'previousTotalCost',
    'changePercent',
  ] as const) {
    if (!sameAmount(summary[field], totals[field])) {
      return `summary.${field} is ${show(summary[field])} but the facts give ${show(totals[field])}`;
    }
  }
  for (const [i, cost] of summary.topCosts.entries()) {
    const known = candidates.some(
      (c) => c.dimension === cost.dimension && c.key === cost.key && sameAmount(c.amount, cost.amount),
    );
    if (!known) {
      return `summary.topCosts.${i} (${cost.dimension} "${cost.key}" ${cost.amount}) is not a cost in the facts`;
    }
  }
  return null;
};

/**
 * The model's answer, validated: JSON (optionally fenced), the LlmReport schema, and the copied
 * numbers equal to the template's exactly. Throws VALIDATION_ERROR with a short reason otherwise.
 * The checked numbers are returned in the template's canonical form ("12.5" → "12.50").
 */
export const parseLlmReport = (
  content: string,
  facts: ReportFacts,
): { summary: ReportSummaryData; markdown: string } => {
  let json: unknown;
  try {
    json = JSON.parse(jsonText(content));
  } catch (error) {
    throw invalid(clip(`LLM answer is not JSON: ${error instanceof Error ? error.message : String(error)}`));
  }
  const parsed = LlmReport.safeParse(json);
  if (!parsed.success) {
    throw invalid(clip(`LLM answer does not match the report schema: ${describeIssues(parsed.error)}`), {
      issues: parsed.error.issues.slice(0, 10),
    });
  }
  const { summary, markdown } = parsed.data;
  const totals = reportTotals(facts);
  const candidates = costItems(facts);
  const reason = mismatch(summary, totals, candidates);
  if (reason !== null) throw invalid(clip(`LLM answer has a wrong number: ${reason}`));
  const canonical = (cost: CostItem): string =>
    candidates.find(
      (c) => c.dimension === cost.dimension && c.key === cost.key && sameAmount(c.amount, cost.amount),
    )?.amount ?? cost.amount;
  return {
    summary: {
      ...summary,
      totalCost: totals.totalCost,
      previousTotalCost: totals.previousTotalCost,
      changePercent: totals.changePercent,
      aiGatewayCost: totals.aiGatewayCost,
      cloudCost: totals.cloudCost,
      topCosts: summary.topCosts.map((c) => ({ ...c, amount: canonical(c) })),
    },
    markdown,
  };
};
