import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { loadStageConfig } from '../../infra/config/stages';
import { FUNCTION_TAG } from '../../infra/constructs/tollgate-function';
import {
  allRouteKeys,
  httpApiRouteKeys,
  functions,
  queues,
  queueUrlEnv,
  workflows as workflowSpecs,
  type FunctionSpec,
  type QueueName,
} from '../../infra/manifest';
import { DataStack } from '../../infra/stacks/data-stack';
import { tableDefinition } from '../../shared/adapters/dynamo/table-definition';
import { roles } from '../../shared/contracts/tenancy';

// CloudFormation schema validation adds seconds per synth; the CI `cdk synth` keeps it on.
process.env.CDK_VALIDATION = 'false';
// No esbuild per NodejsFunction: these tests look at templates, not bundles.
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
const specs = functions as readonly FunctionSpec[];

let data: Template;
let jobs: Template;
let workflows: Template;
let api: Template;
let all: Template[];

const resourcesOf = (type: string): [string, Resource][] =>
  all.flatMap((t) => Object.entries(t.findResources(type) as Record<string, Resource>));

const tagValue = (props: Record<string, unknown>, key: string): unknown =>
  (props.Tags as { Key: string; Value: unknown }[] | undefined)?.find((tag) => tag.Key === key)?.Value;

/** Logical id of the Lambda function built for a manifest entry (found by its tag). */
const functionOf = (name: string): [string, Resource] => {
  const found = resourcesOf('AWS::Lambda::Function').filter(
    ([, r]) => tagValue(r.Properties, FUNCTION_TAG) === name,
  );
  expect(found, `function ${name}`).toHaveLength(1);
  return found[0]!;
};

beforeAll(() => {
  const built = buildApp({ stage: 'dev', nag: false, context: SKIP_BUNDLING });
  data = Template.fromStack(built.data);
  jobs = Template.fromStack(built.jobs);
  workflows = Template.fromStack(built.workflows);
  api = Template.fromStack(built.api);
  all = [data, jobs, workflows, api];
});

describe('stage config', () => {
  it('rejects unknown stages and invalid values', () => {
    expect(() => loadStageConfig('nope')).toThrow(/Unknown stage/);
    expect(() => loadStageConfig('dev', { logRetentionDays: 10 })).toThrow(/retention/);
    expect(() => loadStageConfig('dev', { corsOrigin: 'not a url' })).toThrow(/Invalid config/);
  });

  it('protects prod and does not open CORS to every origin there', () => {
    const prod = loadStageConfig('prod');
    expect(prod.deletionProtection).toBe(true);
    expect(prod.corsOrigin).not.toBe('*');
  });
});

describe('data stack', () => {
  it('creates the single table from the shared definition', () => {
    data.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
          { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: false,
        }),
      ],
    });
  });

  it('retains the table when the stack is deleted', () => {
    data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('turns deletion protection on in prod', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const prod = new DataStack(app, 'ProdData', { config: loadStageConfig('prod') });
    Template.fromStack(prod).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
  });
});

