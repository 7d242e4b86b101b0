/**
 * Where uploaded and dropped FOCUS files are kept for the sync worker: an S3 bucket in AWS, a
 * directory locally. Keys are relative paths such as `uploads/<cloudAccountId>/<id>.csv`.
 */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { BillFileStore } from '../../ports/bills';

export class S3BillFileStore implements BillFileStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'text/csv' }),
    );
  }

  async open(key: string): Promise<Readable> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!(Body instanceof Readable)) throw new Error(`s3://${this.bucket}/${key} has no readable body`);
    return Body;
  }
}

export class LocalDirBillFileStore implements BillFileStore {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    const relative = normalize(key);
    if (relative.startsWith('..') || relative.startsWith('/'))
      throw new Error(`Bill file key "${key}" leaves the store`);
    return join(this.dir, relative);
  }

  async put(key: string, body: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async open(key: string): Promise<Readable> {
    return createReadStream(this.path(key));
  }
}
