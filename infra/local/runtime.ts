/**
 * The whole product on one machine: DynamoDB Local, fauxqs, SES local, the manifest's routes behind
 * a local API Gateway, its schedules and its queue consumers, all calling the same handlers as AWS.
 * Used by `npm start` (infra/local/start.ts) and by the integration tests.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/adapters/dynamo/ensure-table';
import { resetEnv } from '../../shared/runtime/env';
import {
  functions as manifestFunctions,
  queueMaxReceivesEnv,
  queues as queueSpecs,
  queueUrlEnv,
  stateMachineArnEnv,
  workflows as workflowSpecs,
  type WorkflowName,
  type FunctionSpec,
  type QueueName,
} from '../manifest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateSigningKey,
  mintToken,
  type TokenClaims,
} from './auth-keys';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb';
import { startHttpServer, type LocalHttpServer } from './http-server';
import {
  errorMessage,
  freePort,
  invokeLambda,
  LOCAL_REGION,
  type LambdaHandler,
  type LocalFunction,
} from './lambda';
import { installLambdaStreamingGlobal } from './response-streaming';
import { startSchedules, type Schedules } from './scheduler';
import { startLocalSes, type LocalSes } from './ses';
import { startLocalLambdaInvoke } from './lambda-invoke';
import { localStateMachineArn, startLocalStepFunctions } from './step-functions';
import {
  startLocalSqs,
  startQueueConsumers,
  type LocalSqs,
  type QueueConsumers,
  type QueueSettings,
} from './sqs';

/** A manifest entry; with `handler` it is called directly instead of importing `entry` (tests). */
export type LocalFunctionDefinition = FunctionSpec & { readonly handler?: LambdaHandler };

export interface LocalRuntimeOptions {
  /** Persistent state (DynamoDB file, secrets, signing key); undefined: in memory and a temp dir. */
  dataDir?: string;
  /** API port; 0 or undefined: a free one. */
  port?: number;
  tableName?: string;
  /** Use this DynamoDB (e.g. the test run's shared DynamoDB Local) instead of starting one. */
  dynamoEndpoint?: string;
  /** Port for the DynamoDB Local this runtime starts; 0 or undefined: a free one. */
  dynamoPort?: number;
  sesPort?: number;
  /** Defaults to every function of the manifest. */
  functions?: readonly LocalFunctionDefinition[];
  /** Defaults to the manifest's queues. */
  queues?: Readonly<Record<string, QueueSettings>>;
  /** Repository root that `entry` paths are relative to. */
  root?: string;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  /** SES mail viewer. */
  readonly sesUrl: string;
  readonly sesEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly tableName: string;
  /** Where secrets (`secrets/`) and the signing key (`auth/`) live; a temp dir when in memory. */
  readonly dataDir: string;
  /** Queue URL by queue name, DLQs as `<name>-dlq`. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Mounted route keys (`GET /health`). */
  mounts(): string[];
  /** Functions with a running schedule. */
  jobs(): string[];
  /** `<function> <- <queue>` for every running queue consumer. */
  consumers(): string[];
  runJobNow(name: string): Promise<unknown>;
  /** A management token signed with the local key (ttl defaults to one hour). */
  mintToken(claims: Omit<TokenClaims, 'ttlSeconds'> & { ttlSeconds?: number }): Promise<string>;
  stop(): Promise<void>;
}

export const repoRoot = (): string => fileURLToPath(new URL('../../', import.meta.url));

const DEFAULT_TABLE = 'tollgate-local';

const loadFunction = async (definition: LocalFunctionDefinition, root: string): Promise<LocalFunction> => {
  const { handler: override, ...spec } = definition;
  if (override) return { spec, handler: override };
  const file = resolve(root, spec.entry);
  // Streaming handlers wrap themselves with the runtime's `awslambda` global at import.
  installLambdaStreamingGlobal();
  let mod: { handler?: unknown; shutdown?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { handler?: unknown; shutdown?: unknown };
  } catch (err) {
    throw new Error(`Cannot load ${spec.entry} (function ${spec.name}): ${errorMessage(err)}`, {
      cause: err,
    });
  }
  if (typeof mod.handler !== 'function')
    throw new Error(`${spec.entry} (function ${spec.name}) exports no handler function`);
  const shutdown = typeof mod.shutdown === 'function' ? (mod.shutdown as () => Promise<void>) : undefined;
  return { spec, handler: mod.handler as LambdaHandler, ...(shutdown && { shutdown }) };
};

