/**
 * DynamoDB (ElectroDB) implementations of the tenancy repositories. Multi-item changes are single
 * transactions with conditions, so a rejected write leaves nothing behind.
 */
import { DomainError, conflict, notFound } from '../../domain/errors';
import type {
  AiAccount,
  AiAccountRepository,
  ApiKey,
  ApiKeyRepository,
  AuditEvent,
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
} from '../../ports/tenancy';
import type { EntityItem } from 'electrodb';
import type { TollgateService } from './entities';
import { assertCommitted, paged } from './electro';
import { isConditionFailure } from './errors';

type Item<K extends keyof TollgateService['entities']> = EntityItem<TollgateService['entities'][K]>;

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

// ---------- enterprises ----------
type EnterpriseItem = { enterpriseId: string } & Omit<Enterprise, 'id' | 'settings' | 'gatewayDiscount'> & {
    settings?: unknown;
    gatewayDiscount?: string | undefined;
  };
const toEnterprise = ({ enterpriseId, settings, gatewayDiscount, ...rest }: EnterpriseItem): Enterprise => ({
  id: enterpriseId,
  settings: (settings ?? {}) as Record<string, unknown>,
  // Enterprises created before the discount existed have none.
  gatewayDiscount: gatewayDiscount ?? '0',
  ...rest,
});

export class DynamoEnterpriseRepository implements EnterpriseRepository {
  constructor(private readonly db: TollgateService) {}

  async create({ id, ...rest }: Enterprise): Promise<void> {
    await this.db.entities.enterprise.create({ enterpriseId: id, ...rest }).go();
  }

  async get(enterpriseId: string): Promise<Enterprise | null> {
    const { data } = await this.db.entities.enterprise.get({ enterpriseId }).go();
    return data ? toEnterprise(data) : null;
  }

  list(page: PageRequest): Promise<Page<Enterprise>> {
    return paged(page, (o) => this.db.entities.enterprise.query.all({}).go(o), toEnterprise);
  }

  async update(
    enterpriseId: string,
    patch: Partial<Omit<Enterprise, 'id' | 'createdAt'>>,
  ): Promise<Enterprise> {
    try {
      const { data } = await this.db.entities.enterprise
        .patch({ enterpriseId })
        .set(patch)
        .go({ response: 'all_new' });
      return toEnterprise(data as EnterpriseItem);
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('Enterprise', enterpriseId);
      throw err;
    }
  }
}

// ---------- groups ----------
type GroupItem = { groupId: string; description?: string | undefined } & Omit<Group, 'id' | 'description'>;
const toGroup = ({ groupId, description, ...rest }: GroupItem): Group => ({
  id: groupId,
  description: orNull(description),
  ...rest,
});

export class DynamoGroupRepository implements GroupRepository {
  constructor(private readonly db: TollgateService) {}

  async create({ id, description, ...rest }: Group): Promise<void> {
    await this.db.entities.group.create({ groupId: id, description: orUndefined(description), ...rest }).go();
  }

  async get(groupId: string): Promise<Group | null> {
    const { data } = await this.db.entities.group.get({ groupId }).go();
    return data ? toGroup(data) : null;
  }

  listByEnterprise(
    enterpriseId: string,
    filter: { status?: Group['status'] | undefined },
    page: PageRequest,
  ) {
    const query = this.db.entities.group.query.byEnterprise({ enterpriseId });
    const { status } = filter;
    return paged(
      page,
      (o) => (status ? query.where(({ status: s }, { eq }) => eq(s, status)).go(o) : query.go(o)),
      toGroup,
    );
  }

  async update(
    groupId: string,
    patch: Partial<Omit<Group, 'id' | 'enterpriseId' | 'createdAt' | 'memberCount'>>,
  ) {
    const { description, ...rest } = patch;
    try {
      let op = this.db.entities.group.patch({ groupId }).set(rest);
      if (description === null) op = op.remove(['description']);
      else if (description !== undefined) op = op.set({ description });
      // maxMembers may not drop below the current member count.
      if (rest.maxMembers !== undefined) {
        const max = rest.maxMembers;
        op = op.where(({ memberCount }, { lte }) => lte(memberCount, max));
      }
      const { data } = await op.go({ response: 'all_new' });
      return toGroup(data as GroupItem);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      if (rest.maxMembers !== undefined && (await this.get(groupId))) {
        throw conflict('maxMembers is below the current number of members');
      }
      throw notFound('Group', groupId);
    }
  }
}

