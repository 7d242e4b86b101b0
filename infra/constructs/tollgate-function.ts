import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundling } from '../bundling';
import type { StageConfig } from '../config/stages';
import {
  queueMaxReceivesEnv,
  queues as queueSpecs,
  queueUrlEnv,
  stateMachineArnEnv,
  stateMachineName,
  type FunctionSpec,
  type QueueName,
  type WorkflowName,
} from '../manifest';

/** Repository root: manifest entries and the lock file are relative to it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Tag carried by every synthesized function; its value is the manifest `name`. */
export const FUNCTION_TAG = 'tollgate:function';

/** JWT settings of the admin API (the Cognito user pool in AWS). */
export interface AuthSettings {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json` */
  readonly jwksUrl: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` */
  readonly issuer: string;
  /** The app client id (the `aud` of Cognito ID tokens). */
  readonly audience: string;
}

/** Props of {@link TollgateFunction}. */
export interface TollgateFunctionProps {
  /** The manifest entry this construct realizes: code path, sizing, triggers and needs. */
  readonly spec: FunctionSpec;
  /** Stage settings: name (env, secret prefix), log retention, CORS origin, removal behaviour. */
  readonly config: StageConfig;
  /** Exposed to the code as `SERVICE_VERSION`. */
  readonly serviceVersion: string;
  /** Required when `spec.needs.table` is set; granted read or read/write data access. */
  readonly table?: ITableV2;
  /** Required when `spec.needs.runJobs`: the scheduled functions by manifest name. */
  readonly jobFunctions?: Readonly<Record<string, IFunction>>;
  /** Must contain every queue in `spec.needs.sendTo` and `spec.queueSource`. */
  readonly queues?: Partial<Record<QueueName, IQueue>>;
  /** Required when `spec.routes` contains an `admin` route. */
  readonly auth?: AuthSettings;
}

const SECRET_ACTIONS = {
  read: ['secretsmanager:GetSecretValue'],
  readWrite: [
    'secretsmanager:GetSecretValue',
    'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue',
    'secretsmanager:DeleteSecret',
    'secretsmanager:TagResource',
  ],
} as const;

/**
 * One Lambda function of the manifest with everything it needs: arm64 Node 22 ESM bundle with
 * source maps, X-Ray tracing, its own log group, an execution role holding only the grants the
 * spec asks for, and its triggers (EventBridge Scheduler schedule, SQS event source). HTTP routes
 * are mounted by the API stack, which owns the HTTP API.
 */
