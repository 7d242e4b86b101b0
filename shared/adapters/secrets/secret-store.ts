import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../ports/secrets';
import { env } from '../../runtime/env';
import { LocalFileSecretStore } from './local-file-secret-store';
import { SecretsManagerSecretStore } from './secrets-manager-secret-store';

export type SecretStoreSettings =
  { kind: 'secrets-manager'; prefix: string } | { kind: 'local-file'; dir: string };

const settingsFromEnv = (): SecretStoreSettings => {
  const config = env();
  return config.SECRET_STORE === 'secrets-manager'
    ? { kind: 'secrets-manager', prefix: config.SECRET_PREFIX }
    : { kind: 'local-file', dir: config.LOCAL_SECRETS_DIR };
};

/** Secrets Manager in AWS, the encrypted file store locally (SECRET_STORE and its settings). */
export const secretStore = (settings: SecretStoreSettings = settingsFromEnv()): SecretStore =>
  settings.kind === 'secrets-manager'
    ? new SecretsManagerSecretStore(new SecretsManagerClient({}), settings.prefix)
    : new LocalFileSecretStore(settings.dir);
