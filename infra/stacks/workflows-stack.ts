import { RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { TollgateFunction, iam5Finding } from '../constructs/tollgate-function';
import {
  stateMachineName,
  workflows,
  type FunctionSpec,
  type QueueName,
  type WorkflowName,
} from '../manifest';
import { monthlyReportDefinition } from '../workflows/monthly-report';
import { importTable } from './data-stack';

/** Props of {@link WorkflowsStack}. */
export interface WorkflowsStackProps extends StackProps {
  readonly config: StageConfig;
  readonly serviceVersion: string;
  readonly tableName: string;
  readonly queues: Record<QueueName, IQueue>;
  /** The manifest entries that run a workflow's steps. */
  readonly functions: readonly FunctionSpec[];
}

const definitions = { 'monthly-report': monthlyReportDefinition } as const;

/**
 * The Step Functions workflows: each state machine (logging every event, X-Ray traced), the
 * function running its steps, and its EventBridge Scheduler schedule.
 */
export class WorkflowsStack extends Stack {
  readonly stateMachines: Record<WorkflowName, StateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const table = importTable(this, props.tableName);
    const names = Object.keys(workflows) as WorkflowName[];
    this.stateMachines = Object.fromEntries(
      names.map((name) => {
        const spec = props.functions.find((f) => f.workflow === name);
        if (!spec) throw new Error(`No function in the manifest runs the steps of workflow ${name}`);
        const steps = new TollgateFunction(this, spec.name, {
          spec,
          config: props.config,
          serviceVersion: props.serviceVersion,
          table,
          queues: props.queues,
        });
        const machine = new StateMachine(this, name, {
          stateMachineName: stateMachineName(props.config.stage, name),
          definitionBody: definitions[name](this, steps.function),
          tracingEnabled: true,
          logs: {
            level: LogLevel.ALL,
            includeExecutionData: false,
            destination: new LogGroup(this, `${name}-logs`, {
              retention: props.config.logRetentionDays,
              removalPolicy: RemovalPolicy.DESTROY,
            }),
          },
        });
        Validations.of(machine).acknowledge(
          {
            id: iam5Finding(machine, `${steps.function.functionArn}:*`),
            reason: `The state machine may invoke its step function ${spec.name} and its versions/aliases (ARN:*), as LambdaInvoke grants; no other function.`,
          },
          {
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: 'X-Ray tracing: PutTraceSegments and friends have no resource-level permissions.',
          },
        );
        const schedule = props.config.schedules[name] ?? workflows[name].schedule;
        new Schedule(this, `${name}-schedule`, {
          schedule: ScheduleExpression.expression(schedule),
          // `{}`: the month before, every enterprise.
          target: new StepFunctionsStartExecution(machine, { input: ScheduleTargetInput.fromObject({}) }),
          description: `tollgate ${name}: ${schedule}`,
        });
        return [name, machine];
      }),
    ) as Record<WorkflowName, StateMachine>;
  }
}
