/**
 * Tenancy use cases: enterprises, groups, users and members, API keys, AI accounts and bindings.
 * Each takes its dependencies first and plain data; authorization is decided here from the caller,
 * so every handler path is scoped to the caller's enterprise.
 */
import type { z } from 'zod';
import type * as c from '../contracts/tenancy';
import {
  isPlatformAdmin,
  requireEnterpriseAccess,
  requireEnterpriseAdmin,
  requireGroupManager,
  requirePlatformAdmin,
  requireVisible,
  type Caller,
} from '../domain/access';
import { credentialHint, mintApiKey } from '../domain/api-keys';
import { namedAccountIds, validateBinding } from '../domain/binding';
import { forbidden, invalid, notFound } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Clock } from '../ports/clock';
import type { SecretStore } from '../ports/secrets';
import type {
  AiAccount,
  AiAccountRepository,
  ApiKey,
  ApiKeyRepository,
  AuditEvent,
  AuditLog,
  AuditRepository,
  BindingRepository,
  Enterprise,
  EnterpriseRepository,
  Group,
  GroupBinding,
  GroupMember,
  GroupRepository,
  MemberRepository,
  Page,
  PageRequest,
  StoredApiKey,
  User,
  UserRepository,
} from '../ports/tenancy';

export interface TenancyDeps {
  enterprises: EnterpriseRepository;
  groups: GroupRepository;
  users: UserRepository;
  members: MemberRepository;
  apiKeys: ApiKeyRepository;
  aiAccounts: AiAccountRepository;
  bindings: BindingRepository;
  auditEvents: AuditRepository;
  auditLog: AuditLog;
  secrets: SecretStore;
  clock: Clock;
}

/** Who is asking, and under which request id their changes are audited. */
export interface RequestContext {
  caller: Caller;
  requestId: string;
}

type In<T extends z.ZodType> = z.output<T>;

const audit = (
  deps: Pick<TenancyDeps, 'auditLog' | 'clock'>,
  ctx: RequestContext,
  enterpriseId: string,
  action: string,
  target: AuditEvent['target'],
): Promise<void> => {
  const now = deps.clock.now();
  return deps.auditLog.publish({
    id: newId(now),
    enterpriseId,
    at: now.toISOString(),
    actor: { subject: ctx.caller.subject, kind: ctx.caller.kind },
    action,
    target,
    requestId: ctx.requestId,
  });
};

// ---------- enterprises ----------
export const listEnterprises = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  page: PageRequest,
): Promise<Page<Enterprise>> => {
  if (isPlatformAdmin(ctx.caller)) return deps.enterprises.list(page);
  const own = ctx.caller.enterpriseId ? await deps.enterprises.get(ctx.caller.enterpriseId) : null;
  return { items: own ? [own] : [], nextCursor: null };
};

export const createEnterprise = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  input: In<typeof c.CreateEnterprise>,
): Promise<Enterprise> => {
  requirePlatformAdmin(ctx.caller);
  const now = deps.clock.now();
  const enterprise: Enterprise = {
    id: newId(now),
    status: 'active',
    ...input,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.enterprises.create(enterprise);
  await audit(deps, ctx, enterprise.id, 'enterprise.created', { type: 'enterprise', id: enterprise.id });
  return enterprise;
};

export const getEnterprise = async (deps: TenancyDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const enterprise = await deps.enterprises.get(enterpriseId);
  if (!enterprise) throw notFound('Enterprise', enterpriseId);
  return enterprise;
};

export const updateEnterprise = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  patch: In<typeof c.UpdateEnterprise>,
): Promise<Enterprise> => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  if (patch.status !== undefined && !isPlatformAdmin(ctx.caller)) {
    throw forbidden('Only a platform admin can suspend or reactivate an enterprise');
  }
  // The discount is a commercial term between the platform and the enterprise, not self-service.
  if (patch.gatewayDiscount !== undefined && !isPlatformAdmin(ctx.caller)) {
    throw forbidden('Only a platform admin can set the gateway discount');
  }
  const updated = await deps.enterprises.update(enterpriseId, {
    ...patch,
    updatedAt: deps.clock.now().toISOString(),
  });
  await audit(deps, ctx, enterpriseId, 'enterprise.updated', { type: 'enterprise', id: enterpriseId });
  return updated;
};

