import { randomUUID } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { notFound } from '../../domain/errors';
import type { SecretStore } from '../../ports/secrets';

/** Provider credentials in AWS Secrets Manager, under `<prefix><name>/<uuid>`; the ARN is the reference. */
export class SecretsManagerSecretStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
  ) {}

  async put(name: string, value: string): Promise<string> {
    const out = await this.client.send(
      new CreateSecretCommand({ Name: `${this.prefix}${name}/${randomUUID()}`, SecretString: value }),
    );
    if (!out.ARN) throw new Error('Secrets Manager returned no ARN');
    return out.ARN;
  }

  async replace(ref: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: ref, SecretString: value }));
  }

  async get(ref: string): Promise<string> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: ref }));
      if (out.SecretString === undefined) throw notFound('Secret', ref);
      return out.SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw notFound('Secret', ref);
      throw err;
    }
  }

  async delete(ref: string): Promise<void> {
    await this.client.send(new DeleteSecretCommand({ SecretId: ref, RecoveryWindowInDays: 7 }));
  }
}