// ---------- users ----------
type UserItem = { userId: string } & Omit<User, 'id'>;
const toUser = ({ userId, ...rest }: UserItem): User => ({ id: userId, ...rest });

export class DynamoUserRepository implements UserRepository {
  constructor(private readonly db: TollgateService) {}

  async create({ id, ...rest }: User): Promise<void> {
    const result = await this.db.transaction
      .write(({ user, uniqueGuard }) => [
        uniqueGuard.create({ scope: `EMAIL#${rest.enterpriseId}`, value: rest.email, ownerId: id }).commit(),
        user.create({ userId: id, ...rest }).commit(),
      ])
      .go();
    assertCommitted(result, () => conflict(`A user with e-mail ${rest.email} already exists`));
  }

  async get(userId: string): Promise<User | null> {
    const { data } = await this.db.entities.user.get({ userId }).go();
    return data ? toUser(data) : null;
  }

  listByEnterprise(enterpriseId: string, page: PageRequest) {
    return paged(page, (o) => this.db.entities.user.query.byEnterprise({ enterpriseId }).go(o), toUser);
  }
}

// ---------- members ----------
export class DynamoMemberRepository implements MemberRepository {
  constructor(private readonly db: TollgateService) {}

  async add(member: GroupMember): Promise<void> {
    const { data: group } = await this.db.entities.group.get({ groupId: member.groupId }).go();
    if (!group) throw notFound('Group', member.groupId);
    const { memberCount, maxMembers } = group;
    if (memberCount >= maxMembers) throw conflict(`The group is full (${maxMembers} members)`);
    const result = await this.db.transaction
      .write(({ groupMember, group: g }) => [
        groupMember.create(member).commit(),
        // Guard on what was read: a concurrent add or a lowered maxMembers cancels this one.
        g
          .patch({ groupId: member.groupId })
          .add({ memberCount: 1 })
          .where((a, { eq }) => `${eq(a.memberCount, memberCount)} AND ${eq(a.maxMembers, maxMembers)}`)
          .commit(),
      ])
      .go();
    assertCommitted(result, (index) =>
      index === 0
        ? conflict('The user is already a member of this group')
        : conflict('The group changed while adding the member; try again'),
    );
  }

  async remove(groupId: string, userId: string): Promise<void> {
    const result = await this.db.transaction
      .write(({ groupMember, group }) => [
        groupMember
          .delete({ groupId, userId })
          .where((a, { exists }) => exists(a.userId))
          .commit(),
        group.patch({ groupId }).subtract({ memberCount: 1 }).commit(),
      ])
      .go();
    assertCommitted(result, () => notFound('Member', userId));
  }

  async get(groupId: string, userId: string): Promise<GroupMember | null> {
    const { data } = await this.db.entities.groupMember.get({ groupId, userId }).go();
    return data ?? null;
  }

  listByGroup(groupId: string, page: PageRequest) {
    return paged(
      page,
      (o) => this.db.entities.groupMember.query.byGroup({ groupId }).go(o),
      (m) => m,
    );
  }
}

// ---------- API keys ----------
type ApiKeyItem = Item<'apiKey'>;
const toStoredApiKey = (item: ApiKeyItem): StoredApiKey => ({
  id: item.keyId,
  keyHash: item.keyHash,
  enterpriseId: item.enterpriseId,
  kind: item.kind,
  groupId: orNull(item.groupId),
  userId: orNull(item.userId),
  role: orNull(item.role),
  name: item.name,
  prefix: item.prefix,
  status: item.status,
  createdAt: item.createdAt,
  expiresAt: orNull(item.expiresAt),
  lastUsedAt: orNull(item.lastUsedAt),
  revokedAt: orNull(item.revokedAt),
  quota: {
    dailyTokenLimit: orNull(item.quotaDailyTokenLimit),
    monthlyBudget: orNull(item.quotaMonthlyBudget),
  },
});
const withoutHash = ({ keyHash: _hash, ...key }: StoredApiKey): ApiKey => key;
const ownerOf = (o: { groupId: string } | { enterpriseId: string }): string =>
  'groupId' in o ? `GROUP#${o.groupId}` : `ENT#${o.enterpriseId}`;

