/**
 * Step Functions on one machine: the manifest's state machines, synthesized from the same CDK
 * definition the workflows stack deploys, run by `aws-local-stepfunctions` with every Task bound to
 * the local step function; and a small server speaking the Step Functions JSON 1.0 protocol
 * (`StartExecution`, `DescribeExecution`), so the SDK client in the functions works unchanged with
 * AWS_ENDPOINT_URL_SFN pointing here. Retries wait `retryIntervalMs` locally instead of their
 * configured intervals.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stateMachineName, workflows, type WorkflowName } from '../manifest';
import { MONTHLY_REPORT_STEPS } from '../workflows/monthly-report';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, errorMessage } from './lambda';

const execFileAsync = promisify(execFile);
const taskStates: Record<WorkflowName, readonly string[]> = {
  'monthly-report': Object.keys(MONTHLY_REPORT_STEPS),
};

export const localStateMachineArn = (workflow: WorkflowName): string =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${stateMachineName('local', workflow)}`;

/**
 * A workflow's ASL. Synthesizing loads much of aws-cdk-lib (seconds), so it happens in a child
 * process (infra/local/synth-workflow.ts), never blocking the runtime's event loop, and is cached
 * in the temp dir under a hash of the definition's sources and the CDK version.
 */
const definitions = new Map<WorkflowName, Promise<Record<string, unknown>>>();
export const definitionOf = (workflow: WorkflowName): Promise<Record<string, unknown>> => {
  let definition = definitions.get(workflow);
  if (!definition) {
    definition = loadDefinition(workflow);
    definitions.set(workflow, definition);
    definition.catch(() => definitions.delete(workflow));
  }
  return definition;
};

const here = fileURLToPath(new URL('.', import.meta.url));

const loadDefinition = async (workflow: WorkflowName): Promise<Record<string, unknown>> => {
  const sources = await Promise.all(
    [
      '../workflows/monthly-report.ts',
      '../manifest.ts',
      './synth-workflow.ts',
      '../../node_modules/aws-cdk-lib/package.json',
    ].map((file) => readFile(join(here, file))),
  );
  const hash = createHash('sha256');
  for (const source of sources) hash.update(source);
  const cached = join(tmpdir(), `tollgate-${workflow}-${hash.digest('hex').slice(0, 16)}.asl.json`);
  try {
    return JSON.parse(await readFile(cached, 'utf8')) as Record<string, unknown>;
  } catch {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(here, 'synth-workflow.ts'), workflow],
      {
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
    );
    const temp = `${cached}.${randomUUID()}`;
    await writeFile(temp, stdout);
    await rename(temp, cached);
    return JSON.parse(stdout) as Record<string, unknown>;
  }
};

export interface LocalExecution {
  executionArn: string;
  workflow: WorkflowName;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  input: unknown;
  output?: unknown;
  error?: string;
  startDate: Date;
  stopDate?: Date;
  done: Promise<void>;
  abort(): void;
}

export interface LocalStepFunctions {
  /** The SDK endpoint (AWS_ENDPOINT_URL_SFN). */
  readonly endpoint: string;
  start(workflow: WorkflowName, input: unknown, name?: string): LocalExecution;
  executions(): LocalExecution[];
  stop(): Promise<void>;
}

export interface LocalStepFunctionsOptions {
  /** Runs a Task: the step function by manifest name, with the Task's input; resolves with its output. */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
  retryIntervalMs?: number;
  log?: (line: string) => void;
}

/** aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks (LOCAL-STACK-NOTES). */
const polyfillWithResolvers = () => {
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  promise.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const created = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
};

export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const log = options.log ?? (() => undefined);
  polyfillWithResolvers();
  const { StateMachine } = await import('aws-local-stepfunctions');
  const executions = new Map<string, LocalExecution>();
  // Synthesized in the background from the start, so the first execution rarely waits for it.
  for (const workflow of Object.keys(workflows) as WorkflowName[])
    definitionOf(workflow).catch((err: unknown) => log(`[step-functions] ${workflow}: ${errorMessage(err)}`));

  const start = (workflow: WorkflowName, input: unknown, name: string = randomUUID()): LocalExecution => {
    const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${stateMachineName('local', workflow)}:${name}`;
    const stepFunction = workflows[workflow].stepFunction;
    const handlers = Object.fromEntries(
      taskStates[workflow].map((state) => [
        state,
        (payload: unknown) => options.invoke(stepFunction, payload) as never,
      ]),
    );
    const retries = Object.fromEntries(
      taskStates[workflow].map((state) => [state, options.retryIntervalMs ?? 50]),
    );
    const execution: LocalExecution = {
      executionArn,
      workflow,
      status: 'RUNNING',
      input,
      startDate: new Date(),
      done: Promise.resolve(),
      abort: () => undefined,
    };
    let aborted = false;
    execution.abort = () => {
      aborted = true;
    };
    execution.done = definitionOf(workflow)
      .then(async (definition) => {
        if (aborted) return;
        const run = new StateMachine(definition as never, { validationOptions: { checkArn: false } }).run(
          input as never,
          {
            overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retries },
            noThrowOnAbort: true,
          },
        );
        execution.abort = run.abort;
        const output = await run.result;
        Object.assign(execution, { status: 'SUCCEEDED', output, stopDate: new Date() });
        log(`[step-functions] ${workflow} ${name} succeeded`);
      })
      .catch((err: unknown) => {
        Object.assign(execution, { status: 'FAILED', error: errorMessage(err), stopDate: new Date() });
        log(`[step-functions] ${workflow} ${name} failed: ${errorMessage(err)}`);
      });
    executions.set(executionArn, execution);
    return execution;
  };

  const workflowOf = (arn: unknown): WorkflowName | undefined =>
    (Object.keys(workflows) as WorkflowName[]).find((w) => localStateMachineArn(w) === arn);

  const answer = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === 'AWSStepFunctions.StartExecution') {
      const workflow = workflowOf(body.stateMachineArn);
      if (!workflow)
        return answer(res, 400, {
          __type: 'StateMachineDoesNotExist',
          message: `No state machine ${String(body.stateMachineArn)}`,
        });
      const execution = start(
        workflow,
        JSON.parse(String(body.input ?? '{}')),
        body.name ? String(body.name) : undefined,
      );
      return answer(res, 200, {
        executionArn: execution.executionArn,
        startDate: execution.startDate.getTime() / 1000,
      });
    }
    if (target === 'AWSStepFunctions.DescribeExecution') {
      const execution = executions.get(String(body.executionArn));
      if (!execution)
        return answer(res, 400, { __type: 'ExecutionDoesNotExist', message: 'No such execution' });
      return answer(res, 200, {
        executionArn: execution.executionArn,
        stateMachineArn: localStateMachineArn(execution.workflow),
        status: execution.status,
        startDate: execution.startDate.getTime() / 1000,
        input: JSON.stringify(execution.input),
        ...(execution.output !== undefined && { output: JSON.stringify(execution.output) }),
        ...(execution.error && { error: 'States.Runtime', cause: execution.error }),
      });
    }
    return answer(res, 400, {
      __type: 'UnknownOperationException',
      message: `${target} is not supported locally`,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) =>
      answer(res, 500, { __type: 'InternalFailure', message: errorMessage(err) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    start,
    executions: () => [...executions.values()],
    stop: async () => {
      for (const execution of executions.values()) if (execution.status === 'RUNNING') execution.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
