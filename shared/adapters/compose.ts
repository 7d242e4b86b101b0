/**
 * Builds the adapters behind the tenancy ports from plain settings. Functions (the composition
 * roots) call this once per process with values from the parsed environment.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SecretStore } from '../ports/secrets';
import type { AuditLog } from '../ports/tenancy';
import { dynamoDocumentClient } from './dynamo/client';
import { buildEntities } from './dynamo/entities';
import {
  DynamoAiAccountRepository,
  DynamoApiKeyRepository,
  DynamoAuditRepository,
  DynamoBindingRepository,
  DynamoEnterpriseRepository,
  DynamoGroupRepository,
  DynamoMemberRepository,
  DynamoUserRepository,
} from './dynamo/tenancy-repositories';
import { LocalFileSecretStore } from './secrets/local-file-secret-store';
import { SecretsManagerSecretStore } from './secrets/secrets-manager-secret-store';
import { SqsAuditLog } from './sqs/sqs-audit-log';

export interface AdapterSettings {
  tableName: string;
  secretStore?: { kind: 'secrets-manager'; prefix: string } | { kind: 'local-file'; dir: string };
  auditQueueUrl?: string | undefined;
}

export const tenancyRepositories = (tableName: string) => {
  const db = buildEntities(dynamoDocumentClient(), tableName);
  return {
    enterprises: new DynamoEnterpriseRepository(db),
    groups: new DynamoGroupRepository(db),
    users: new DynamoUserRepository(db),
    members: new DynamoMemberRepository(db),
    apiKeys: new DynamoApiKeyRepository(db),
    aiAccounts: new DynamoAiAccountRepository(db),
    bindings: new DynamoBindingRepository(db),
    auditEvents: new DynamoAuditRepository(db),
  };
};

export const secretStore = (settings: NonNullable<AdapterSettings['secretStore']>): SecretStore =>
  settings.kind === 'secrets-manager'
    ? new SecretsManagerSecretStore(new SecretsManagerClient({}), settings.prefix)
    : new LocalFileSecretStore(settings.dir);

export const sqsAuditLog = (queueUrl: string): AuditLog => new SqsAuditLog(new SQSClient({}), queueUrl);
