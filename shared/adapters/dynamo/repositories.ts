import { dynamoDocumentClient } from './client';
import { buildEntities, type TollgateService } from './entities';
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

/**
 * Every tenancy repository over one table, sharing the process's document client. A function that
 * needs the entities itself passes its own `db`: building them costs cold-start time.
 */
export const tenancyRepositories = (
  tableName: string,
  db: TollgateService = buildEntities(dynamoDocumentClient(), tableName),
) => {
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
