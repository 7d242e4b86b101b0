import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { TollgateFunction } from '../constructs/tollgate-function';
import { queues as queueSpecs, type FunctionSpec, type QueueName } from '../manifest';
import { importTable } from './data-stack';

/** Props of {@link JobsStack}. */
export interface JobsStackProps extends StackProps {
  readonly config: StageConfig;
  readonly serviceVersion: string;
  /** The data stack's table, imported by name (see importTable). */
  readonly tableName: string;
  /** The manifest entries without HTTP routes (scheduled jobs, queue consumers). */
  readonly functions: readonly FunctionSpec[];
}

/**
 * Asynchronous work: every manifest queue (with its DLQ and a DLQ-depth alarm) and every function
 * that is not behind the HTTP API, with its schedule or queue source. It owns the queues so the
 * API stack, deployed after it, can receive them (data -> jobs -> api, no cycle).
 */
export class JobsStack extends Stack {
  readonly queues: Record<QueueName, IQueue>;
  readonly functions: TollgateFunction[];

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const table = importTable(this, props.tableName);

    const entries = Object.entries(queueSpecs) as [QueueName, (typeof queueSpecs)[QueueName]][];
    this.queues = Object.fromEntries(entries.map(([name, spec]) => [name, this.queue(name, spec)])) as Record<
      QueueName,
      IQueue
    >;

    this.functions = props.functions.map(
      (spec) =>
        new TollgateFunction(this, spec.name, {
          spec,
          config: props.config,
          serviceVersion: props.serviceVersion,
          table,
          queues: this.queues,
        }),
    );
  }

  private queue(name: QueueName, spec: (typeof queueSpecs)[QueueName]): IQueue {
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;
    const dlq = new Queue(this, `${name}-dlq`, {
      ...common,
      // Longest SQS allows: failed messages wait here for inspection and redrive.
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, name, {
      ...common,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
    });

    dlq
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, `${name}-dlq-alarm`, {
        alarmDescription: `Messages in the ${name} dead-letter queue: processing failed ${spec.maxReceiveCount} times`,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    return queue;
  }
}
