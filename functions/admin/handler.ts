/** Tenancy management API: one Lambda for every route of shared/contracts/tenancy.ts. */
import { tenancyRoutes as r } from '../../shared/contracts/tenancy';
import { adminRoutes } from '../../shared/composition/admin-routes';
import { dashboardRoutes, usageRoutes } from '../../shared/contracts/usage';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { tenancyRepositories } from '../../shared/adapters/dynamo/repositories';
import { secretStore } from '../../shared/adapters/secrets/secret-store';
import { sqsAuditLog } from '../../shared/adapters/sqs/sqs-audit-log';
import { systemClock } from '../../shared/ports/clock';
import { required } from '../../shared/runtime/env';
import { dispatch, routeTable } from '../../shared/runtime/http';
import * as uc from '../../shared/usecases/tenancy';
import {
  aiAccountDetails,
  getAiAccountWithStats,
  listAiAccountsWithStats,
} from '../../shared/usecases/account-stats';
import { groupBindingOverview } from '../../shared/usecases/binding-overview';
import { aiDashboard } from '../../shared/usecases/dashboard';
import { groupUsageStats } from '../../shared/usecases/usage-stats';

const repositories = tenancyRepositories(required('TABLE_NAME'));
const deps: uc.TenancyDeps = {
  ...repositories,
  secrets: secretStore(),
  auditLog: sqsAuditLog(required('QUEUE_URL_AUDIT_EVENTS')),
  clock: systemClock,
};
const usage = new DynamoUsageStore(exactNumbersDocumentClient(), required('TABLE_NAME'));
const statsDeps = { ...repositories, usage, clock: systemClock };
const route = adminRoutes();

export const handler = dispatch(
  routeTable([
    route(r.me, async (ctx) => ctx.caller),
    route(r.listEnterprises, (ctx, { query }) => uc.listEnterprises(deps, ctx, query)),
    route(r.createEnterprise, (ctx, { body }) => uc.createEnterprise(deps, ctx, body)),
    route(r.getEnterprise, (ctx, { params }) => uc.getEnterprise(deps, ctx, params.enterpriseId)),
    route(r.updateEnterprise, (ctx, { params, body }) =>
      uc.updateEnterprise(deps, ctx, params.enterpriseId, body),
    ),
    route(r.listGroups, (ctx, { params, query }) => uc.listGroups(deps, ctx, params.enterpriseId, query)),
    route(r.createGroup, (ctx, { params, body }) => uc.createGroup(deps, ctx, params.enterpriseId, body)),
    route(r.getGroup, (ctx, { params }) => uc.getGroup(deps, ctx, params.groupId)),
    route(r.updateGroup, (ctx, { params, body }) => uc.updateGroup(deps, ctx, params.groupId, body)),
    route(r.listUsers, (ctx, { params, query }) => uc.listUsers(deps, ctx, params.enterpriseId, query)),
    route(r.createUser, (ctx, { params, body }) => uc.createUser(deps, ctx, params.enterpriseId, body)),
    route(r.listMembers, (ctx, { params, query }) => uc.listMembers(deps, ctx, params.groupId, query)),
    route(r.addMember, (ctx, { params, body }) => uc.addMember(deps, ctx, params.groupId, body)),
    route(r.removeMember, (ctx, { params }) => uc.removeMember(deps, ctx, params.groupId, params.userId)),
    route(r.listGroupApiKeys, (ctx, { params, query }) =>
      uc.listGroupApiKeys(deps, ctx, params.groupId, query),
    ),
    route(r.createGroupApiKey, (ctx, { params, body }) =>
      uc.createGroupApiKey(deps, ctx, params.groupId, body),
    ),
    route(r.listAdminApiKeys, (ctx, { params, query }) =>
      uc.listAdminApiKeys(deps, ctx, params.enterpriseId, query),
    ),
    route(r.createAdminApiKey, (ctx, { params, body }) =>
      uc.createAdminApiKey(deps, ctx, params.enterpriseId, body),
    ),
    route(r.revokeApiKey, (ctx, { params }) => uc.revokeApiKey(deps, ctx, params.keyId)),
    route(r.listAiAccounts, (ctx, { params, query }) =>
      listAiAccountsWithStats(statsDeps, ctx, params.enterpriseId, query),
    ),
    route(r.createAiAccount, (ctx, { params, body }) =>
      uc.createAiAccount(deps, ctx, params.enterpriseId, body),
    ),
    route(r.getAiAccount, (ctx, { params }) => getAiAccountWithStats(statsDeps, ctx, params.accountId)),
    route(r.getAiAccountDetails, (ctx, { params }) => aiAccountDetails(statsDeps, ctx, params.accountId)),
    route(r.updateAiAccount, (ctx, { params, body }) =>
      uc.updateAiAccount(deps, ctx, params.accountId, body),
    ),
    route(r.bulkAccountStatus, (ctx, { params, body }) =>
      uc.setAccountsEnabled(deps, ctx, params.enterpriseId, body),
    ),
    route(r.getGroupBinding, (ctx, { params }) =>
      groupBindingOverview({ ...repositories, usage, clock: systemClock }, ctx, params.groupId),
    ),
    route(r.putGroupBinding, (ctx, { params, body }) => uc.putGroupBinding(deps, ctx, params.groupId, body)),
    route(r.listAuditEvents, (ctx, { params, query }) =>
      uc.listAuditEvents(deps, ctx, params.enterpriseId, query),
    ),
    route(usageRoutes.groupUsageStats, (ctx, { params, query }) =>
      groupUsageStats({ groups: repositories.groups, usage }, ctx, params.groupId, query),
    ),
    route(dashboardRoutes.aiDashboard, (ctx, { params }) =>
      aiDashboard({ ...repositories, usage, clock: systemClock }, ctx, params.enterpriseId),
    ),
  ]),
);
