/**
 * Runs a scheduled job through Lambda `Invoke` (RequestResponse, @aws-sdk/client-lambda), the
 * function named for the job in JOB_FUNCTIONS. A function error comes back as Lambda reports it:
 * `FunctionError` set and the payload `{ errorType, errorMessage }`. Locally AWS_ENDPOINT_URL_LAMBDA
 * points at the local runtime, which runs the job the same way its scheduler does.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { JobRunner } from '../ports/jobs';

export class LambdaJobRunner implements JobRunner {
  constructor(
    private readonly lambda: LambdaClient,
    /** Job name → function name or ARN. */
    private readonly functions: Record<string, string>,
  ) {}

  names(): string[] {
    return Object.keys(this.functions).sort();
  }

  async run(name: string): Promise<unknown> {
    const functionName = this.functions[name];
    if (!functionName) throw new Error(`No function for job ${name}`);
    const result = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode('{}'),
      }),
    );
    const text = result.Payload ? new TextDecoder().decode(result.Payload) : 'null';
    const payload = JSON.parse(text || 'null') as unknown;
    if (result.FunctionError) {
      const message = (payload as { errorMessage?: string } | null)?.errorMessage ?? result.FunctionError;
      throw new Error(`Job ${name} failed: ${message}`);
    }
    return payload;
  }
}