export class DynamoApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: TollgateService) {}

  async create(key: StoredApiKey): Promise<void> {
    const owner =
      key.kind === 'group' && key.groupId
        ? ownerOf({ groupId: key.groupId })
        : ownerOf({ enterpriseId: key.enterpriseId });
    const item = {
      keyHash: key.keyHash,
      keyId: key.id,
      owner,
      enterpriseId: key.enterpriseId,
      kind: key.kind,
      groupId: orUndefined(key.groupId),
      userId: orUndefined(key.userId),
      role: orUndefined(key.role),
      name: key.name,
      prefix: key.prefix,
      status: key.status,
      createdAt: key.createdAt,
      expiresAt: orUndefined(key.expiresAt),
      quotaDailyTokenLimit: orUndefined(key.quota.dailyTokenLimit),
      quotaMonthlyBudget: orUndefined(key.quota.monthlyBudget),
    };
    const { expiresAt } = key;
    const result = await this.db.transaction
      .write(({ apiKey, apiKeyExpiry }) => [
        apiKey.create(item).commit(),
        ...(expiresAt
          ? [
              apiKeyExpiry
                .create({ expiresAt, keyId: key.id, keyHash: key.keyHash, enterpriseId: key.enterpriseId })
                .commit(),
            ]
          : []),
      ])
      .go();
    assertCommitted(result, () => conflict('API key collision; try again'));
  }

  async getByHash(keyHash: string): Promise<StoredApiKey | null> {
    const { data } = await this.db.entities.apiKey.get({ keyHash }).go();
    return data ? toStoredApiKey(data as ApiKeyItem) : null;
  }

  async getById(keyId: string): Promise<StoredApiKey | null> {
    const { data } = await this.db.entities.apiKey.query.byKeyId({ keyId }).go({ count: 1 });
    const item = data[0];
    return item ? toStoredApiKey(item as ApiKeyItem) : null;
  }

  listByOwner(owner: { groupId: string } | { enterpriseId: string }, page: PageRequest) {
    return paged(
      page,
      (o) => this.db.entities.apiKey.query.byOwner({ owner: ownerOf(owner) }).go(o),
      (item) => withoutHash(toStoredApiKey(item as ApiKeyItem)),
    );
  }

  async deactivate(key: StoredApiKey, status: 'revoked' | 'expired', at: string): Promise<ApiKey> {
    const { expiresAt } = key;
    const result = await this.db.transaction
      .write(({ apiKey, apiKeyExpiry }) => [
        apiKey
          .patch({ keyHash: key.keyHash })
          .set(status === 'revoked' ? { status, revokedAt: at } : { status })
          .where((a, { eq }) => eq(a.status, 'active'))
          .commit(),
        ...(expiresAt ? [apiKeyExpiry.delete({ expiresAt, keyId: key.id }).commit()] : []),
      ])
      .go();
    assertCommitted(result, () => notFound('Active API key', key.id));
    return withoutHash({ ...key, status, revokedAt: status === 'revoked' ? at : key.revokedAt });
  }

  async dueForExpiry(now: string, limit: number): Promise<StoredApiKey[]> {
    const { data } = await this.db.entities.apiKeyExpiry.query
      .byExpiry({})
      .lte({ expiresAt: now })
      .go({ count: limit });
    const keys = await Promise.all(data.map((d) => this.getByHash(d.keyHash)));
    return keys.filter((k): k is StoredApiKey => k !== null && k.status === 'active');
  }

  async touchLastUsed(keyHash: string, at: string): Promise<void> {
    await this.db.entities.apiKey.patch({ keyHash }).set({ lastUsedAt: at }).go({ response: 'none' });
  }
}

// ---------- AI accounts ----------
type AiAccountItem = Item<'aiAccount'>;
const toAiAccount = (item: AiAccountItem): AiAccount => ({
  id: item.accountId,
  enterpriseId: item.enterpriseId,
  name: item.name,
  serviceType: item.serviceType as AiAccount['serviceType'],
  accountType: item.accountType,
  providerAccountId: item.providerAccountId,
  endpoint: orNull(item.endpoint),
  isEnabled: item.isEnabled,
  status: item.status,
  currentLoad: item.currentLoad,
  supportedModels: item.supportedModels,
  currentModel: orNull(item.currentModel),
  dailyLimit: item.dailyLimit,
  costPerToken: item.costPerToken,
  currency: item.currency,
  // Accounts created before pricing was configurable have neither attribute.
  prices: item.prices ?? [],
  fixedPerCall: orNull(item.fixedPerCall),
  weight: item.weight,
  credential: { ref: item.credentialRef, hint: item.credentialHint },
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
});

export class DynamoAiAccountRepository implements AiAccountRepository {
  constructor(private readonly db: TollgateService) {}

