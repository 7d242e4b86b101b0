/**
 * ElectroDB entities of the single table. Every key template here is listed in ACCESS_PATTERNS.md;
 * `casing: 'none'` keeps ids exactly as minted (ElectroDB lowercases by default).
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const service = 'tollgate';
const none = 'none' as const;

const timestamps = {
  createdAt: { type: 'string', required: true, readOnly: true },
  updatedAt: { type: 'string', required: true },
} as const;

/**
 * A guard item that makes a value unique: written in the same transaction as its owner with
 * attribute_not_exists, so a duplicate fails the whole transaction and nothing is written. Every
 * service over the table (tenancy, bills) includes it.
 */
export const uniqueGuardEntity = (config: { client: DynamoDBDocumentClient; table: string }) =>
  new Entity(
    {
      model: { entity: 'uniqueGuard', version: '1', service },
      attributes: {
        scope: { type: 'string', required: true, readOnly: true },
        value: { type: 'string', required: true, readOnly: true },
        ownerId: { type: 'string', required: true },
      },
      indexes: {
        byValue: {
          pk: {
            field: 'pk',
            composite: ['scope', 'value'],
            template: 'UNIQUE#${scope}#${value}',
            casing: none,
          },
          sk: { field: 'sk', composite: [], template: 'UNIQUE', casing: none },
        },
      },
    },
    config,
  );

const defineEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const enterprise = new Entity(
    {
      model: { entity: 'enterprise', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        planType: { type: ['basic', 'pro', 'enterprise'] as const, required: true },
        status: { type: ['active', 'suspended'] as const, required: true },
        settings: { type: 'any', required: true },
        /** Decimal string fraction; absent on enterprises created before it existed (read as "0"). */
        gatewayDiscount: { type: 'string' },
        ...timestamps,
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['enterpriseId'], template: 'ENT#${enterpriseId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'PROFILE', casing: none },
        },
        all: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', composite: [], template: 'ENTERPRISES', casing: none },
          sk: { field: 'gsi1sk', composite: ['enterpriseId'], template: 'ENT#${enterpriseId}', casing: none },
        },
      },
    },
    config,
  );

  const group = new Entity(
    {
      model: { entity: 'group', version: '1', service },
      attributes: {
        groupId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        description: { type: 'string' },
        maxMembers: { type: 'number', required: true },
        memberCount: { type: 'number', required: true },
        status: { type: ['active', 'inactive'] as const, required: true },
        ...timestamps,
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'PROFILE', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'ENT#${enterpriseId}#GROUPS',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
        },
      },
    },
    config,
  );

  const user = new Entity(
    {
      model: { entity: 'user', version: '1', service },
      attributes: {
        userId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        email: { type: 'string', required: true },
        name: { type: 'string', required: true },
        role: { type: ['enterprise-admin', 'group-admin', 'finance', 'viewer'] as const, required: true },
        status: { type: ['active', 'disabled'] as const, required: true },
        ...timestamps,
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['userId'], template: 'USER#${userId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'PROFILE', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'ENT#${enterpriseId}#USERS',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['userId'], template: 'USER#${userId}', casing: none },
        },
      },
    },
    config,
  );

  const groupMember = new Entity(
    {
      model: { entity: 'groupMember', version: '1', service },
      attributes: {
        groupId: { type: 'string', required: true, readOnly: true },
        userId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        role: { type: ['owner', 'admin', 'member'] as const, required: true },
        joinedAt: { type: 'string', required: true },
      },
      indexes: {
        byGroup: {
          pk: { field: 'pk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
          sk: { field: 'sk', composite: ['userId'], template: 'MEMBER#${userId}', casing: none },
        },
        byUser: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', composite: ['userId'], template: 'USER#${userId}#GROUPS', casing: none },
          sk: { field: 'gsi1sk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
        },
      },
    },
    config,
  );

  const apiKey = new Entity(
    {
      model: { entity: 'apiKey', version: '1', service },
      attributes: {
        keyHash: { type: 'string', required: true, readOnly: true },
        keyId: { type: 'string', required: true, readOnly: true },
        /** `GROUP#<groupId>` for gateway keys, `ENT#<enterpriseId>` for admin keys. */
        owner: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        kind: { type: ['group', 'admin'] as const, required: true, readOnly: true },
        groupId: { type: 'string' },
        userId: { type: 'string' },
        role: { type: ['enterprise-admin', 'group-admin', 'finance', 'viewer'] as const },
        name: { type: 'string', required: true },
        prefix: { type: 'string', required: true },
        status: { type: ['active', 'revoked', 'expired'] as const, required: true },
        createdAt: { type: 'string', required: true, readOnly: true },
        expiresAt: { type: 'string' },
        lastUsedAt: { type: 'string' },
        revokedAt: { type: 'string' },
        /** The key's own limits (absent: only the group's); the budget as a decimal string. */
        quotaDailyTokenLimit: { type: 'number' },
        quotaMonthlyBudget: { type: 'string' },
      },
      indexes: {
        byHash: {
          pk: { field: 'pk', composite: ['keyHash'], template: 'APIKEY#${keyHash}', casing: none },
          sk: { field: 'sk', composite: [], template: 'APIKEY', casing: none },
        },
        byOwner: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', composite: ['owner'], template: 'KEYS#${owner}', casing: none },
          sk: { field: 'gsi1sk', composite: ['keyId'], template: 'KEY#${keyId}', casing: none },
        },
        byKeyId: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['keyId'], template: 'APIKEYID#${keyId}', casing: none },
          sk: { field: 'gsi2sk', composite: [], template: 'APIKEY', casing: none },
        },
      },
    },
    config,
  );

  /** One item per expiring key, in one partition sorted by expiry, so the sweeper reads only what is due. */
  const apiKeyExpiry = new Entity(
    {
      model: { entity: 'apiKeyExpiry', version: '1', service },
      attributes: {
        expiresAt: { type: 'string', required: true, readOnly: true },
        keyId: { type: 'string', required: true, readOnly: true },
        keyHash: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
      },
      indexes: {
        byExpiry: {
          pk: { field: 'pk', composite: [], template: 'APIKEY_EXPIRY', casing: none },
          sk: {
            field: 'sk',
            composite: ['expiresAt', 'keyId'],
            template: 'AT#${expiresAt}#${keyId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const aiAccount = new Entity(
    {
      model: { entity: 'aiAccount', version: '1', service },
      attributes: {
        accountId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        name: { type: 'string', required: true },
        serviceType: { type: 'string', required: true, readOnly: true },
        accountType: { type: ['dedicated', 'shared'] as const, required: true },
        providerAccountId: { type: 'string', required: true, readOnly: true },
        endpoint: { type: 'string' },
        isEnabled: { type: 'boolean', required: true },
        status: { type: ['active', 'inactive', 'error'] as const, required: true },
        currentLoad: { type: 'number', required: true },
        supportedModels: { type: 'list', items: { type: 'string' }, required: true },
        currentModel: { type: 'string' },
        dailyLimit: { type: 'number', required: true },
        /** Decimal string: configuration money is stored exactly, never as a float. */
        costPerToken: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        /**
         * Per-model price overrides, amounts as decimal strings. Not required: accounts created
         * before pricing was configurable have none (read as []).
         */
        prices: {
          type: 'list',
          items: {
            type: 'map',
            properties: {
              model: { type: 'string', required: true },
              inputPerMillion: { type: 'string', required: true },
              outputPerMillion: { type: 'string', required: true },
              cachedInputPerMillion: { type: 'string', required: true },
              effectiveFrom: { type: 'string', required: true },
            },
          },
        },
        /** Decimal string; absent when there is no fixed per-call cost. */
        fixedPerCall: { type: 'string' },
        weight: { type: 'number', required: true },
        credentialRef: { type: 'string', required: true },
        credentialHint: { type: 'string', required: true },
        ...timestamps,
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['accountId'], template: 'AIACCT#${accountId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'PROFILE', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'ENT#${enterpriseId}#AIACCTS',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['serviceType', 'accountId'],
            template: 'SVC#${serviceType}#AIACCT#${accountId}',
            casing: none,
          },
        },
        /** The gateway's shared pools: accounts of one enterprise by serviceType and accountType. */
        byPool: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            composite: ['enterpriseId', 'serviceType', 'accountType'],
            template: 'ENT#${enterpriseId}#POOL#${serviceType}#${accountType}',
            casing: none,
          },
          sk: { field: 'gsi2sk', composite: ['accountId'], template: 'AIACCT#${accountId}', casing: none },
        },
      },
    },
    config,
  );

  const groupBinding = new Entity(
    {
      model: { entity: 'groupBinding', version: '1', service },
      attributes: {
        groupId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        bindingMode: { type: ['dedicated', 'shared', 'hybrid'] as const, required: true },
        bindingConfig: { type: 'any', required: true },
        loadBalancing: { type: ['round-robin', 'least-load', 'weighted'] as const, required: true },
        quotaConfig: { type: 'any', required: true },
        /** Accounts this binding holds exclusively (dedicated mode and hybrid primaries). */
        exclusiveAccountIds: { type: 'list', items: { type: 'string' }, required: true },
        ...timestamps,
      },
      indexes: {
        byGroup: {
          pk: { field: 'pk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'BINDING', casing: none },
        },
      },
    },
    config,
  );

  const uniqueGuard = uniqueGuardEntity(config);

  const auditEvent = new Entity(
    {
      model: { entity: 'auditEvent', version: '1', service },
      attributes: {
        eventId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        at: { type: 'string', required: true, readOnly: true },
        actor: { type: 'any', required: true },
        action: { type: 'string', required: true },
        target: { type: 'any', required: true },
        requestId: { type: 'string' },
      },
      indexes: {
        byEnterprise: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId'],
            template: 'ENT#${enterpriseId}#AUDIT',
            casing: none,
          },
          sk: { field: 'sk', composite: ['at', 'eventId'], template: 'AT#${at}#${eventId}', casing: none },
        },
      },
    },
    config,
  );

  /**
   * A group's strict quota counter for one period (`D#<day>` tokens, `M#<month>` budget in
   * micro-units): `granted` is everything leased to instances; a lease is one conditional add.
   */
  const quotaCounter = new Entity(
    {
      model: { entity: 'quotaCounter', version: '1', service },
      attributes: {
        groupId: { type: 'string', required: true, readOnly: true },
        counter: { type: 'string', required: true, readOnly: true },
        limit: { type: 'number', required: true },
        granted: { type: 'number', required: true },
      },
      indexes: {
        byCounter: {
          pk: { field: 'pk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
          sk: { field: 'sk', composite: ['counter'], template: 'QUOTA#${counter}', casing: none },
        },
      },
    },
    config,
  );

  /**
   * What one instance holds of a counter (`amount` granted to it, `spent` of that settled), so the
   * unspent part of a crashed instance's lease can be reclaimed once `leaseExpiresAt` passes.
   * Deliberately not the TTL attribute: TTL would delete it before it is reclaimed.
   */
  const quotaLease = new Entity(
    {
      model: { entity: 'quotaLease', version: '1', service },
      attributes: {
        groupId: { type: 'string', required: true, readOnly: true },
        counter: { type: 'string', required: true, readOnly: true },
        instanceId: { type: 'string', required: true, readOnly: true },
        /** Not `required`: both only ever change by atomic ADD, which also creates them. */
        amount: { type: 'number' },
        spent: { type: 'number' },
        leaseExpiresAt: { type: 'number', required: true },
      },
      indexes: {
        byHolder: {
          pk: { field: 'pk', composite: ['groupId'], template: 'GROUP#${groupId}', casing: none },
          sk: {
            field: 'sk',
            composite: ['counter', 'instanceId'],
            template: 'LEASE#${counter}#${instanceId}',
            casing: none,
          },
        },
        byExpiry: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', composite: [], template: 'QUOTA_LEASES', casing: none },
          sk: {
            field: 'gsi1sk',
            composite: ['leaseExpiresAt', 'groupId', 'counter', 'instanceId'],
            template: '${leaseExpiresAt}#${groupId}#${counter}#${instanceId}',
            casing: none,
            cast: 'string',
          },
        },
      },
    },
    config,
  );

  /** Circuit breaker state per (account, model), shared by every gateway instance. */
  const circuitState = new Entity(
    {
      model: { entity: 'circuitState', version: '1', service },
      attributes: {
        accountId: { type: 'string', required: true, readOnly: true },
        model: { type: 'string', required: true, readOnly: true },
        /** Only ever changed by atomic ADD or conditional SET, so concurrent instances never lose a failure. */
        failures: { type: 'number' },
        windowStart: { type: 'number' },
        openUntil: { type: 'number' },
      },
      indexes: {
        byAccount: {
          pk: { field: 'pk', composite: ['accountId'], template: 'AIACCT#${accountId}', casing: none },
          sk: { field: 'sk', composite: ['model'], template: 'CIRCUIT#${model}', casing: none },
        },
      },
    },
    config,
  );

  /** One health probe of an AI account (kept 30 days through TTL). */
  const accountHealth = new Entity(
    {
      model: { entity: 'accountHealth', version: '1', service },
      attributes: {
        accountId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        checkedAt: { type: 'string', required: true, readOnly: true },
        isHealthy: { type: 'boolean', required: true },
        responseTimeMs: { type: 'number', required: true },
        errorMessage: { type: 'string' },
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        byAccount: {
          pk: { field: 'pk', composite: ['accountId'], template: 'AIACCT#${accountId}', casing: none },
          sk: { field: 'sk', composite: ['checkedAt'], template: 'HEALTH#${checkedAt}', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'HEALTH#${enterpriseId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['checkedAt', 'accountId'],
            template: '${checkedAt}#${accountId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  /** A notification raised by any capability (channels deliver them once the balance-monitor issue lands). */
  const alert = new Entity(
    {
      model: { entity: 'alert', version: '1', service },
      attributes: {
        alertId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        at: { type: 'string', required: true, readOnly: true },
        kind: { type: 'string', required: true },
        severity: { type: ['info', 'warning', 'critical'] as const, required: true },
        subject: { type: 'string', required: true },
        message: { type: 'string', required: true },
      },
      indexes: {
        byEnterprise: {
          pk: { field: 'pk', composite: ['enterpriseId'], template: 'ALERT#${enterpriseId}', casing: none },
          sk: { field: 'sk', composite: ['at', 'alertId'], template: 'AT#${at}#${alertId}', casing: none },
        },
      },
    },
    config,
  );

  return new Service(
    {
      enterprise,
      group,
      user,
      groupMember,
      apiKey,
      apiKeyExpiry,
      aiAccount,
      groupBinding,
      uniqueGuard,
      auditEvent,
      quotaCounter,
      quotaLease,
      circuitState,
      accountHealth,
      alert,
    },
    config,
  );
};

export type TollgateService = ReturnType<typeof defineEntities>;

/**
 * Builds entities without ElectroDB's per-model JSON-schema check (the jsonschema package): ~110 ms
 * of every cold start, for models fixed at build time. test/unit/adapters/entities.test.ts builds
 * every model with the check on, so a malformed model fails the tests instead.
 */
export const withModelValidation = <T>(validateModels: boolean, define: () => T): T => {
  const entity = Entity.prototype as unknown as { _validateModel(model: unknown): unknown };
  const validate = entity._validateModel;
  if (!validateModels) entity._validateModel = () => undefined;
  try {
    return define();
  } finally {
    entity._validateModel = validate;
  }
};

/** The ElectroDB service over the tenancy and gateway entities (bills: bill-entities.ts). */
export const buildEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): TollgateService => withModelValidation(validateModels, () => defineEntities(client, table));