describe('functions', () => {
  it('are all Node 22 on arm64 with tracing, JSON logs and source maps', () => {
    const fns = resourcesOf('AWS::Lambda::Function');
    expect(fns.length).toBe(specs.length);
    for (const [id, fn] of fns) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
  });

  it('take memory, timeout and description from the manifest', () => {
    for (const spec of specs) {
      const [, fn] = functionOf(spec.name);
      expect(fn.Properties).toMatchObject({
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Description: spec.description,
      });
    }
  });

  it('get the environment their needs declare', () => {
    for (const spec of specs) {
      const [, fn] = functionOf(spec.name);
      const vars = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars).toMatchObject({
        STAGE: 'dev',
        POWERTOOLS_SERVICE_NAME: 'tollgate',
        POWERTOOLS_METRICS_NAMESPACE: 'Tollgate',
      });
      expect('TABLE_NAME' in vars, `${spec.name} TABLE_NAME`).toBe(Boolean(spec.needs.table));
      if (spec.needs.secrets)
        expect(vars).toMatchObject({ SECRET_STORE: 'secrets-manager', SECRET_PREFIX: 'tollgate/dev/' });
      else expect(vars).not.toHaveProperty('SECRET_STORE');
      for (const q of Object.keys(queues) as QueueName[]) {
        expect(queueUrlEnv(q) in vars, `${spec.name} ${queueUrlEnv(q)}`).toBe(
          spec.needs.sendTo?.includes(q) ?? false,
        );
      }
      const admin = spec.routes?.some((r) => r.auth === 'admin') ?? false;
      for (const key of ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE']) {
        expect(key in vars, `${spec.name} ${key}`).toBe(admin);
      }
    }
  });

  it('have their own log group with retention and roles without managed policies', () => {
    for (const [id, fn] of resourcesOf('AWS::Lambda::Function')) {
      expect(fn.Properties.LoggingConfig, id).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
    }
    expect(resourcesOf('AWS::Logs::LogGroup').every(([, lg]) => lg.Properties.RetentionInDays === 14)).toBe(
      true,
    );
    for (const [id, role] of resourcesOf('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('limit Secrets Manager access to the stage prefix', () => {
    for (const spec of specs.filter((s) => s.needs.secrets)) {
      const template = all.find((t) =>
        Object.keys(t.findResources('AWS::Lambda::Function')).includes(functionOf(spec.name)[0]),
      )!;
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              // One action renders as a string, several as a list.
              Action:
                spec.needs.secrets === 'read'
                  ? 'secretsmanager:GetSecretValue'
                  : Match.arrayWith(['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue']),
              Resource: {
                'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':secret:tollgate/dev/\\*$')])],
              },
            }),
          ]),
        },
      });
    }
  });
});

describe('api stack', () => {
  it('mounts every buffered manifest route with its exact method and path, and nothing else', () => {
    const routeKeys = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as Resource).Properties.RouteKey,
    );
    expect([...routeKeys].sort()).toEqual([...httpApiRouteKeys()].sort());
    expect(httpApiRouteKeys().length).toBeLessThan(allRouteKeys().length);
  });

  it('serves each streaming function (the gateway) through a Function URL in RESPONSE_STREAM mode', () => {
    const streaming = (functions as readonly FunctionSpec[]).filter((f) => f.responseStreaming);
    expect(streaming.map((f) => f.name)).toEqual(['router']);
    api.resourceCountIs('AWS::Lambda::Url', streaming.length);
    api.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: Match.anyValue(),
    });
  });

  it('has no API Gateway authorizer (auth happens in the functions)', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('has CORS preflight for the stage origin', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['*'],
        AllowHeaders: Match.arrayWith(['authorization']),
      }),
    });
  });

  it('has a $default stage with access logs and throttling', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('has a Cognito user pool without self sign-up, with role groups and the enterpriseId attribute', () => {
    api.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'enterpriseId', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
    const groups = Object.values(api.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => (g as Resource).Properties.GroupName,
    );
    expect([...groups].sort()).toEqual([...roles].sort());
    api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      WriteAttributes: Match.not(Match.arrayWith(['custom:enterpriseId'])),
      ReadAttributes: Match.arrayWith(['custom:enterpriseId']),
    });
  });

  it('outputs the API URL, user pool id and client id', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId']) api.hasOutput(name, {});
  });
});

