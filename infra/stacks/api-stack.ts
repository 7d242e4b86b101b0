import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import {
  FunctionUrlAuthType,
  HttpMethod as LambdaHttpMethod,
  InvokeMode,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { roles } from '../../shared/contracts/tenancy';
import type { StageConfig } from '../config/stages';
import { TollgateFunction, type AuthSettings } from '../constructs/tollgate-function';
import type { FunctionSpec, QueueName } from '../manifest';
import { importTable } from './data-stack';

/** Props of {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly serviceVersion: string;
  /** The data stack's table, imported by name (see importTable). */
  readonly tableName: string;
  /** From the jobs stack; API functions only send to them. */
  readonly queues: Partial<Record<QueueName, IQueue>>;

  /** The manifest entries that have HTTP routes. */
  readonly functions: readonly FunctionSpec[];
  /** The jobs stack's scheduled functions by name, for the jobs API to run on demand. */
  readonly jobFunctions: Readonly<Record<string, IFunction>>;
}

// Authentication runs inside the functions, which is why no route has an API Gateway authorizer.
const IN_LAMBDA_AUTH_REASON =
  'Routes are authenticated inside the Lambda: admin routes accept Cognito JWTs and scoped admin API keys (tgadm_), gateway routes accept group API keys (tg_), which an API Gateway JWT or Cognito authorizer cannot verify; public routes (/health, /openapi.json) are intentionally open.';

/**
 * The HTTP API (one Lambda per routed manifest entry, every manifest route mounted verbatim) and
 * the Cognito user pool whose tokens the admin functions verify.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly functions: TollgateFunction[];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const table = importTable(this, props.tableName);
    const { config } = props;
    const removalPolicy = config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ---- Cognito: console users (management JWTs) ----
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // A changed email only takes over sign-in once verified.
      keepOriginal: { email: true },
      // Tenant of the user; the ID token carries it as `custom:enterpriseId`.
      customAttributes: { enterpriseId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Console users manage money and credentials: TOTP is mandatory, SMS is not offered.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.cognitoThreatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(config.cognitoThreatProtection && {
        standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      }),
      deletionProtection: config.deletionProtection,
      removalPolicy,
    });
    for (const role of roles) this.userPool.addGroup(`group-${role}`, { groupName: role });
    if (!config.cognitoThreatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Plus tier (threat protection) is billed per active user and switched on per stage (cognitoThreatProtection); this stage relies on required TOTP MFA, a strong password policy and no self sign-up.',
      });
    }

    const client = this.userPool.addClient('ConsoleClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // No hosted UI domain yet: the console signs in with SRP.
      disableOAuth: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('enterpriseId'),
      // Never let users write custom:enterpriseId themselves: it decides their tenant.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });

    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;
    const auth: AuthSettings = {
      issuer,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      audience: client.userPoolClientId,
    };

    // ---- HTTP API ----
    this.api = new HttpApi(this, 'HttpApi', {
      description: `Tollgate ${config.stage} API`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [config.corsOrigin],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'if-none-match', 'x-api-key'],
        exposeHeaders: ['etag'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    this.functions = props.functions.map((spec) => {
      const fn = new TollgateFunction(this, spec.name, {
        spec,
        config,
        serviceVersion: props.serviceVersion,
        table,
        queues: props.queues,
        auth,
        jobFunctions: props.jobFunctions,
      });
      if (spec.responseStreaming) {
        // The HTTP API buffers responses; a streaming function answers through its own URL.
        const url = fn.function.addFunctionUrl({
          authType: FunctionUrlAuthType.NONE,
          invokeMode: InvokeMode.RESPONSE_STREAM,
          cors: {
            allowedOrigins: [config.corsOrigin],
            allowedMethods: [LambdaHttpMethod.GET, LambdaHttpMethod.POST],
            allowedHeaders: ['authorization', 'content-type', 'x-api-key'],
            maxAge: Duration.hours(1),
          },
        });
        new CfnOutput(this, `${spec.name}-url`, {
          value: url.url,
          description: `Streaming endpoint of ${spec.name} (OpenAI/Anthropic base URL: <url>v1)`,
        });
        return fn;
      }
      // One integration and one API-wide invoke permission per function, however many routes it serves.
      const integration = new HttpLambdaIntegration(`${spec.name}-integration`, fn.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        scopePermissionToRoute: false,
      });
      for (const route of spec.routes ?? []) {
        this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      }
      return fn;
    });

    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG4', reason: IN_LAMBDA_AUTH_REASON });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-COG4', reason: IN_LAMBDA_AUTH_REASON });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
  }
}
