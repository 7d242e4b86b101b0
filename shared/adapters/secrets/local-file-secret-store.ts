import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notFound } from '../../domain/errors';
import type { SecretStore } from '../../ports/secrets';

type Sealed = { iv: string; tag: string; data: string };

/**
 * The local stand-in for Secrets Manager: every value sealed with AES-256-GCM under a key kept in
 * its own file (mode 0600) beside the store, so the store file alone reveals nothing. Writes go to a
 * temporary file and are renamed into place, so a crash never leaves a torn store.
 */
export class LocalFileSecretStore implements SecretStore {
  private key: Buffer | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {}

  private get storePath() {
    return join(this.dir, 'secrets.json');
  }

  private async encryptionKey(): Promise<Buffer> {
    if (this.key) return this.key;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, 'secrets.key');
    try {
      this.key = Buffer.from(await readFile(path, 'utf8'), 'base64');
    } catch {
      const fresh = randomBytes(32);
      // 'wx' fails if another process created it first; then read theirs.
      await writeFile(path, fresh.toString('base64'), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
      this.key = Buffer.from(await readFile(path, 'utf8'), 'base64');
    }
    return this.key;
  }

  private async load(): Promise<Record<string, Sealed>> {
    try {
      return JSON.parse(await readFile(this.storePath, 'utf8')) as Record<string, Sealed>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  }

  /** Serialises read-modify-write cycles within this process. */
  private mutate(change: (store: Record<string, Sealed>) => Promise<void> | void): Promise<void> {
    const next = this.queue.then(async () => {
      const store = await this.load();
      await change(store);
      const tmp = `${this.storePath}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(store), { mode: 0o600 });
      await rename(tmp, this.storePath);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async seal(value: string): Promise<Sealed> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.encryptionKey(), iv);
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  async put(name: string, value: string): Promise<string> {
    const ref = `local:${name}/${randomUUID()}`;
    const sealed = await this.seal(value);
    await this.mutate((store) => {
      store[ref] = sealed;
    });
    return ref;
  }

  async replace(ref: string, value: string): Promise<void> {
    const sealed = await this.seal(value);
    await this.mutate((store) => {
      if (!store[ref]) throw notFound('Secret', ref);
      store[ref] = sealed;
    });
  }

  async get(ref: string): Promise<string> {
    const sealed = (await this.load())[ref];
    if (!sealed) throw notFound('Secret', ref);
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await this.encryptionKey(),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }

  async delete(ref: string): Promise<void> {
    await this.mutate((store) => {
      delete store[ref];
    });
  }
}
