/**
 * Parts of the local product as separate Node processes (several gateway replicas on one table,
 * or a gateway and an upstream measured apart): spawn one, wait for the JSON line it prints once it
 * serves, stop it gracefully (SIGTERM) or kill it. Every child dies with its parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ChildService<T> {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What the child announced on stdout. */
  readonly info: T;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would end it. */
  kill(): Promise<void>;
}

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Starts `entry` (a TypeScript file of this repository, run through tsx) and waits for its `key` line. */
export const spawnService = async <T>(
  entry: string,
  key: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; log?: (line: string) => void; nodeArgs?: readonly string[] } = {},
): Promise<ChildService<T>> => {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', repoFile(entry)], {
    cwd: repoFile('.'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = options.log ?? (() => undefined);
  createInterface({ input: child.stderr! }).on('line', log);
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code} before it served`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, T>;
        if (parsed[key]) {
          clearTimeout(timer);
          resolve(parsed[key]);
          return;
        }
      } catch {
        // not the announcement
      }
      log(line);
    });
  });
  const end = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    child,
    pid: child.pid!,
    info,
    stop: (graceMs = 10_000) => end('SIGTERM', graceMs),
    kill: () => end('SIGKILL', 0),
  };
};

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export const processCpuMs = async (pid: number): Promise<number> => {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond;
};

/** USER_HZ: 100 on every Linux architecture Node supports. */
const clockTicksPerSecond = 100;
