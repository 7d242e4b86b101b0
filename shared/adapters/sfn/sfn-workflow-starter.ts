/**
 * Starts the monthly report state machine (Step Functions `StartExecution`, @aws-sdk/client-sfn).
 * Locally AWS_ENDPOINT_URL_SFN points the same call at the local runtime's Step Functions stand-in.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../../ports/reports';

export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(
    input: { periodMonth: string; enterpriseId?: string },
    name: string,
  ): Promise<{ executionId: string }> {
    const { executionArn } = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    return { executionId: executionArn ?? name };
  }
}