/** The enterprise must exist before anything is created in it. */
const existingEnterprise = async (deps: TenancyDeps, enterpriseId: string): Promise<Enterprise> => {
  const enterprise = await deps.enterprises.get(enterpriseId);
  if (!enterprise) throw notFound('Enterprise', enterpriseId);
  return enterprise;
};

// ---------- groups ----------
const visibleGroup = async (deps: TenancyDeps, ctx: RequestContext, groupId: string): Promise<Group> => {
  const group = await deps.groups.get(groupId);
  if (!group) throw notFound('Group', groupId);
  requireVisible(ctx.caller, group.enterpriseId, 'Group', groupId);
  return group;
};

const callerMembership = async (deps: TenancyDeps, ctx: RequestContext, groupId: string) =>
  ctx.caller.kind === 'user' && ctx.caller.roles.includes('group-admin')
    ? ((await deps.members.get(groupId, ctx.caller.subject))?.role ?? null)
    : null;

/** The group, after checking the caller may manage it (enterprise admin or this group's admin). */
const managedGroup = async (deps: TenancyDeps, ctx: RequestContext, groupId: string): Promise<Group> => {
  const group = await visibleGroup(deps, ctx, groupId);
  requireGroupManager(ctx.caller, group.enterpriseId, await callerMembership(deps, ctx, groupId));
  return group;
};

export const listGroups = (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  query: In<typeof c.GroupFilters>,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return deps.groups.listByEnterprise(enterpriseId, { status: query.status }, query);
};

export const createGroup = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateGroup>,
): Promise<Group> => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  await existingEnterprise(deps, enterpriseId);
  const now = deps.clock.now();
  const group: Group = {
    id: newId(now),
    enterpriseId,
    ...input,
    memberCount: 0,
    status: 'active',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.groups.create(group);
  await audit(deps, ctx, enterpriseId, 'group.created', { type: 'group', id: group.id });
  return group;
};

export const getGroup = (deps: TenancyDeps, ctx: RequestContext, groupId: string) =>
  visibleGroup(deps, ctx, groupId);

export const updateGroup = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  patch: In<typeof c.UpdateGroup>,
): Promise<Group> => {
  const group = await managedGroup(deps, ctx, groupId);
  const updated = await deps.groups.update(groupId, { ...patch, updatedAt: deps.clock.now().toISOString() });
  await audit(deps, ctx, group.enterpriseId, 'group.updated', { type: 'group', id: groupId });
  return updated;
};

// ---------- users and members ----------
export const listUsers = (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  page: PageRequest,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return deps.users.listByEnterprise(enterpriseId, page);
};

export const createUser = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateUser>,
): Promise<User> => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  await existingEnterprise(deps, enterpriseId);
  const now = deps.clock.now();
  const user: User = {
    id: newId(now),
    enterpriseId,
    ...input,
    status: 'active',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.users.create(user);
  await audit(deps, ctx, enterpriseId, 'user.created', { type: 'user', id: user.id });
  return user;
};

export const listMembers = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  page: PageRequest,
) => {
  await visibleGroup(deps, ctx, groupId);
  return deps.members.listByGroup(groupId, page);
};

export const addMember = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  input: In<typeof c.AddGroupMember>,
): Promise<GroupMember> => {
  const group = await managedGroup(deps, ctx, groupId);
  const user = await deps.users.get(input.userId);
  if (!user || user.enterpriseId !== group.enterpriseId) {
    throw invalid('The user does not exist in this group\u2019s enterprise', { userId: input.userId });
  }
  const member: GroupMember = {
    groupId,
    userId: input.userId,
    enterpriseId: group.enterpriseId,
    role: input.role,
    joinedAt: deps.clock.now().toISOString(),
  };
  await deps.members.add(member);
  await audit(deps, ctx, group.enterpriseId, 'group.member.added', { type: 'user', id: input.userId });
  return member;
};

export const removeMember = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  userId: string,
) => {
  const group = await managedGroup(deps, ctx, groupId);
  await deps.members.remove(groupId, userId);
  await audit(deps, ctx, group.enterpriseId, 'group.member.removed', { type: 'user', id: userId });
  return {};
};

