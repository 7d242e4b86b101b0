/**
 * The report's LLM: a chat completion with structured output through Tollgate's own gateway
 * (OpenAI-compatible), with the official `openai` client. The group API key is the caller's, so
 * the report's tokens are metered and budgeted like any other use. Wire format: OpenAI's
 * `response_format: { type: "json_schema", json_schema: { name, schema, strict } }`.
 * No retries here: the workflow's state machine retries the step, then falls back to the template.
 */
import OpenAI from 'openai';
import type { ReportWriterLlm } from '../../ports/reports';

export class GatewayReportWriter implements ReportWriterLlm {
  constructor(
    private readonly baseURL: string,
    private readonly timeoutMs = 120_000,
  ) {}

  async complete({
    apiKey,
    model,
    messages,
    jsonSchema,
  }: Parameters<ReportWriterLlm['complete']>[0]): Promise<string> {
    const client = new OpenAI({ apiKey, baseURL: this.baseURL, maxRetries: 0, timeout: this.timeoutMs });
    const completion = await client.chat.completions.create({
      model,
      messages,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'ai_cost_report', schema: jsonSchema, strict: true },
      },
    });
    const content = completion.choices[0]?.message.content;
    if (!content)
      throw new Error(
        `The model returned no content (finish reason ${completion.choices[0]?.finish_reason ?? 'none'})`,
      );
    return content;
  }
}