export class TollgateFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: TollgateFunctionProps) {
    super(scope, id);
    const { spec, config } = props;
    this.spec = spec;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of tollgate ${config.stage} ${spec.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(repoRoot, spec.entry),
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      handler: 'handler',
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      awsSdkConnectionReuse: false,
      environment: this.environment(props),
      bundling: {
        format: OutputFormat.ESM,
        target: bundling.target,
        mainFields: [...bundling.mainFields],
        banner: bundling.banner,
        minify: bundling.minify,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK versions the tests ran against rather than whatever the runtime carries.
        bundleAwsSDK: true,
      },
    });
    Tags.of(this).add(FUNCTION_TAG, spec.name);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the bundle targets node22 and the toolchain is validated on it; move to nodejs24.x as one deliberate change.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; added by Tracing.ACTIVE.',
    });

    this.grant(props);
    this.addTriggers(props);
  }

  private environment({
    spec,
    config,
    serviceVersion,
    table,
    queues,
    auth,
    jobFunctions,
  }: TollgateFunctionProps): Record<string, string> {
    const env: Record<string, string> = {
      STAGE: config.stage,
      SERVICE_VERSION: serviceVersion,
      POWERTOOLS_SERVICE_NAME: 'tollgate',
      POWERTOOLS_METRICS_NAMESPACE: 'Tollgate',
      NODE_OPTIONS: '--enable-source-maps',
    };
    if (spec.needs.table) env.TABLE_NAME = required(table, `${spec.name} needs the table`).tableName;
    if (spec.needs.secrets) {
      env.SECRET_STORE = 'secrets-manager';
      env.SECRET_PREFIX = secretPrefix(config);
    }
    for (const name of spec.needs.sendTo ?? []) {
      env[queueUrlEnv(name)] = required(queues?.[name], `${spec.name} sends to queue ${name}`).queueUrl;
    }
    if (spec.needs.billFiles) env.BILL_FILES_BUCKET = billFilesBucketName(this, config);
    if (spec.needs.sendEmail) env.NOTIFY_FROM_ADDRESS = config.notifyFromAddress;
    if (spec.needs.startWorkflow)
      env[stateMachineArnEnv(spec.needs.startWorkflow)] = stateMachineArn(
        this,
        config,
        spec.needs.startWorkflow,
      );
    if (spec.needs.gateway && config.gatewayUrl) env.REPORT_GATEWAY_URL = config.gatewayUrl;
    if (spec.needs.runJobs) {
      const jobs = required(jobFunctions, `${spec.name} runs jobs`);
      env.JOB_FUNCTIONS = Stack.of(this).toJsonString(
        Object.fromEntries(Object.entries(jobs).map(([name, fn]) => [name, fn.functionArn])),
      );
    }
    if (spec.queueSource)
      env[queueMaxReceivesEnv(spec.queueSource.queue)] = String(
        queueSpecs[spec.queueSource.queue].maxReceiveCount,
      );
    if (spec.routes?.length) env.CORS_ORIGIN = config.corsOrigin;
    if (spec.routes?.some((r) => r.auth === 'admin')) {
      const a = required(auth, `${spec.name} serves admin routes`);
      env.AUTH_JWKS_URL = a.jwksUrl;
      env.AUTH_ISSUER = a.issuer;
      env.AUTH_AUDIENCE = a.audience;
    }
    return env;
  }

  private grant({ spec, config, table, queues, jobFunctions }: TollgateFunctionProps): void {
    const { needs } = spec;
    if (needs.runJobs) {
      // Exactly the unqualified functions: grantInvoke would add every version (ARN:*), never called.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: Object.values(required(jobFunctions, 'job functions')).map((fn) => fn.functionArn),
        }),
      );
    }
    if (needs.table) {
      const t = required(table, 'table');
      if (needs.table === 'read') t.grantReadData(this.role);
      else t.grantReadWriteData(this.role);
      Validations.of(this).acknowledge({
        id: iam5Finding(this, `${t.tableArn}/index/*`),
        reason: `Access patterns query the single table's generic GSIs (gsi1, gsi2); the wildcard covers that table's indexes only.`,
      });
    }

    if (needs.secrets) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...SECRET_ACTIONS[needs.secrets]],
          resources: [secretArnPattern(this, config)],
        }),
      );
      Validations.of(this).acknowledge({
        id: iam5Finding(this, secretArnPattern(this, config)),
        reason: `Provider credentials are created at runtime under ${secretPrefix(config)}; the wildcard is confined to this stage's prefix.`,
      });
    }

    for (const name of needs.sendTo ?? [])
      required(queues?.[name], `queue ${name}`).grantSendMessages(this.role);

    if (needs.sendEmail) {
      // Only from the stage's sender address (SES checks the From against this condition).
      const stack = Stack.of(this);
      const identities = `arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/*`;
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [identities],
          conditions: { StringEquals: { 'ses:FromAddress': config.notifyFromAddress } },
        }),
      );
      Validations.of(stack).acknowledge({
        id: iam5Finding(this, identities),
        reason:
          'SES identities are the stage sender’s domain or address; the From condition pins the sender.',
      });
    }
    if (needs.startWorkflow) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [stateMachineArn(this, config, needs.startWorkflow)],
        }),
      );
    }

    if (needs.billFiles) {
      const objects = `arn:${Stack.of(this).partition}:s3:::${billFilesBucketName(this, config)}/*`;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: needs.billFiles === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
          resources: [objects],
        }),
      );
      Validations.of(this).acknowledge({
        id: iam5Finding(this, objects),
        reason:
          'Bill files are keyed by cloud account and period at run time; the wildcard covers that one bucket.',
      });
    }
  }

  private addTriggers({ spec, queues, config }: TollgateFunctionProps): void {
    // Verbatim: the local runtime reads the same manifest string; a stage may set its own.
    const schedule = config.schedules[spec.name] ?? spec.schedule;
    if (schedule) {
      new Schedule(this, 'Schedule', {
        schedule: ScheduleExpression.expression(schedule),
        target: new LambdaInvoke(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
        description: `tollgate ${spec.name}: ${schedule}`,
      });
      // The target role lives at stack level (shared by all schedules), so acknowledge there, per function.
      Validations.of(Stack.of(this)).acknowledge({
        id: iam5Finding(this, `${this.function.functionArn}:*`),
        reason: `The scheduler role may invoke ${spec.name} and its versions/aliases (ARN:*), as the LambdaInvoke target grants; no other function.`,
      });
    }
    if (spec.queueSource) {
      const { queue: name } = spec.queueSource;
      // Lambda refuses an SQS mapping whose queue would re-show messages while the function still runs.
      if (queueSpecs[name].visibilityTimeoutSeconds < spec.timeoutSeconds) {
        throw new Error(
          `${spec.name}: timeout ${spec.timeoutSeconds}s exceeds the visibility timeout of queue ${name}`,
        );
      }
      const queue = required(queues?.[name], `queue ${name}`);
      this.function.addEventSource(
        new SqsEventSource(queue, {
          batchSize: spec.queueSource.batchSize,
          // Handlers return `batchItemFailures`, so one bad message does not redeliver the batch.
          reportBatchItemFailures: true,
        }),
      );
    }
  }
}

/** The bill-files bucket of a stage (S3 names are global: account and region make it unique). */
export const billFilesBucketName = (scope: Construct, config: Pick<StageConfig, 'stage'>): string =>
  `tollgate-${config.stage}-bill-files-${Stack.of(scope).account}-${Stack.of(scope).region}`;

/** A stage's state machine ARN, from its fixed name (no cross-stack reference needed). */
export const stateMachineArn = (
  scope: Construct,
  config: Pick<StageConfig, 'stage'>,
  workflow: WorkflowName,
): string =>
  Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName(config.stage, workflow),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/** Secrets Manager name prefix of a stage, e.g. `tollgate/dev/`. */
export const secretPrefix = (config: Pick<StageConfig, 'stage'>): string => `tollgate/${config.stage}/`;

const secretArnPattern = (scope: Construct, config: StageConfig): string =>
  Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretPrefix(config)}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });

/**
 * The id cdk-nag gives an IAM5 finding for a wildcard resource, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/x/index/*]`
 * (literal partition/region/account when the stage pins an environment). It mirrors cdk-nag's
 * reference flattening so an acknowledgement names exactly one resource pattern, never the rule.
 * Only valid for values resolvable inside `scope`'s stack (not cross-stack references).
 */
export const iam5Finding = (scope: Construct, resource: string): string => {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (Array.isArray(n['Fn::Join'])) {
        const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
        return items.map(flatten).join(delimiter);
      }
      if (Array.isArray(n['Fn::GetAtt'])) {
        const [id, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
        return `<${flatten(id)}.${flatten(attribute)}>`;
      }
      if ('Ref' in n) return `<${flatten(n.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
};

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`TollgateFunction: ${what}, but it was not passed in`);
  return value;
}