// ---------- API keys ----------
const expiry = (now: Date, days: number | null): string | null =>
  days === null ? null : new Date(now.getTime() + days * 86_400_000).toISOString();

const issueKey = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  fields: Pick<ApiKey, 'enterpriseId' | 'kind' | 'groupId' | 'userId' | 'role' | 'name' | 'quota'>,
  expiresInDays: number | null,
): Promise<ApiKey & { key: string }> => {
  const now = deps.clock.now();
  const minted = mintApiKey(fields.kind);
  const stored: StoredApiKey = {
    id: newId(now),
    ...fields,
    keyHash: minted.keyHash,
    prefix: minted.prefix,
    status: 'active',
    createdAt: now.toISOString(),
    expiresAt: expiry(now, expiresInDays),
    lastUsedAt: null,
    revokedAt: null,
  };
  await deps.apiKeys.create(stored);
  await audit(deps, ctx, fields.enterpriseId, `api-key.created`, { type: 'api-key', id: stored.id });
  const { keyHash: _hash, ...publicKey } = stored;
  return { ...publicKey, key: minted.key };
};

export const listGroupApiKeys = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  page: PageRequest,
) => {
  await visibleGroup(deps, ctx, groupId);
  return deps.apiKeys.listByOwner({ groupId }, page);
};

export const createGroupApiKey = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  input: In<typeof c.CreateGroupApiKey>,
) => {
  const group = await managedGroup(deps, ctx, groupId);
  if (group.status !== 'active') throw invalid('Keys can only be issued for active groups');
  if (input.userId && !(await deps.members.get(groupId, input.userId))) {
    throw invalid('A key can only belong to a member of the group', { userId: input.userId });
  }
  return issueKey(
    deps,
    ctx,
    {
      enterpriseId: group.enterpriseId,
      kind: 'group',
      groupId,
      userId: input.userId,
      role: null,
      name: input.name,
      quota: input.quota,
    },
    input.expiresInDays,
  );
};

export const listAdminApiKeys = (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  page: PageRequest,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  return deps.apiKeys.listByOwner({ enterpriseId }, page);
};

export const createAdminApiKey = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateAdminApiKey>,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  await existingEnterprise(deps, enterpriseId);
  return issueKey(
    deps,
    ctx,
    {
      enterpriseId,
      kind: 'admin',
      groupId: null,
      userId: null,
      role: input.role,
      name: input.name,
      quota: { dailyTokenLimit: null, monthlyBudget: null },
    },
    input.expiresInDays,
  );
};

export const revokeApiKey = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  keyId: string,
): Promise<ApiKey> => {
  const key = await deps.apiKeys.getById(keyId);
  if (!key) throw notFound('API key', keyId);
  requireVisible(ctx.caller, key.enterpriseId, 'API key', keyId);
  if (key.kind === 'group' && key.groupId) await managedGroup(deps, ctx, key.groupId);
  else requireEnterpriseAdmin(ctx.caller, key.enterpriseId);
  const revoked = await deps.apiKeys.deactivate(key, 'revoked', deps.clock.now().toISOString());
  await audit(deps, ctx, key.enterpriseId, 'api-key.revoked', { type: 'api-key', id: keyId });
  return revoked;
};

/** The scheduled sweep: every key past its expiry becomes `expired`. Returns how many. */
export const expireDueApiKeys = async (
  deps: Pick<TenancyDeps, 'apiKeys' | 'auditLog' | 'clock'>,
  batchSize = 100,
): Promise<number> => {
  const system: RequestContext = {
    caller: { subject: 'system:api-key-expiry', kind: 'admin-key', enterpriseId: null, roles: [] },
    requestId: 'scheduled',
  };
  let expired = 0;
  for (;;) {
    const now = deps.clock.now().toISOString();
    const due = await deps.apiKeys.dueForExpiry(now, batchSize);
    for (const key of due) {
      await deps.apiKeys.deactivate(key, 'expired', now);
      await audit(deps, system, key.enterpriseId, 'api-key.expired', { type: 'api-key', id: key.id });
      expired += 1;
    }
    if (due.length < batchSize) return expired;
  }
};

