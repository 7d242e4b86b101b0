import { describe, expect, it } from 'vitest';
import {
  LlmReport,
  llmJsonSchema,
  parseLlmReport,
  reportMessages,
} from '../../../../shared/domain/reports/llm';
import type { ReportSummaryData } from '../../../../shared/domain/reports/summary';
import { templateReport } from '../../../../shared/domain/reports/template';
import { failure } from '../../../factories/domain-errors';
import { reportFacts } from '../../../factories/report-facts';

const facts = reportFacts();
const reference = templateReport(facts);

/** A model answer that copies the totals and writes its own prose. */
const goodAnswer = (summary: Partial<ReportSummaryData> = {}, markdown = reference.markdown) => ({
  summary: {
    ...reference.summary,
    highlights: ['Spend reached 12,000.00 USD, mostly on AWS.'],
    risks: ['Budget "Search" is exceeded.'],
    recommendations: ['Tag the untagged resources.'],
    ...summary,
  },
  markdown,
});

const reasonOf = (content: string): string => {
  const error = failure(() => parseLlmReport(content, facts));
  expect(error.code).toBe('VALIDATION_ERROR');
  return error.message;
};

describe('parseLlmReport', () => {
  it('accepts a good answer', () => {
    const answer = goodAnswer();
    expect(parseLlmReport(JSON.stringify(answer), facts)).toEqual(answer);
  });

  it('accepts an answer fenced as ```json, as ``` and after a sentence', () => {
    const answer = goodAnswer();
    const json = JSON.stringify(answer, null, 2);
    expect(parseLlmReport('```json\n' + json + '\n```', facts)).toEqual(answer);
    expect(parseLlmReport('  ```\n' + json + '\n```\n', facts)).toEqual(answer);
    expect(parseLlmReport('Here is the report:\n```json\n' + json + '\n```', facts)).toEqual(answer);
  });

  it('accepts copied amounts written differently and returns them in canonical form', () => {
    const answer = goodAnswer({
      totalCost: '12000.0000010',
      cloudCost: '10234.56750',
      previousTotalCost: '8000.1',
      topCosts: [{ dimension: 'project', key: 'p-search', amount: '4000' }],
    });
    const { summary } = parseLlmReport(JSON.stringify(answer), facts);
    expect(summary).toMatchObject({
      totalCost: '12000.000001',
      cloudCost: '10234.5675',
      previousTotalCost: '8000.10',
      topCosts: [{ dimension: 'project', key: 'p-search', amount: '4000.00' }],
    });
  });

  it('rejects an answer that is not JSON', () => {
    expect(reasonOf('Sorry, I cannot help with that.')).toMatch(/^LLM answer is not JSON: /);
    expect(reasonOf('```json\n{"summary": \n```')).toMatch(/^LLM answer is not JSON: /);
  });

  it('rejects schema violations, naming the field', () => {
    expect(reasonOf(JSON.stringify(goodAnswer({}, 'too short')))).toMatch(
      /^LLM answer does not match the report schema: markdown: /,
    );
    expect(reasonOf(JSON.stringify(goodAnswer({ highlights: [] })))).toMatch(
      /^LLM answer does not match the report schema: summary\.highlights: /,
    );
    expect(reasonOf(JSON.stringify(goodAnswer({ totalCost: 12000 as unknown as string })))).toMatch(
      /^LLM answer does not match the report schema: summary\.totalCost: /,
    );
    expect(reasonOf(JSON.stringify({ ...goodAnswer(), note: 'extra' }))).toMatch(
      /^LLM answer does not match the report schema: .*note/,
    );
    expect(reasonOf('[]')).toMatch(/^LLM answer does not match the report schema: /);
  });

  it('rejects a wrong total with a clear reason', () => {
    expect(reasonOf(JSON.stringify(goodAnswer({ totalCost: '12000.00' })))).toBe(
      'LLM answer has a wrong number: summary.totalCost is "12000.00" but the facts give "12000.000001"',
    );
  });

  it('rejects every other miscopied number', () => {
    expect(reasonOf(JSON.stringify(goodAnswer({ periodMonth: '2026-09' })))).toBe(
      'LLM answer has a wrong number: summary.periodMonth is "2026-09" but the facts say "2026-10"',
    );
    expect(reasonOf(JSON.stringify(goodAnswer({ currency: 'EUR' })))).toMatch(/summary\.currency is "EUR"/);
    expect(reasonOf(JSON.stringify(goodAnswer({ aiGatewayCost: '1765.43' })))).toMatch(
      /summary\.aiGatewayCost is "1765.43" but the facts give "1765.432501"/,
    );
    expect(reasonOf(JSON.stringify(goodAnswer({ cloudCost: '10234.57' })))).toMatch(/summary\.cloudCost/);
    expect(reasonOf(JSON.stringify(goodAnswer({ previousTotalCost: null })))).toBe(
      'LLM answer has a wrong number: summary.previousTotalCost is null but the facts give "8000.10"',
    );
    expect(reasonOf(JSON.stringify(goodAnswer({ changePercent: '49.99' })))).toBe(
      'LLM answer has a wrong number: summary.changePercent is "49.99" but the facts give null',
    );
  });

  it('rejects a top cost that is not in the facts', () => {
    const invented = goodAnswer({ topCosts: [{ dimension: 'service', key: 'compute', amount: '5100.13' }] });
    expect(reasonOf(JSON.stringify(invented))).toBe(
      'LLM answer has a wrong number: summary.topCosts.0 (service "compute" 5100.13) is not a cost in the facts',
    );
  });
});

describe('reportMessages', () => {
  const messages = reportMessages(facts);

  it('asks for JSON matching the schema and gives the facts with the totals to copy', () => {
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const [system, user] = messages;
    expect(system!.content).toContain('FinOps analyst');
    expect(system!.content).toContain('Answer ONLY with one JSON object');
    expect(system!.content).toContain('Never invent numbers');
    expect(system!.content).toContain(JSON.stringify(llmJsonSchema()));
    const payload = JSON.parse(user!.content.slice(user!.content.indexOf('{')));
    expect(payload.facts).toEqual(facts);
    expect(payload.totals).toMatchObject({ totalCost: '12000.000001', previousTotalCost: '8000.10' });
    expect(payload.totals.topCosts).toEqual(reference.summary.topCosts);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(reportMessages(reportFacts()))).toBe(JSON.stringify(messages));
  });
});

describe('llmJsonSchema', () => {
  it('is the JSON Schema of LlmReport', () => {
    const schema = llmJsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      required: ['summary', 'markdown'],
      additionalProperties: false,
      properties: { markdown: { type: 'string', minLength: 200, maxLength: 50_000 } },
    });
    expect(schema).not.toHaveProperty('$schema');
  });

  it('accepts what the template writes', () => {
    expect(LlmReport.safeParse(reference).success).toBe(true);
  });
});
