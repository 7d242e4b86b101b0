/**
 * What the local runtime needs to call a Lambda handler the way the Lambda service does: a
 * plausible Context, the function's timeout, and the identifiers AWS would put in events.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../manifest';

export const LOCAL_REGION = 'us-east-1';
/** The account id every local emulator uses (fauxqs, moto, LocalStack agree on it). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** A Lambda handler as the runtime sees it: event and context in, result (or promise) out. */
export type LambdaHandler = (event: unknown, context: Context) => unknown;

/** A manifest entry together with the handler the local runtime calls for it. */
export interface LocalFunction {
  readonly spec: FunctionSpec;
  readonly handler: LambdaHandler;
  /** The module's `shutdown` export: what Lambda's SIGTERM gives it time for (flush, give back leases). */
  readonly shutdown?: () => Promise<void>;
}

export const localFunctionName = (spec: Pick<FunctionSpec, 'name'>): string => `tollgate-local-${spec.name}`;

export const lambdaArn = (spec: Pick<FunctionSpec, 'name'>): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${localFunctionName(spec)}`;

const unsupported = (name: string) => () => {
  throw new Error(`context.${name}() is not supported: return a value or a promise from the handler`);
};

/** A Context like the Node.js Lambda runtime's, its clock starting now. */
/** One log stream per function, as Lambda keeps one per execution environment (of its first day). */
const logStreams = new Map<string, string>();
const logStreamOf = (functionName: string): string => {
  let stream = logStreams.get(functionName);
  if (!stream) {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    logStreams.set(functionName, (stream = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`));
  }
  return stream;
};

export const lambdaContext = (spec: FunctionSpec, awsRequestId: string = randomUUID()): Context => {
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const functionName = localFunctionName(spec);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: lambdaArn(spec),
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: logStreamOf(functionName),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};

export class LambdaTimeoutError extends Error {
  constructor(
    readonly functionName: string,
    readonly timeoutSeconds: number,
  ) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds (${functionName})`);
    this.name = 'LambdaTimeoutError';
  }
}

/**
 * Calls the handler with a fresh Context and rejects with {@link LambdaTimeoutError} after the
 * spec's timeout, as Lambda would. The handler cannot be killed in-process: a timed-out call keeps
 * running in the background, only its result is ignored.
 */
export const invokeLambda = (fn: LocalFunction, event: unknown, awsRequestId?: string): Promise<unknown> =>
  withTimeout(fn, awsRequestId, (context) => fn.handler(event, context));

/** The same for a handler wrapped by `awslambda.streamifyResponse`: it writes to `responseStream`. */
export const invokeStreamingLambda = (
  fn: LocalFunction,
  event: unknown,
  responseStream: Writable,
  awsRequestId?: string,
): Promise<unknown> =>
  withTimeout(fn, awsRequestId, (context) =>
    (fn.handler as unknown as (e: unknown, s: Writable, c: Context) => unknown)(
      event,
      responseStream,
      context,
    ),
  );

const withTimeout = async (
  fn: LocalFunction,
  awsRequestId: string | undefined,
  call: (context: Context) => unknown,
): Promise<unknown> => {
  const context = lambdaContext(fn.spec, awsRequestId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaTimeoutError(context.functionName, fn.spec.timeoutSeconds)),
      fn.spec.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(() => call(context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * A port nobody listens on right now, found by binding port 0. `host` should be the address the
 * real server binds (DynamoDB Local binds every interface, so probe with `'::'`/`'0.0.0.0'`).
 */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not find a free port'))));
    });
  });

/** True if `port` can be bound now; without `host`, on every interface (what DynamoDB Local needs). */
export const isPortFree = (port: number, host?: string): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host }, () => server.close(() => resolve(true)));
  });

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
