/** The hourly expiry sweep against DynamoDB Local, with a clock the test moves forward. */
import { beforeAll, describe, expect, it } from 'vitest';
import { tenancyRepositories } from '../../shared/adapters/dynamo/repositories';
import { hashApiKey, mintApiKey } from '../../shared/domain/api-keys';
import type { AuditEvent, StoredApiKey } from '../../shared/ports/tenancy';
import { expireDueApiKeys } from '../../shared/usecases/tenancy';
import { freshTable } from '../factories/dynamo-table';

let repos: ReturnType<typeof tenancyRepositories>;

beforeAll(async () => {
  const tableName = await freshTable('expiry');
  repos = tenancyRepositories(tableName);
});

const key = (id: string, expiresAt: string | null): { stored: StoredApiKey; secret: string } => {
  const minted = mintApiKey('group');
  return {
    secret: minted.key,
    stored: {
      id,
      keyHash: minted.keyHash,
      enterpriseId: 'E1',
      kind: 'group',
      groupId: 'G1',
      userId: null,
      role: null,
      quota: { dailyTokenLimit: null, monthlyBudget: null },
      name: id,
      prefix: minted.prefix,
      status: 'active',
      createdAt: '2026-11-01T00:00:00.000Z',
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    },
  };
};

describe('API key expiry sweep', () => {
  it('expires exactly the keys that are due, once, and audits each', async () => {
    const soon = key('K-SOON', '2026-11-10T00:00:00.000Z');
    const later = key('K-LATER', '2026-12-10T00:00:00.000Z');
    const never = key('K-NEVER', null);
    for (const k of [soon, later, never]) await repos.apiKeys.create(k.stored);

    const published: AuditEvent[] = [];
    let now = new Date('2026-11-20T00:00:00.000Z');
    const deps = {
      apiKeys: repos.apiKeys,
      auditLog: { publish: async (e: AuditEvent) => void published.push(e) },
      clock: { now: () => now },
    };

    expect(await expireDueApiKeys(deps)).toBe(1);
    expect((await repos.apiKeys.getByHash(hashApiKey(soon.secret)))?.status).toBe('expired');
    expect((await repos.apiKeys.getByHash(hashApiKey(later.secret)))?.status).toBe('active');
    expect(published.map((e) => [e.action, e.target.id])).toEqual([['api-key.expired', 'K-SOON']]);

    expect(await expireDueApiKeys(deps)).toBe(0);

    now = new Date('2027-01-01T00:00:00.000Z');
    expect(await expireDueApiKeys(deps)).toBe(1);
    expect((await repos.apiKeys.getByHash(hashApiKey(later.secret)))?.status).toBe('expired');
    expect((await repos.apiKeys.getByHash(hashApiKey(never.secret)))?.status).toBe('active');
  });

  it('does not expire a key that was revoked first', async () => {
    const k = key('K-REVOKED', '2026-11-05T00:00:00.000Z');
    await repos.apiKeys.create(k.stored);
    await repos.apiKeys.deactivate(k.stored, 'revoked', '2026-11-02T00:00:00.000Z');
    const deps = {
      apiKeys: repos.apiKeys,
      auditLog: { publish: async () => undefined },
      clock: { now: () => new Date('2026-11-30T00:00:00.000Z') },
    };
    expect(await expireDueApiKeys(deps)).toBe(0);
    expect((await repos.apiKeys.getByHash(hashApiKey(k.secret)))?.status).toBe('revoked');
  });
});
