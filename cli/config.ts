/**
 * The CLI's settings file: `config.json` in the user's config directory (env-paths), or in
 * `TOLLGATE_CONFIG_DIR`. It holds an API key, so the directory is created 0700 and the file is
 * always written 0600.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';
import * as z from 'zod';
import { Id } from '../shared/contracts/common';
import { CliError, fromZodError } from './errors';
import { formats } from './output';

/** Where `npm start` serves the API. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

export const Config = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: z.string().min(1).optional(),
  enterprise: Id.optional(),
  format: z.enum(formats).optional(),
});
export type Config = z.infer<typeof Config>;
export type ConfigKey = keyof Config;
export const configKeys = Object.keys(Config.shape) as ConfigKey[];

/** The directory of the settings file and of the response cache. */
export const configDir = (): string => process.env.TOLLGATE_CONFIG_DIR || envPaths('tollgate').config;

/** The settings file's path. */
export const configFile = (): string => join(configDir(), 'config.json');

/** The stored settings; `{}` before the first `auth login` or `config set`. */
export const loadConfig = async (): Promise<Config> => {
  const file = configFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError('SERVER_ERROR', `Cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError('VALIDATION_ERROR', `${file} is not valid JSON: fix or delete it`);
  }
  const parsed = Config.safeParse(json);
  if (!parsed.success) throw fromZodError(`${file} is not a valid config`, parsed.error);
  return parsed.data;
};

/** Replaces the settings file (atomically, mode 0600) and returns its path. */
export const saveConfig = async (config: Config): Promise<string> => {
  const file = configFile();
  // The mode applies only to directories created here: an existing TOLLGATE_CONFIG_DIR is left alone.
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  // A fresh file renamed over the old one: the key is never in a file with looser permissions.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return file;
};

/** The API key as it may be shown: its first characters only. */
export const maskKey = (key: string): string => (key.length > 12 ? `${key.slice(0, 10)}…` : '****');
