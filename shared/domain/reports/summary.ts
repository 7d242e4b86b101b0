/**
 * The structured summary every monthly AI cost report carries (seed 001 `ai_cost_reports.summary`):
 * the totals, the largest costs and the rule-based or model-written sentences. The template writes
 * it, the LLM's answer is validated against it, the store keeps it and the API returns it.
 *
 * It lives in the domain (not in contracts) because the domain writes and checks it; the API
 * contract re-exports it.
 */
import * as z from 'zod';

/** Month of the report, `YYYY-MM`. */
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as "2026-11"');

/**
 * Money travels as exact decimal strings, never as JSON numbers (ARCHITECTURE §6). The same pattern
 * as the contracts' DecimalString, which the domain cannot import.
 */
const DecimalString = z
  .string()
  .regex(/^-?\d{1,24}(\.\d{1,14})?$/, 'must be a decimal string such as "12.50"');

const Sentence = z.string().min(1).max(500);

/** The structured summary every report carries (the LLM's output is validated against it). */
export const ReportSummary = z.strictObject({
  periodMonth: Month,
  /** ISO 4217 code of every amount below (the enterprise's reporting currency). */
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** cloudCost + aiGatewayCost, exact. */
  totalCost: DecimalString,
  /** The previous month's total; null when there is no previous month to compare with. */
  previousTotalCost: DecimalString.nullable(),
  /** (totalCost − previousTotalCost) / previousTotalCost in percent, 2 places; null when not comparable. */
  changePercent: z.string().nullable(),
  aiGatewayCost: DecimalString,
  cloudCost: DecimalString,
  /** The largest costs across dimensions (`service`, `project`, `account`, `group`, ...), largest first. */
  topCosts: z
    .array(z.strictObject({ dimension: z.string(), key: z.string(), amount: DecimalString }))
    .max(20),
  highlights: z.array(Sentence).min(1).max(10),
  risks: z.array(Sentence).max(10),
  recommendations: z.array(Sentence).max(10),
});

export type ReportSummaryData = z.infer<typeof ReportSummary>;