describe('jobs stack', () => {
  it('creates every manifest schedule with its exact expression', () => {
    const expressions = resourcesOf('AWS::Scheduler::Schedule').map(
      ([, s]) => s.Properties.ScheduleExpression,
    );
    const expected = [
      ...specs.flatMap((s) => (s.schedule ? [s.schedule] : [])),
      ...Object.values(workflowSpecs).map((w) => w.schedule),
    ];
    expect([...expressions].sort()).toEqual([...expected].sort());
    for (const spec of specs.filter((s) => s.schedule)) {
      const [fnId] = functionOf(spec.name);
      const template = all.find((t) => Object.keys(t.findResources('AWS::Lambda::Function')).includes(fnId))!;
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: spec.schedule,
        Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
      });
    }
  });

  it('runs each workflow as a traced, logged state machine on its schedule, its Tasks invoking its step function', () => {
    for (const [name, spec] of Object.entries(workflowSpecs)) {
      const [stepsId] = functionOf(spec.stepFunction);
      const [machineId, machine] = Object.entries(
        workflows.findResources('AWS::StepFunctions::StateMachine') as Record<string, Resource>,
      ).find(([, m]) => m.Properties.StateMachineName === `tollgate-dev-${name}`)!;
      expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
      expect(JSON.stringify(machine.Properties.DefinitionString)).toContain(stepsId);
      workflows.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: spec.schedule,
        Target: Match.objectLike({ Arn: { Ref: machineId } }),
      });
    }
    // The reports API may start the report state machine, by its fixed name, and nothing else.
    const [, reports] = functionOf('reports');
    const env = (reports.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.STATE_MACHINE_ARN_MONTHLY_REPORT)).toContain(
      'stateMachine:tollgate-dev-monthly-report',
    );
  });

  it("lets a stage replace a function's schedule (e.g. a faster balance poll)", () => {
    const built = buildApp({
      stage: 'dev',
      nag: false,
      context: SKIP_BUNDLING,
      configOverrides: { schedules: { 'balance-poll': 'rate(5 minutes)' } },
    });
    const expressions = Object.values(
      Template.fromStack(built.jobs).findResources('AWS::Scheduler::Schedule') as Record<string, Resource>,
    ).map((s) => s.Properties.ScheduleExpression);
    expect(expressions).toContain('rate(5 minutes)');
    expect(expressions).not.toContain('rate(15 minutes)');
    expect(() => loadStageConfig('dev', { schedules: { 'balance-poll': 'every 5 minutes' } })).toThrow(
      /Invalid config/,
    );
  });

  it('lets only e-mail senders use SES, and only from the stage sender address', () => {
    const config = loadStageConfig('dev');
    for (const spec of specs) {
      const [, fn] = functionOf(spec.name);
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.NOTIFY_FROM_ADDRESS, spec.name).toBe(
        spec.needs.sendEmail ? config.notifyFromAddress : undefined,
      );
    }
    const sesStatements = resourcesOf('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.filter(
        (st) => st.Action === 'ses:SendEmail',
      ),
    );
    expect(sesStatements).toHaveLength(specs.filter((s) => s.needs.sendEmail).length);
    for (const statement of sesStatements)
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': config.notifyFromAddress } });
  });

  it('feeds every queueSource with partial batch responses', () => {
    for (const spec of specs.filter((s) => s.queueSource)) {
      const [fnId] = functionOf(spec.name);
      const mappings = resourcesOf('AWS::Lambda::EventSourceMapping').filter(
        ([, m]) => (m.Properties.FunctionName as { Ref?: string }).Ref === fnId,
      );
      expect(mappings, spec.name).toHaveLength(1);
      expect(mappings[0]![1].Properties).toMatchObject({
        BatchSize: spec.queueSource!.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('gives every manifest queue an encrypted, SSL-only DLQ and an alarm on its depth', () => {
    const queueEntries = Object.entries(queues);
    jobs.resourceCountIs('AWS::SQS::Queue', queueEntries.length * 2);
    for (const [, spec] of queueEntries) {
      jobs.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        MessageRetentionPeriod: spec.retentionDays * 86_400,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { maxReceiveCount: spec.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
      });
    }
    const dlqIds = Object.entries(jobs.findResources('AWS::SQS::Queue'))
      .filter(([, q]) => !(q as Resource).Properties.RedrivePolicy)
      .map(([id]) => id);
    expect(dlqIds).toHaveLength(queueEntries.length);
    for (const dlqId of dlqIds) {
      jobs.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlqId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      jobs.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });
});
