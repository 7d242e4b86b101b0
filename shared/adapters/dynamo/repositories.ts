import { dynamoDocumentClient } from './client';
import { buildEntities } from './entities';
import {
  DynamoAiAccountRepository,
  DynamoApiKeyRepository,
  DynamoAuditRepository,
  DynamoBindingRepository,
  DynamoEnterpriseRepository,
  DynamoGroupRepository,
  DynamoMemberRepository,
  DynamoUserRepository,
} from './tenancy-repositories';

/** Every tenancy repository over one table, sharing the process's document client. */
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