  async create(account: AiAccount): Promise<void> {
    const { id, credential, endpoint, currentModel, fixedPerCall, ...rest } = account;
    const result = await this.db.transaction
      .write(({ aiAccount, uniqueGuard }) => [
        uniqueGuard
          .create({
            scope: `AIACCT#${account.enterpriseId}`,
            value: `${account.serviceType}#${account.providerAccountId}`,
            ownerId: id,
          })
          .commit(),
        aiAccount
          .create({
            accountId: id,
            ...rest,
            endpoint: orUndefined(endpoint),
            currentModel: orUndefined(currentModel),
            fixedPerCall: orUndefined(fixedPerCall),
            credentialRef: credential.ref,
            credentialHint: credential.hint,
          })
          .commit(),
      ])
      .go();
    assertCommitted(result, () =>
      conflict(
        `A ${account.serviceType} account with providerAccountId ${account.providerAccountId} already exists`,
      ),
    );
  }

  async get(accountId: string): Promise<AiAccount | null> {
    const { data } = await this.db.entities.aiAccount.get({ accountId }).go();
    return data ? toAiAccount(data as AiAccountItem) : null;
  }

  async getMany(accountIds: readonly string[]): Promise<AiAccount[]> {
    if (accountIds.length === 0) return [];
    const { data } = await this.db.entities.aiAccount
      .get(accountIds.map((accountId) => ({ accountId })))
      .go();
    return data.map((d) => toAiAccount(d as AiAccountItem));
  }

  list(
    enterpriseId: string,
    filter: {
      serviceType?: string | undefined;
      accountType?: string | undefined;
      status?: string | undefined;
    },
    page: PageRequest,
  ) {
    const { serviceType, accountType, status } = filter;
    const base = this.db.entities.aiAccount.query.byEnterprise(
      serviceType ? { enterpriseId, serviceType } : { enterpriseId },
    );
    const query =
      accountType || status
        ? base.where((a, { eq }) =>
            [accountType && eq(a.accountType, accountType), status && eq(a.status, status)]
              .filter(Boolean)
              .join(' AND '),
          )
        : base;
    return paged(
      page,
      (o) => query.go(o),
      (d) => toAiAccount(d as AiAccountItem),
    );
  }

  async update(
    accountId: string,
    patch: Partial<
      Omit<AiAccount, 'id' | 'enterpriseId' | 'serviceType' | 'providerAccountId' | 'createdAt'>
    >,
  ): Promise<AiAccount> {
    const { credential, endpoint, currentModel, fixedPerCall, ...rest } = patch;
    try {
      let op = this.db.entities.aiAccount.patch({ accountId }).set({
        ...rest,
        ...(credential ? { credentialRef: credential.ref, credentialHint: credential.hint } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(currentModel ? { currentModel } : {}),
        ...(fixedPerCall ? { fixedPerCall } : {}),
      });
      const cleared = [
        endpoint === null && 'endpoint',
        currentModel === null && 'currentModel',
        fixedPerCall === null && 'fixedPerCall',
      ].filter((f): f is 'endpoint' | 'currentModel' | 'fixedPerCall' => Boolean(f));
      if (cleared.length > 0) op = op.remove(cleared);
      const { data } = await op.go({ response: 'all_new' });
      return toAiAccount(data as AiAccountItem);
    } catch (err) {
      if (isConditionFailure(err)) throw notFound('AI account', accountId);
      throw err;
    }
  }

  async pool(
    enterpriseId: string,
    serviceType: string,
    accountType: AiAccount['accountType'],
  ): Promise<AiAccount[]> {
    const { data } = await this.db.entities.aiAccount.query
      .byPool({ enterpriseId, serviceType, accountType })
      .go({ pages: 'all' });
    return data.map((d) => toAiAccount(d as AiAccountItem));
  }

  async setEnabled(enterpriseId: string, accountIds: readonly string[], isEnabled: boolean, at: string) {
    const ids = [...new Set(accountIds)];
    const result = await this.db.transaction
      .write(({ aiAccount }) =>
        ids.map((accountId) =>
          aiAccount
            .patch({ accountId })
            .set({ isEnabled, updatedAt: at })
            .where((a, { eq }) => eq(a.enterpriseId, enterpriseId))
            .commit(),
        ),
      )
      .go();
    assertCommitted(
      result,
      (index) =>
        new DomainError('NOT_FOUND', `AI account ${ids[index]} was not found`, {
          accountId: ids[index],
        }),
    );
  }
}

// ---------- bindings ----------
type BindingItem = Item<'groupBinding'>;
const toBinding = (item: BindingItem): GroupBinding => ({
  groupId: item.groupId,
  enterpriseId: item.enterpriseId,
  bindingMode: item.bindingMode,
  bindingConfig: item.bindingConfig as GroupBinding['bindingConfig'],
  loadBalancing: item.loadBalancing,
  quotaConfig: item.quotaConfig as GroupBinding['quotaConfig'],
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
});
const DEDICATED = 'DEDICATED';

export class DynamoBindingRepository implements BindingRepository {
  constructor(private readonly db: TollgateService) {}

