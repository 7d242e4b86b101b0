import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../ports/secrets';
import { LocalFileSecretStore } from './local-file-secret-store';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store';

export type SecretStoreSettings =
  { kind: 'secrets-manager'; prefix: string } | { kind: 'local-file'; dir: string };

/** Secrets Manager in AWS, the encrypted file store locally. */
export const secretStore = (settings: SecretStoreSettings): SecretStore =>
  settings.kind === 'secrets-manager'
    ? new SecretsManagerSecretStore(new SecretsManagerClient({}), settings.prefix)
    : new LocalFileSecretStore(settings.dir);
