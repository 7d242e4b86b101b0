/**
 * An opt-in read cache (`--cache <seconds>`): GET answers stored as files under the config
 * directory, keyed by a hash of the API key and URL so that two keys never share an answer.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CachedAnswer {
  storedAt: string;
  data: unknown;
}

export interface ResponseCache {
  /** The answer stored for the key if it is young enough, else null. */
  read(apiKey: string, url: string): Promise<CachedAnswer | null>;
  write(apiKey: string, url: string, data: unknown): Promise<void>;
}

/** A cache in `dir` serving answers up to `maxAgeSeconds` old. */
export const fileCache = (dir: string, maxAgeSeconds: number): ResponseCache => {
  const fileOf = (apiKey: string, url: string) =>
    join(dir, `${createHash('sha256').update(`${apiKey}\n${url}`).digest('hex')}.json`);
  return {
    read: async (apiKey, url) => {
      try {
        const entry = JSON.parse(await readFile(fileOf(apiKey, url), 'utf8')) as CachedAnswer;
        return Date.now() - Date.parse(entry.storedAt) <= maxAgeSeconds * 1000 ? entry : null;
      } catch {
        // Missing or unreadable: a miss, the API answers instead.
        return null;
      }
    },
    write: async (apiKey, url, data) => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(apiKey, url);
      const entry: CachedAnswer = { storedAt: new Date().toISOString(), data };
      await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(entry), { mode: 0o600 });
      await rename(`${file}.${process.pid}.tmp`, file);
    },
  };
};
