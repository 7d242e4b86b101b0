import type { z } from 'zod';
import type * as c from '../contracts/tenancy';

export type Enterprise = z.infer<typeof c.Enterprise>;
export type Group = z.infer<typeof c.Group>;
export type User = z.infer<typeof c.User>;
export type GroupMember = z.infer<typeof c.GroupMember>;
export type ApiKey = z.infer<typeof c.ApiKey>;
export type AiAccount = z.infer<typeof c.AiAccount>;
export type GroupBinding = z.infer<typeof c.GroupBinding>;
export type AuditEvent = z.infer<typeof c.AuditEvent>;

/** An API key as stored: the public record plus the SHA-256 hash it is looked up by. */
export type StoredApiKey = ApiKey & { keyHash: string };

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Repositories throw DomainError NOT_FOUND / CONFLICT; they never return half-written state. */
export interface EnterpriseRepository {
  create(enterprise: Enterprise): Promise<void>;
  get(enterpriseId: string): Promise<Enterprise | null>;
  list(page: PageRequest): Promise<Page<Enterprise>>;
  update(enterpriseId: string, patch: Partial<Omit<Enterprise, 'id' | 'createdAt'>>): Promise<Enterprise>;
}

export interface GroupRepository {
  create(group: Group): Promise<void>;
  get(groupId: string): Promise<Group | null>;
  listByEnterprise(
    enterpriseId: string,
    filter: { status?: Group['status'] | undefined },
    page: PageRequest,
  ): Promise<Page<Group>>;
  update(
    groupId: string,
    patch: Partial<Omit<Group, 'id' | 'enterpriseId' | 'createdAt' | 'memberCount'>>,
  ): Promise<Group>;
}

export interface UserRepository {
  /** CONFLICT when the e-mail is already used in the enterprise. */
  create(user: User): Promise<void>;
  get(userId: string): Promise<User | null>;
  listByEnterprise(enterpriseId: string, page: PageRequest): Promise<Page<User>>;
}

export interface MemberRepository {
  /** CONFLICT when already a member or when the group is full (memberCount would pass maxMembers). */
  add(member: GroupMember): Promise<void>;
  remove(groupId: string, userId: string): Promise<void>;
  get(groupId: string, userId: string): Promise<GroupMember | null>;
  listByGroup(groupId: string, page: PageRequest): Promise<Page<GroupMember>>;
}

export interface ApiKeyRepository {
  create(key: StoredApiKey): Promise<void>;
  getByHash(keyHash: string): Promise<StoredApiKey | null>;
  getById(keyId: string): Promise<StoredApiKey | null>;
  listByOwner(
    owner: { groupId: string } | { enterpriseId: string },
    page: PageRequest,
  ): Promise<Page<ApiKey>>;
  /** Moves an active key to `revoked` or `expired`; NOT_FOUND if it is not active any more. */
  deactivate(key: StoredApiKey, status: 'revoked' | 'expired', at: string): Promise<ApiKey>;
  /** Active keys whose expiry is at or before `now`, oldest first. */
  dueForExpiry(now: string, limit: number): Promise<StoredApiKey[]>;
  touchLastUsed(keyHash: string, at: string): Promise<void>;
}

export interface AiAccountRepository {
  /** CONFLICT when serviceType + providerAccountId is already registered in the enterprise. */
  create(account: AiAccount): Promise<void>;
  get(accountId: string): Promise<AiAccount | null>;
  getMany(accountIds: readonly string[]): Promise<AiAccount[]>;
  list(
    enterpriseId: string,
    filter: {
      serviceType?: string | undefined;
      accountType?: string | undefined;
      status?: string | undefined;
    },
    page: PageRequest,
  ): Promise<Page<AiAccount>>;
  update(
    accountId: string,
    patch: Partial<
      Omit<AiAccount, 'id' | 'enterpriseId' | 'serviceType' | 'providerAccountId' | 'createdAt'>
    >,
  ): Promise<AiAccount>;
  /** The enterprise's accounts of one serviceType and accountType: the gateway's shared pools. */
  pool(
    enterpriseId: string,
    serviceType: string,
    accountType: AiAccount['accountType'],
  ): Promise<AiAccount[]>;
  /** All or nothing: NOT_FOUND (and nothing changed) if any id is missing or of another enterprise. */
  setEnabled(
    enterpriseId: string,
    accountIds: readonly string[],
    isEnabled: boolean,
    at: string,
  ): Promise<void>;
}

export interface BindingRepository {
  get(groupId: string): Promise<GroupBinding | null>;
  /** The bindings of those groups that have one (batched reads; order not guaranteed). */
  getMany(groupIds: readonly string[]): Promise<GroupBinding[]>;
  /**
   * Replaces the group's binding and moves the exclusive holds on dedicated accounts in the same
   * transaction; CONFLICT (nothing written) if another group already holds one of them.
   */
  put(binding: GroupBinding, exclusiveAccountIds: readonly string[]): Promise<void>;
}

export interface AuditRepository {
  /** Idempotent: recording the same event id twice keeps one item. */
  record(event: AuditEvent): Promise<'recorded' | 'duplicate'>;
  list(enterpriseId: string, page: PageRequest): Promise<Page<AuditEvent>>;
}

/** Publishes audit events for asynchronous, durable recording (SQS in AWS and locally). */
export interface AuditLog {
  publish(event: AuditEvent): Promise<void>;
}
