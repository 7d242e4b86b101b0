import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages';
import { TollgateFunction, billFilesBucketName } from '../constructs/tollgate-function';
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
  /** FOCUS uploads and drops: a file under `focus/<cloudAccountId>/<YYYY-MM>/` starts an import. */
  readonly billFiles: IBucket;
  readonly functions: TollgateFunction[];

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const table = importTable(this, props.tableName);

    const entries = Object.entries(queueSpecs) as [QueueName, (typeof queueSpecs)[QueueName]][];
    this.queues = Object.fromEntries(entries.map(([name, spec]) => [name, this.queue(name, spec)])) as Record<
      QueueName,
      IQueue
    >;

    this.billFiles = this.billFilesBucket(props.config);

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

  private billFilesBucket(config: StageConfig): IBucket {
    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Files may still be needed for an audit of imported bills: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;
    const accessLogs = new Bucket(this, 'bill-files-access-logs', {
      ...common,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the bill-files bucket; logging it to itself would loop.',
    });
    const bucket = new Bucket(this, 'bill-files', {
      ...common,
      // Named, so functions in other stacks scope their grants to it without cross-stack references.
      bucketName: billFilesBucketName(this, config),
      serverAccessLogsBucket: accessLogs,
      // Imported files are facts in the table once synced; the files are kept a year for audit.
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    // Set on the bucket itself (not CDK's notification custom resource, which adds a Lambda); S3
    // checks at creation that the queue lets it send, so the queue policy comes first.
    const queue = this.queues['bill-sync'];
    const policy = queue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:s3:::${billFilesBucketName(this, config)}` },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    const cfnBucket = bucket.node.defaultChild as CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          queue: queue.queueArn,
          filter: {
            s3Key: {
              rules: [
                { name: 'prefix', value: 'focus/' },
                { name: 'suffix', value: '.csv' },
              ],
            },
          },
        },
      ],
    };
    if (policy.policyDependable) cfnBucket.node.addDependency(policy.policyDependable);
    return bucket;
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