/** Starts everything; on any failure, stops what already started and rethrows. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  // Before the first SDK client: Node 20 is what this machine has, the warning is noise locally.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = options.log ?? (() => undefined);
  const root = options.root ?? repoRoot();
  const tableName = options.tableName ?? DEFAULT_TABLE;
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log(`[runtime] stop: ${errorMessage(err)}`);
      }
    }
  };

  try {
    const persistent = options.dataDir !== undefined;
    const dataDir = persistent ? resolve(options.dataDir!) : await mkdtemp(join(tmpdir(), 'tollgate-'));
    if (persistent) await mkdir(dataDir, { recursive: true });
    else cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    // The three emulators are independent: start them side by side (DynamoDB Local dominates).
    const [dynamo, sqs, ses] = await Promise.allSettled([
      options.dynamoEndpoint
        ? Promise.resolve(undefined)
        : startDynamoDbLocal({
            port: options.dynamoPort,
            dataDir: persistent ? join(dataDir, 'dynamodb') : undefined,
          }),
      startLocalSqs({ queues: options.queues }),
      startLocalSes({ port: options.sesPort }),
    ]);
    const started: [PromiseSettledResult<{ stop(): Promise<void> } | undefined>, string][] = [
      [dynamo, 'DynamoDB Local'],
      [sqs, 'fauxqs'],
      [ses, 'SES local'],
    ];
    for (const [result] of started)
      if (result.status === 'fulfilled' && result.value) cleanups.push(result.value.stop);
    const failed = started.find(([result]) => result.status === 'rejected');
    if (failed) throw (failed[0] as PromiseRejectedResult).reason;
    const dynamoLocal = (dynamo as PromiseFulfilledResult<DynamoDbLocal | undefined>).value;
    const localSqs = (sqs as PromiseFulfilledResult<LocalSqs>).value;
    const localSes = (ses as PromiseFulfilledResult<LocalSes>).value;
    const dynamoEndpoint = options.dynamoEndpoint ?? dynamoLocal!.endpoint;
    if (dynamoLocal) log(`[runtime] DynamoDB Local ready in ${dynamoLocal.startMs} ms`);

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await ensureTable(dynamoClient, tableName);
    } finally {
      dynamoClient.destroy();
    }

    const signingKey = await loadOrCreateSigningKey(join(dataDir, 'auth'));

    // Functions are loaded after this starts; its Tasks find them by name when a workflow runs.
    const byName = new Map<string, LocalFunction>();
    const stepFunctions = await startLocalStepFunctions({
      invoke: (name, payload) => {
        const fn = byName.get(name);
        if (!fn) return Promise.reject(new Error(`No local function ${name}`));
        return invokeLambda(fn, payload);
      },
      log,
    });
    cleanups.push(stepFunctions.stop);
    // The jobs API invokes scheduled jobs through Lambda's Invoke API; the scheduler starts later.
    let runJob: (name: string) => Promise<unknown> = () =>
      Promise.reject(new Error('The scheduler is not running'));
    const lambdaInvoke = await startLocalLambdaInvoke((name) => runJob(name));
    cleanups.push(lambdaInvoke.stop);
    // The port is fixed before the functions load: the report workflow calls the gateway on it.
    const port = options.port || (await freePort());

    // Functions read their configuration at import time: set it before importing any of them.
    const environment: Record<string, string> = {
      STAGE: 'local',
      TABLE_NAME: tableName,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: localSqs.endpoint,
      AWS_ENDPOINT_URL_SESV2: localSes.endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambdaInvoke.endpoint,
      JOB_FUNCTIONS: JSON.stringify(
        Object.fromEntries(
          (options.functions ?? (manifestFunctions as readonly FunctionSpec[]))
            .filter((spec) => spec.schedule)
            .map((spec) => [spec.name, spec.name]),
        ),
      ),
      [stateMachineArnEnv('monthly-report')]: localStateMachineArn('monthly-report'),
      REPORT_GATEWAY_URL: `http://127.0.0.1:${port}/v1`,
      SECRET_STORE: 'local-file',
      LOCAL_SECRETS_DIR: join(dataDir, 'secrets'),
      LOCAL_BILL_FILES_DIR: join(dataDir, 'bill-files'),
      AUTH_JWKS: JSON.stringify(signingKey.publicJwks),
      AUTH_ISSUER: LOCAL_ISSUER,
      AUTH_AUDIENCE: LOCAL_AUDIENCE,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Notification channels may target fake receivers on 127.0.0.1 here, never in AWS.
      NOTIFY_ALLOW_LOOPBACK_HTTP: 'true',
    };
    for (const [name, queue] of Object.entries(localSqs.queues)) {
      environment[queueUrlEnv(name as QueueName)] = queue.url;
      const settings = ((options.queues as Record<string, { maxReceiveCount: number }> | undefined) ??
        queueSpecs)[name as QueueName];
      if (settings) environment[queueMaxReceivesEnv(name as QueueName)] = String(settings.maxReceiveCount);
    }
    const previous = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
    Object.assign(process.env, environment);
    // Also drop a session token from the developer's shell: it would be sent to the emulators.
    const previousSessionToken = process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_SESSION_TOKEN;
    cleanups.push(() => {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (previousSessionToken !== undefined) process.env.AWS_SESSION_TOKEN = previousSessionToken;
      resetEnv();
    });
    resetEnv();

    const definitions = options.functions ?? (manifestFunctions as readonly FunctionSpec[]);
    const functions: LocalFunction[] = [];
    for (const definition of definitions) functions.push(await loadFunction(definition, root));
    for (const fn of functions) byName.set(fn.spec.name, fn);
    // Runs after the server, schedules and consumers stopped (cleanups run in reverse).
    cleanups.push(async () => {
      await Promise.all(functions.map((fn) => fn.shutdown?.()));
    });

    const http: LocalHttpServer = await startHttpServer({ functions, port, log });
    cleanups.push(http.stop);

    // Workflows run on their schedules too, as EventBridge Scheduler starts their state machines.
    const workflowNames = new Set(Object.keys(workflowSpecs));
    const schedules: Schedules = startSchedules(
      [
        ...functions.map((fn) => fn.spec),
        ...Object.entries(workflowSpecs).map(([name, workflow]) => ({ name, schedule: workflow.schedule })),
      ],
      async (spec, event) => {
        if (!workflowNames.has(spec.name)) return invokeLambda(byName.get(spec.name)!, event);
        const execution = stepFunctions.start(spec.name as WorkflowName, {});
        await execution.done;
        return { executionArn: execution.executionArn, status: execution.status, output: execution.output };
      },
      { log },
    );
    cleanups.push(schedules.stop);
    runJob = schedules.runJobNow;

    const consumers: QueueConsumers = startQueueConsumers({
      client: localSqs.client,
      queues: localSqs.queues,
      functions,
      log,
    });
    cleanups.push(consumers.stop);

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: http.url,
      sesUrl: localSes.viewerUrl,
      sesEndpoint: localSes.endpoint,
      dynamoEndpoint,
      sqsEndpoint: localSqs.endpoint,
      tableName,
      dataDir,
      queueUrls: localSqs.queueUrls,
      mounts: http.mounts,
      jobs: () => schedules.jobs.map((job) => job.name),
      consumers: () => [...consumers.consumers],
      runJobNow: schedules.runJobNow,
      mintToken: ({ ttlSeconds = 3600, ...claims }) => mintToken(signingKey, { ...claims, ttlSeconds }),
      stop: () => (stopping ??= runCleanups()),
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
