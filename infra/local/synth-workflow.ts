/**
 * Prints a workflow's ASL as the workflows stack synthesizes it (`tsx infra/local/synth-workflow.ts
 * monthly-report`): a stack holding only the state machine, its Tasks bound to the local step
 * function's ARN, the DefinitionString resolved as CloudFormation would. Run in a child process by
 * the local Step Functions (infra/local/step-functions.ts): loading aws-cdk-lib takes seconds.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { StateMachine, type CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { workflows, type WorkflowName } from '../manifest';
import { monthlyReportDefinition } from '../workflows/monthly-report';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './lambda';

const definitions = { 'monthly-report': monthlyReportDefinition } as const;

/** Resolves what CloudFormation would in a DefinitionString: its joins of literal parts. */
const resolveCfn = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveCfn).join(separator);
  }
  if (node.Ref === 'AWS::Partition') return 'aws';
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in a local state machine definition`);
};

const synthesizeDefinition = (workflow: WorkflowName): Record<string, unknown> => {
  const app = new App();
  const stack = new Stack(app, 'LocalWorkflows', {
    env: { account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION },
  });
  const stepArn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${workflows[workflow].stepFunction}`;
  const steps = LambdaFunction.fromFunctionArn(stack, 'Steps', stepArn);
  const machine = new StateMachine(stack, 'Machine', { definitionBody: definitions[workflow](stack, steps) });
  // What synthesis writes as the DefinitionString, without writing a cloud assembly.
  const definitionString: unknown = stack.resolve(
    (machine.node.defaultChild as CfnStateMachine).definitionString,
  );
  return JSON.parse(resolveCfn(definitionString)) as Record<string, unknown>;
};

const workflow = process.argv[2] as WorkflowName | undefined;
if (!workflow || !(workflow in workflows)) {
  process.stderr.write(`usage: synth-workflow <${Object.keys(workflows).join('|')}>\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(synthesizeDefinition(workflow)));