  private async current(groupId: string): Promise<BindingItem | null> {
    const { data } = await this.db.entities.groupBinding.get({ groupId }).go();
    return (data as BindingItem | null) ?? null;
  }

  async get(groupId: string): Promise<GroupBinding | null> {
    const item = await this.current(groupId);
    return item ? toBinding(item) : null;
  }

  async getMany(groupIds: readonly string[]): Promise<GroupBinding[]> {
    const found: GroupBinding[] = [];
    let keys = [...new Set(groupIds)].map((groupId) => ({ groupId }));
    // BatchGetItem may return part of a batch as unprocessed (throttling, 16 MB): ask again for those.
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('Could not read every binding: DynamoDB kept keys unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const { data, unprocessed } = await this.db.entities.groupBinding.get(keys).go();
      found.push(...data.map((d) => toBinding(d as BindingItem)));
      keys = unprocessed.map(({ groupId }) => ({ groupId }));
    }
    return found;
  }

  async put(binding: GroupBinding, exclusiveAccountIds: readonly string[]): Promise<void> {
    const previous = await this.current(binding.groupId);
    const held = new Set(previous?.exclusiveAccountIds ?? []);
    const wanted = new Set(exclusiveAccountIds);
    const acquire = [...wanted].filter((id) => !held.has(id));
    const release = [...held].filter((id) => !wanted.has(id));
    const item = {
      ...binding,
      exclusiveAccountIds: [...wanted],
      createdAt: previous?.createdAt ?? binding.createdAt,
    };
    const result = await this.db.transaction
      .write(({ groupBinding, uniqueGuard }) => [
        // Optimistic lock: a concurrent PUT on the same group cancels this one instead of leaking holds.
        previous
          ? groupBinding
              .put(item)
              .where((a, { eq }) => eq(a.updatedAt, previous.updatedAt))
              .commit()
          : groupBinding.create(item).commit(),
        ...acquire.map((accountId) =>
          uniqueGuard.create({ scope: DEDICATED, value: accountId, ownerId: binding.groupId }).commit(),
        ),
        ...release.map((accountId) =>
          uniqueGuard
            .delete({ scope: DEDICATED, value: accountId })
            .where((a, { eq }) => eq(a.ownerId, binding.groupId))
            .commit(),
        ),
      ])
      .go();
    assertCommitted(result, (index) =>
      index === 0
        ? conflict('The binding changed while saving; try again')
        : conflict('A dedicated account is already bound to another group', {
            accountId: acquire[index - 1] ?? release[index - 1 - acquire.length],
          }),
    );
  }
}

// ---------- audit ----------
type AuditItem = Item<'auditEvent'>;
const toAuditEvent = (item: AuditItem): AuditEvent => ({
  id: item.eventId,
  enterpriseId: item.enterpriseId,
  at: item.at,
  actor: item.actor as AuditEvent['actor'],
  action: item.action,
  target: item.target as AuditEvent['target'],
  requestId: orNull(item.requestId),
});

export class DynamoAuditRepository implements AuditRepository {
  constructor(private readonly db: TollgateService) {}

  async record(event: AuditEvent): Promise<'recorded' | 'duplicate'> {
    const { id, requestId, ...rest } = event;
    try {
      await this.db.entities.auditEvent
        .create({ eventId: id, requestId: orUndefined(requestId), ...rest })
        .go();
      return 'recorded';
    } catch (err) {
      if (isConditionFailure(err)) return 'duplicate';
      throw err;
    }
  }

  list(enterpriseId: string, page: PageRequest) {
    return paged(
      page,
      (o) => this.db.entities.auditEvent.query.byEnterprise({ enterpriseId }).go({ ...o, order: 'desc' }),
      (d) => toAuditEvent(d as AuditItem),
    );
  }
}
