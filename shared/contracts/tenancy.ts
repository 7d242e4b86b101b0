import * as z from 'zod';
import {
  CurrencyCode,
  EmptyObject,
  Id,
  NonNegativeDecimalString,
  PageQuery,
  Timestamp,
  page,
} from './common';
import { defineRoute } from './route';

// ---------- vocabularies ----------
export const roles = ['platform-admin', 'enterprise-admin', 'group-admin', 'finance', 'viewer'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;
/** Roles a user or admin key can hold inside one enterprise (platform-admin is above enterprises). */
export const EnterpriseRole = z.enum(['enterprise-admin', 'group-admin', 'finance', 'viewer']);

export const serviceTypes = [
  'claude',
  'gemini',
  'openai',
  'azure-openai',
  'qwen',
  'deepseek',
  'moonshot',
  'groq',
  'openrouter',
  'bedrock',
  'vllm',
  'ollama',
  'other',
] as const;
export const ServiceType = z.enum(serviceTypes);
export const AccountType = z.enum(['dedicated', 'shared']);
export const LoadBalancing = z.enum(['round-robin', 'least-load', 'weighted']);
export const PriorityLevel = z.enum(['high', 'medium', 'low']);
export const BindingMode = z.enum(['dedicated', 'shared', 'hybrid']);

// ---------- enterprises ----------
/**
 * The enterprise discount on gateway cost: a decimal fraction in [0, 1) ("0.15" takes 15 % off
 * every call). 1 or more would make calls free or negative, so it is refused.
 */
export const GatewayDiscount = NonNegativeDecimalString.refine(
  (v) => /^0+(\.\d+)?$/.test(v),
  'must be a fraction below 1, such as "0.15"',
);
export const Enterprise = z.object({
  id: Id,
  name: z.string(),
  planType: z.enum(['basic', 'pro', 'enterprise']),
  status: z.enum(['active', 'suspended']),
  settings: z.record(z.string(), z.unknown()),
  /** Taken off the gateway cost of every call of this enterprise; set by a platform admin only. */
  gatewayDiscount: GatewayDiscount,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateEnterprise = z.strictObject({
  name: z.string().trim().min(1).max(200),
  planType: Enterprise.shape.planType.default('basic'),
  settings: z.record(z.string(), z.unknown()).default({}),
  gatewayDiscount: GatewayDiscount.default('0'),
});
export const UpdateEnterprise = z
  .strictObject({
    name: CreateEnterprise.shape.name,
    planType: Enterprise.shape.planType,
    status: Enterprise.shape.status,
    settings: z.record(z.string(), z.unknown()),
    /** Platform admin only, like `status`. */
    gatewayDiscount: GatewayDiscount,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');

// ---------- groups ----------
export const Group = z.object({
  id: Id,
  enterpriseId: Id,
  name: z.string(),
  description: z.string().nullable(),
  maxMembers: z.number().int(),
  memberCount: z.number().int(),
  status: z.enum(['active', 'inactive']),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateGroup = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().default(null),
  maxMembers: z.number().int().min(1).max(10_000).default(5),
});
export const UpdateGroup = z
  .strictObject({
    name: CreateGroup.shape.name,
    description: z.string().max(2000).nullable(),
    maxMembers: CreateGroup.shape.maxMembers.unwrap(),
    status: Group.shape.status,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export const GroupFilters = PageQuery.extend({ status: Group.shape.status.optional() });

// ---------- users and members ----------
export const User = z.object({
  id: Id,
  enterpriseId: Id,
  email: z.string(),
  name: z.string(),
  role: EnterpriseRole,
  status: z.enum(['active', 'disabled']),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateUser = z.strictObject({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(200),
  role: EnterpriseRole.default('viewer'),
});
export const GroupMember = z.object({
  groupId: Id,
  userId: Id,
  enterpriseId: Id,
  role: z.enum(['owner', 'admin', 'member']),
  joinedAt: Timestamp,
});
export const AddGroupMember = z.strictObject({
  userId: Id,
  role: GroupMember.shape.role.default('member'),
});

// ---------- API keys ----------
export const ApiKey = z.object({
  id: Id,
  enterpriseId: Id,
  kind: z.enum(['group', 'admin']),
  groupId: Id.nullable(),
  userId: Id.nullable(),
  role: EnterpriseRole.nullable(),
  name: z.string(),
  /** The first characters of the key, enough to recognise it; the rest is never stored. */
  prefix: z.string(),
  status: z.enum(['active', 'revoked', 'expired']),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  /**
   * Optional limits of this key within its group's (both apply): tokens a day and a monthly budget
   * in the group's budget currency. null: only the group's limits.
   */
  quota: z.object({
    dailyTokenLimit: z.number().int().nullable(),
    monthlyBudget: NonNegativeDecimalString.nullable(),
  }),
});
/** Returned once, at creation: the only time the secret key is shown. */
export const CreatedApiKey = ApiKey.extend({ key: z.string() });
export const CreateGroupApiKey = z.strictObject({
  name: z.string().trim().min(1).max(200),
  userId: Id.nullable().default(null),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
  quota: z
    .strictObject({
      dailyTokenLimit: z.number().int().min(1).nullable().default(null),
      monthlyBudget: NonNegativeDecimalString.nullable().default(null),
    })
    .default({ dailyTokenLimit: null, monthlyBudget: null }),
});
export const CreateAdminApiKey = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: EnterpriseRole,
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
});

// ---------- AI accounts ----------
/**
 * One negotiated price of an account, per 1M tokens in the account's currency; it overrides the
 * shipped price table for the models it matches (exactly or as a prefix) from `effectiveFrom` on.
 */
export const AccountModelPrice = z.strictObject({
  model: z.string().trim().min(1).max(200),
  inputPerMillion: NonNegativeDecimalString,
  outputPerMillion: NonNegativeDecimalString,
  /** Prompt tokens served from the provider's cache. */
  cachedInputPerMillion: NonNegativeDecimalString,
  effectiveFrom: z.iso.date(),
});
/** At most 200 rows, and one row per (model, effectiveFrom): two would make the price ambiguous. */
export const AccountModelPrices = z
  .array(AccountModelPrice)
  .max(200)
  .superRefine((rows, ctx) => {
    const seen = new Set<string>();
    rows.forEach((row, index) => {
      const key = `${row.model}\u0000${row.effectiveFrom}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          message: `${row.model} already has a price effective from ${row.effectiveFrom}`,
          path: [index],
        });
      seen.add(key);
    });
  });

export const AiAccount = z.object({
  id: Id,
  enterpriseId: Id,
  name: z.string(),
  serviceType: ServiceType,
  accountType: AccountType,
  /** The account's identity at the provider (organisation, project or resource name). */
  providerAccountId: z.string(),
  endpoint: z.string().nullable(),
  isEnabled: z.boolean(),
  status: z.enum(['active', 'inactive', 'error']),
  currentLoad: z.number().int(),
  supportedModels: z.array(z.string()),
  currentModel: z.string().nullable(),
  dailyLimit: z.number().int(),
  costPerToken: NonNegativeDecimalString,
  currency: CurrencyCode,
  /** Per-model price overrides, in `currency` (empty: the shipped table, then `costPerToken`). */
  prices: z.array(z.object(AccountModelPrice.shape)),
  /** Added to the cost of every successful call, in `currency`; null: none. */
  fixedPerCall: NonNegativeDecimalString.nullable(),
  weight: z.number().int(),
  /** Where the provider credential lives; the credential itself is never returned. */
  credential: z.object({ ref: z.string(), hint: z.string() }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const CreateAiAccount = z.strictObject({
  name: z.string().trim().min(1).max(200),
  serviceType: ServiceType,
  accountType: AccountType.default('shared'),
  providerAccountId: z.string().trim().min(1).max(200),
  apiKey: z.string().min(8).max(4096),
  endpoint: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .default(null),
  supportedModels: z.array(z.string().min(1).max(200)).min(1).max(200),
  currentModel: z.string().min(1).max(200).nullable().default(null),
  dailyLimit: z.number().int().min(0).default(10_000),
  costPerToken: NonNegativeDecimalString.default('0.00001'),
  currency: CurrencyCode.default('USD'),
  prices: AccountModelPrices.default([]),
  fixedPerCall: NonNegativeDecimalString.nullable().default(null),
  weight: z.number().int().min(1).max(1000).default(1),
});
export const UpdateAiAccount = z
  .strictObject({
    name: CreateAiAccount.shape.name,
    accountType: AccountType,
    apiKey: CreateAiAccount.shape.apiKey,
    endpoint: z.url({ protocol: /^https?$/ }).nullable(),
    isEnabled: z.boolean(),
    status: AiAccount.shape.status,
    supportedModels: CreateAiAccount.shape.supportedModels,
    currentModel: z.string().min(1).max(200).nullable(),
    dailyLimit: z.number().int().min(0),
    costPerToken: NonNegativeDecimalString,
    /** Replaces the whole list; `[]` removes every override. */
    prices: AccountModelPrices,
    fixedPerCall: NonNegativeDecimalString.nullable(),
    weight: z.number().int().min(1).max(1000),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
/** An exact decimal amount as computed (sums of stored costs may carry more digits than inputs allow). */
const ExactDecimal = z.string().regex(/^-?\d+(\.\d+)?$/);
const CostByCurrency = z.record(z.string(), ExactDecimal);

/**
 * What an account has served, from its metering aggregates (the seed's statistics fields).
 * All-time figures are the sum of its monthly aggregates.
 */
export const AiAccountStats = z.object({
  totalRequests: z.number().int(),
  /** Prompt + completion tokens. */
  totalTokens: z.number().int(),
  /** Exact decimal, in `currency` (the account's currency). */
  totalCost: ExactDecimal,
  currency: CurrencyCode,
  /**
   * All-time cost in every currency it was recorded in. Usually only `currency`; calls priced by
   * the shipped table (USD) on an account in another currency appear here under USD.
   */
  costByCurrency: CostByCurrency,
  /** Time of the latest call counted (successful or not); null when the account was never used. */
  lastUsedAt: Timestamp.nullable(),
  /**
   * Calls (successful or not) routed to the account in the current UTC hour so far. Metering is
   * aggregated by hour at the finest, so this is the most recent load figure there is; it is a
   * count, not the seed's percentage (the account's own `currentLoad` field).
   */
  currentLoad: z.number().int(),
  /** The hour `currentLoad` counts, `2026-11-24T13` (UTC). */
  currentLoadHour: z.string(),
});
export const AiAccountWithStats = AiAccount.extend({ stats: AiAccountStats });

const HourlyUsage = z.object({
  /** `2026-11-24T13` (UTC). */
  hour: z.string(),
  requests: z.number().int(),
  errors: z.number().int(),
  tokens: z.number().int(),
  cost: CostByCurrency,
});

/** The seed's account details: 24 h usage, performance, bound groups and cost, with the stats. */
export const AiAccountDetails = z.object({
  account: AiAccountWithStats,
  /** The 24 UTC hours ending with the current one, oldest first, every hour present (zeros when idle). */
  usage24h: z.array(HourlyUsage),
  /** Over the same 24 hours. Rates are 0–1; 0 (and averageResponseTime 0) when there were no calls. */
  performance: z.object({
    requests: z.number().int(),
    /** Mean latency in milliseconds, rounded. */
    averageResponseTime: z.number().int(),
    successRate: z.number(),
    errorRate: z.number(),
  }),
  /** Groups whose binding can route to the account: by naming it, or through a shared pool of its serviceType. */
  boundGroups: z.array(
    z.object({
      groupId: Id,
      name: z.string(),
      status: Group.shape.status,
      bindingMode: BindingMode,
      reachedThrough: z.enum(['account', 'pool']),
    }),
  ),
  /** Exact decimal amounts by currency. */
  cost: z.object({
    last24h: CostByCurrency,
    /** The current UTC month. */
    monthToDate: CostByCurrency,
    allTime: CostByCurrency,
  }),
});

export const AiAccountFilters = PageQuery.extend({
  serviceType: ServiceType.optional(),
  accountType: AccountType.optional(),
  status: AiAccount.shape.status.optional(),
});
export const BulkAccountStatus = z.strictObject({
  accountIds: z.array(Id).min(1).max(100),
  isEnabled: z.boolean(),
});

// ---------- group resource bindings ----------
export const DedicatedConfig = z.strictObject({
  mode: z.literal('dedicated'),
  accounts: z
    .array(z.strictObject({ accountId: Id, priority: z.number().int().min(0).max(1000).default(100) }))
    .min(1)
    .max(50),
});
export const SharedConfig = z.strictObject({
  mode: z.literal('shared'),
  poolConfig: z
    .array(
      z.strictObject({
        serviceType: ServiceType,
        maxUsagePercent: z.number().int().min(1).max(100).default(100),
        priority: z.number().int().min(0).max(1000).default(100),
      }),
    )
    .min(1)
    .max(20),
});
export const HybridConfig = z.strictObject({
  mode: z.literal('hybrid'),
  primaryAccounts: z.array(Id).min(1).max(50),
  fallbackPools: z
    .array(
      z.strictObject({ serviceType: ServiceType, priority: z.number().int().min(0).max(1000).default(100) }),
    )
    .min(1)
    .max(20),
});
export const BindingConfig = z.discriminatedUnion('mode', [DedicatedConfig, SharedConfig, HybridConfig]);
export type BindingConfig = z.infer<typeof BindingConfig>;

export const QuotaConfig = z
  .strictObject({
    dailyTokenLimit: z.number().int().min(0).default(10_000),
    monthlyBudget: NonNegativeDecimalString.nullable().default(null),
    budgetCurrency: CurrencyCode.default('USD'),
    priorityLevel: PriorityLevel.default('medium'),
    warningThreshold: z.number().int().min(1).max(100).default(80),
    alertThreshold: z.number().int().min(1).max(100).default(95),
  })
  .refine((q) => q.warningThreshold <= q.alertThreshold, {
    message: 'warningThreshold must not exceed alertThreshold',
    path: ['warningThreshold'],
  });

export const PutGroupBinding = z
  .strictObject({
    bindingMode: z.enum(['dedicated', 'shared', 'hybrid']),
    bindingConfig: BindingConfig,
    loadBalancing: LoadBalancing.default('round-robin'),
    quotaConfig: QuotaConfig.default(QuotaConfig.parse({})),
  })
  .refine((b) => b.bindingMode === b.bindingConfig.mode, {
    message: 'bindingMode must equal bindingConfig.mode',
    path: ['bindingConfig', 'mode'],
  });
export const GroupBinding = z.object({
  groupId: Id,
  enterpriseId: Id,
  bindingMode: z.enum(['dedicated', 'shared', 'hybrid']),
  bindingConfig: BindingConfig,
  loadBalancing: LoadBalancing,
  quotaConfig: z.object({
    dailyTokenLimit: z.number().int(),
    monthlyBudget: NonNegativeDecimalString.nullable(),
    budgetCurrency: CurrencyCode,
    priorityLevel: PriorityLevel,
    warningThreshold: z.number().int(),
    alertThreshold: z.number().int(),
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// ---------- audit ----------
/** The seed's GetResourceBindingResponse: the binding, what it can reach, and how much of its quota is used. */
export const GroupBindingOverview = z.object({
  binding: GroupBinding,
  availableAccounts: z.array(AiAccount),
  currentUsage: z.object({
    day: z.string(),
    dailyTokens: z.number().int(),
    dailyTokenLimit: z.number().int(),
    /** Share of the daily token limit used, 0–1 (0 when there is no limit). */
    utilizationRate: z.number(),
    monthlySpend: z.record(z.string(), z.string()),
    monthlyBudget: NonNegativeDecimalString.nullable(),
  }),
});

export const AuditEvent = z.object({
  id: Id,
  enterpriseId: Id,
  at: Timestamp,
  actor: z.object({ subject: z.string(), kind: z.enum(['user', 'admin-key', 'system']) }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  requestId: z.string().nullable(),
});

export const Caller = z.object({
  subject: z.string(),
  kind: z.enum(['user', 'admin-key']),
  enterpriseId: Id.nullable(),
  roles: z.array(Role),
});

// ---------- routes ----------
const EnterpriseParams = z.strictObject({ enterpriseId: Id });
const GroupParams = z.strictObject({ groupId: Id });
const tag = 'tenancy';

export const tenancyRoutes = {
  me: defineRoute({
    id: 'me',
    method: 'GET',
    path: '/api/me',
    auth: 'admin',
    tag,
    summary: 'Who the caller is',
    response: Caller,
  }),
  listEnterprises: defineRoute({
    id: 'listEnterprises',
    method: 'GET',
    path: '/api/enterprises',
    auth: 'admin',
    tag,
    summary: 'Enterprises the caller can see',
    query: PageQuery,
    response: page(Enterprise),
  }),
  createEnterprise: defineRoute({
    id: 'createEnterprise',
    method: 'POST',
    path: '/api/enterprises',
    auth: 'admin',
    tag,
    summary: 'Create an enterprise (platform-admin)',
    body: CreateEnterprise,
    response: Enterprise,
    successStatus: 201,
  }),
  getEnterprise: defineRoute({
    id: 'getEnterprise',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}',
    auth: 'admin',
    tag,
    summary: 'Get an enterprise',
    params: EnterpriseParams,
    response: Enterprise,
  }),
  updateEnterprise: defineRoute({
    id: 'updateEnterprise',
    method: 'PATCH',
    path: '/api/enterprises/{enterpriseId}',
    auth: 'admin',
    tag,
    summary: 'Update an enterprise',
    params: EnterpriseParams,
    body: UpdateEnterprise,
    response: Enterprise,
  }),
  listGroups: defineRoute({
    id: 'listGroups',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/groups',
    auth: 'admin',
    tag,
    summary: 'List carpool groups',
    params: EnterpriseParams,
    query: GroupFilters,
    response: page(Group),
  }),
  createGroup: defineRoute({
    id: 'createGroup',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/groups',
    auth: 'admin',
    tag,
    summary: 'Create a carpool group',
    params: EnterpriseParams,
    body: CreateGroup,
    response: Group,
    successStatus: 201,
  }),
  getGroup: defineRoute({
    id: 'getGroup',
    method: 'GET',
    path: '/api/groups/{groupId}',
    auth: 'admin',
    tag,
    summary: 'Get a carpool group',
    params: GroupParams,
    response: Group,
  }),
  updateGroup: defineRoute({
    id: 'updateGroup',
    method: 'PATCH',
    path: '/api/groups/{groupId}',
    auth: 'admin',
    tag,
    summary: 'Update a carpool group',
    params: GroupParams,
    body: UpdateGroup,
    response: Group,
  }),
  listUsers: defineRoute({
    id: 'listUsers',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/users',
    auth: 'admin',
    tag,
    summary: 'List users',
    params: EnterpriseParams,
    query: PageQuery,
    response: page(User),
  }),
  createUser: defineRoute({
    id: 'createUser',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/users',
    auth: 'admin',
    tag,
    summary: 'Create a user (e-mail unique per enterprise)',
    params: EnterpriseParams,
    body: CreateUser,
    response: User,
    successStatus: 201,
  }),
  listMembers: defineRoute({
    id: 'listMembers',
    method: 'GET',
    path: '/api/groups/{groupId}/members',
    auth: 'admin',
    tag,
    summary: 'List group members',
    params: GroupParams,
    query: PageQuery,
    response: page(GroupMember),
  }),
  addMember: defineRoute({
    id: 'addMember',
    method: 'POST',
    path: '/api/groups/{groupId}/members',
    auth: 'admin',
    tag,
    summary: 'Add a user to a group (bounded by maxMembers)',
    params: GroupParams,
    body: AddGroupMember,
    response: GroupMember,
    successStatus: 201,
  }),
  removeMember: defineRoute({
    id: 'removeMember',
    method: 'DELETE',
    path: '/api/groups/{groupId}/members/{userId}',
    auth: 'admin',
    tag,
    summary: 'Remove a user from a group',
    params: z.strictObject({ groupId: Id, userId: Id }),
    response: EmptyObject,
  }),
  listGroupApiKeys: defineRoute({
    id: 'listGroupApiKeys',
    method: 'GET',
    path: '/api/groups/{groupId}/api-keys',
    auth: 'admin',
    tag,
    summary: 'List a group\u2019s API keys (masked)',
    params: GroupParams,
    query: PageQuery,
    response: page(ApiKey),
  }),
  createGroupApiKey: defineRoute({
    id: 'createGroupApiKey',
    method: 'POST',
    path: '/api/groups/{groupId}/api-keys',
    auth: 'admin',
    tag,
    summary: 'Create a gateway key; the key is shown once',
    params: GroupParams,
    body: CreateGroupApiKey,
    response: CreatedApiKey,
    successStatus: 201,
  }),
  listAdminApiKeys: defineRoute({
    id: 'listAdminApiKeys',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/admin-keys',
    auth: 'admin',
    tag,
    summary: 'List scoped admin API keys (masked)',
    params: EnterpriseParams,
    query: PageQuery,
    response: page(ApiKey),
  }),
  createAdminApiKey: defineRoute({
    id: 'createAdminApiKey',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/admin-keys',
    auth: 'admin',
    tag,
    summary: 'Create a scoped admin API key for automations; shown once',
    params: EnterpriseParams,
    body: CreateAdminApiKey,
    response: CreatedApiKey,
    successStatus: 201,
  }),
  revokeApiKey: defineRoute({
    id: 'revokeApiKey',
    method: 'DELETE',
    path: '/api/api-keys/{keyId}',
    auth: 'admin',
    tag,
    summary: 'Revoke an API key',
    params: z.strictObject({ keyId: Id }),
    response: ApiKey,
  }),
  listAiAccounts: defineRoute({
    id: 'listAiAccounts',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/ai-accounts',
    auth: 'admin',
    tag,
    summary: 'List AI accounts with their usage statistics',
    params: EnterpriseParams,
    query: AiAccountFilters,
    response: page(AiAccountWithStats),
  }),
  createAiAccount: defineRoute({
    id: 'createAiAccount',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/ai-accounts',
    auth: 'admin',
    tag,
    summary: 'Register an AI account; its key goes to the secret store',
    params: EnterpriseParams,
    body: CreateAiAccount,
    response: AiAccount,
    successStatus: 201,
  }),
  getAiAccount: defineRoute({
    id: 'getAiAccount',
    method: 'GET',
    path: '/api/ai-accounts/{accountId}',
    auth: 'admin',
    tag,
    summary: 'Get an AI account with its usage statistics',
    params: z.strictObject({ accountId: Id }),
    response: AiAccountWithStats,
  }),
  getAiAccountDetails: defineRoute({
    id: 'getAiAccountDetails',
    method: 'GET',
    path: '/api/ai-accounts/{accountId}/details',
    auth: 'admin',
    tag,
    summary: 'An AI account\u2019s last 24 h of usage, performance, bound groups and cost',
    params: z.strictObject({ accountId: Id }),
    response: AiAccountDetails,
  }),
  updateAiAccount: defineRoute({
    id: 'updateAiAccount',
    method: 'PATCH',
    path: '/api/ai-accounts/{accountId}',
    auth: 'admin',
    tag,
    summary: 'Update an AI account (apiKey rotates the credential)',
    params: z.strictObject({ accountId: Id }),
    body: UpdateAiAccount,
    response: AiAccount,
  }),
  bulkAccountStatus: defineRoute({
    id: 'bulkAccountStatus',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/ai-accounts/bulk-status',
    auth: 'admin',
    tag,
    summary: 'Enable or disable up to 100 accounts, all or nothing',
    params: EnterpriseParams,
    body: BulkAccountStatus,
    response: z.object({ updated: z.number().int() }),
  }),
  getGroupBinding: defineRoute({
    id: 'getGroupBinding',
    method: 'GET',
    path: '/api/groups/{groupId}/resource-binding',
    auth: 'admin',
    tag,
    summary: 'Get a group\u2019s resource binding and quota, the accounts it reaches and its current usage',
    params: GroupParams,
    response: GroupBindingOverview,
  }),
  putGroupBinding: defineRoute({
    id: 'putGroupBinding',
    method: 'PUT',
    path: '/api/groups/{groupId}/resource-binding',
    auth: 'admin',
    tag,
    summary: 'Set a group\u2019s resource binding (dedicated / shared / hybrid) and quota',
    params: GroupParams,
    body: PutGroupBinding,
    response: GroupBinding,
  }),
  listAuditEvents: defineRoute({
    id: 'listAuditEvents',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/audit-events',
    auth: 'admin',
    tag,
    summary: 'Audit trail of management changes, newest first',
    params: EnterpriseParams,
    query: PageQuery,
    response: page(AuditEvent),
  }),
} as const;
