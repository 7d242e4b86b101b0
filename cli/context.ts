/**
 * What every command gets: the resolved output format, the settings, an API client with the stored
 * key, and the enterprise to ask about. `action()` turns a command handler into a commander action
 * that times it and prints its result.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { tenancyRoutes } from '../shared/contracts/tenancy';
import { fileCache } from './cache';
import { configDir, DEFAULT_URL, loadConfig, type Config } from './config';
import { CliError } from './errors';
import { createClient, type ApiClient } from './http';
import { writeSuccess, type Format, type TableData } from './output';

/** The options every command accepts (declared once, on the program). */
export interface GlobalOptions {
  format?: Format;
  enterprise?: string;
  timeout: number;
  cache?: number;
}

export interface Context {
  readonly format: Format;
  readonly config: Config;
  /** The request timeout, from `--timeout`. */
  readonly timeoutMs: number;
  /** The client with the stored URL and key; UNAUTHORIZED before `auth login`. */
  api(): ApiClient;
  /** `--enterprise`, else the configured one, else the API key's own (from /api/me). */
  enterprise(): Promise<string>;
  /** When the oldest answer served from the cache so far was stored; null when none was. */
  cachedAt(): string | null;
}

/** A command's answer: the envelope's `data` and the rows of its table and CSV views. */
export interface Outcome {
  data: unknown;
  table: TableData;
}

const createContext = (globals: GlobalOptions, config: Config): Context => {
  const timeoutMs = globals.timeout * 1000;
  let client: ApiClient | undefined;
  const api = (): ApiClient => {
    if (!config.apiKey)
      throw new CliError('UNAUTHORIZED', 'Not logged in', {
        hint: 'log in with `tollgate auth login --api-key <key>`',
      });
    client ??= createClient({
      baseUrl: config.url ?? DEFAULT_URL,
      apiKey: config.apiKey,
      timeoutMs,
      cache: globals.cache ? fileCache(join(configDir(), 'cache'), globals.cache) : undefined,
    });
    return client;
  };
  return {
    format: globals.format ?? config.format ?? 'json',
    config,
    timeoutMs,
    api,
    enterprise: async () => {
      const known = globals.enterprise ?? config.enterprise;
      if (known) return known;
      const { enterpriseId } = await api().call(tenancyRoutes.me);
      if (!enterpriseId)
        throw new CliError('VALIDATION_ERROR', 'This API key belongs to no enterprise', {
          hint: 'pass --enterprise <id> or run `tollgate config set enterprise <id>`',
        });
      return enterpriseId;
    },
    cachedAt: () => client?.cachedAt() ?? null,
  };
};

/** The format to print an error in: `--format`, else the configured one (if readable), else JSON. */
export const fallbackFormat = async (program: Command): Promise<Format> =>
  (program.opts() as GlobalOptions).format ??
  (await loadConfig().catch(() => ({}) as Config)).format ??
  'json';

/**
 * A commander action running `handler` with the command's options and positional arguments, and
 * printing its outcome. Errors propagate to main, which prints them.
 */
export const action =
  <O extends object>(handler: (ctx: Context, options: O, args: (string | undefined)[]) => Promise<Outcome>) =>
  async (...actionArgs: unknown[]): Promise<void> => {
    const started = performance.now();
    const command = actionArgs.at(-1) as Command;
    const ctx = createContext(command.optsWithGlobals<GlobalOptions>(), await loadConfig());
    const { data, table } = await handler(
      ctx,
      command.opts<O>(),
      command.processedArgs as (string | undefined)[],
    );
    writeSuccess(ctx.format, data, table, {
      executionTime: Math.round(performance.now() - started),
      cachedAt: ctx.cachedAt(),
    });
  };