// ---------- AI accounts ----------
/** The AI account if the caller may see it: another tenant's account is NOT_FOUND, not FORBIDDEN. */
export const visibleAccount = async (
  deps: Pick<TenancyDeps, 'aiAccounts'>,
  ctx: RequestContext,
  accountId: string,
): Promise<AiAccount> => {
  const account = await deps.aiAccounts.get(accountId);
  if (!account) throw notFound('AI account', accountId);
  requireVisible(ctx.caller, account.enterpriseId, 'AI account', accountId);
  return account;
};

// Listing and reading accounts returns them with their usage statistics: see account-stats.ts.

export const createAiAccount = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateAiAccount>,
): Promise<AiAccount> => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  await existingEnterprise(deps, enterpriseId);
  const now = deps.clock.now();
  const { apiKey, ...fields } = input;
  const id = newId(now);
  const ref = await deps.secrets.put(`ai-accounts/${id}`, apiKey);
  const account: AiAccount = {
    id,
    enterpriseId,
    ...fields,
    isEnabled: true,
    status: 'active',
    currentLoad: 0,
    credential: { ref, hint: credentialHint(apiKey) },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  try {
    await deps.aiAccounts.create(account);
  } catch (err) {
    // Nothing may outlive a rejected create: the stored credential goes too.
    await deps.secrets.delete(ref);
    throw err;
  }
  await audit(deps, ctx, enterpriseId, 'ai-account.created', { type: 'ai-account', id });
  return account;
};

export const updateAiAccount = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  accountId: string,
  input: In<typeof c.UpdateAiAccount>,
): Promise<AiAccount> => {
  const account = await visibleAccount(deps, ctx, accountId);
  requireEnterpriseAdmin(ctx.caller, account.enterpriseId);
  const { apiKey, ...patch } = input;
  if (apiKey !== undefined) await deps.secrets.replace(account.credential.ref, apiKey);
  const updated = await deps.aiAccounts.update(accountId, {
    ...patch,
    ...(apiKey === undefined
      ? {}
      : { credential: { ref: account.credential.ref, hint: credentialHint(apiKey) } }),
    updatedAt: deps.clock.now().toISOString(),
  });
  await audit(
    deps,
    ctx,
    account.enterpriseId,
    apiKey ? 'ai-account.credential-rotated' : 'ai-account.updated',
    {
      type: 'ai-account',
      id: accountId,
    },
  );
  return updated;
};

export const setAccountsEnabled = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.BulkAccountStatus>,
) => {
  requireEnterpriseAdmin(ctx.caller, enterpriseId);
  await deps.aiAccounts.setEnabled(
    enterpriseId,
    input.accountIds,
    input.isEnabled,
    deps.clock.now().toISOString(),
  );
  const ids = [...new Set(input.accountIds)];
  await audit(
    deps,
    ctx,
    enterpriseId,
    input.isEnabled ? 'ai-account.bulk-enabled' : 'ai-account.bulk-disabled',
    {
      type: 'ai-account',
      id: ids.join(','),
    },
  );
  return { updated: ids.length };
};

// ---------- bindings ----------

export const putGroupBinding = async (
  deps: TenancyDeps,
  ctx: RequestContext,
  groupId: string,
  input: In<typeof c.PutGroupBinding>,
): Promise<GroupBinding> => {
  const group = await visibleGroup(deps, ctx, groupId);
  requireEnterpriseAdmin(ctx.caller, group.enterpriseId);
  const accounts = await deps.aiAccounts.getMany(namedAccountIds(input.bindingConfig));
  const exclusive = validateBinding(group.enterpriseId, input.bindingConfig, accounts);
  const now = deps.clock.now().toISOString();
  const binding: GroupBinding = {
    groupId,
    enterpriseId: group.enterpriseId,
    ...input,
    createdAt: now,
    updatedAt: now,
  };
  await deps.bindings.put(binding, exclusive);
  await audit(deps, ctx, group.enterpriseId, 'group.binding.updated', { type: 'group', id: groupId });
  return (await deps.bindings.get(groupId)) ?? binding;
};

// ---------- audit ----------
export const listAuditEvents = (
  deps: TenancyDeps,
  ctx: RequestContext,
  enterpriseId: string,
  page: PageRequest,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return deps.auditEvents.list(enterpriseId, page);
};
