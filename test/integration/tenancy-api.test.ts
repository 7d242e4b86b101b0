/**
 * The tenancy admin API end to end: real HTTP on 127.0.0.1 through the local runtime (the same
 * payload-v2 events API Gateway sends), DynamoDB Local, fauxqs and the encrypted secret store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let platformToken: string;
let adminA: string;
let adminB: string;
let viewerA: string;
const captured: string[] = [];
const secretsSeen: string[] = [];

// A provider key that no value-pattern would catch: only "never stored, never logged" protects it.
const providerKey = `AIzaSy${'Q7r'.repeat(11)}x`;
const otherProviderKey = `sk-proj-${'k9'.repeat(20)}`;

const scanAll = async () => {
  const client = new DynamoDBClient({ endpoint: rt.dynamoEndpoint });
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: rt.tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String) } });
};

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  for (const stream of [process.stdout, process.stderr]) {
    // Captured, not echoed: the DEBUG request logs of this file would drown the test report.
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  platformToken = await rt.mintToken({ subject: 'platform-1', roles: ['platform-admin'] });
});

afterAll(async () => {
  await rt?.stop();
});

describe('tenancy admin API', () => {
  const ids: Record<string, string> = {};

  it('serves health and an OpenAPI document covering every route', async () => {
    const health = await http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.data.status).toBe('ok');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');

    const doc = await http.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.paths['/api/groups/{groupId}/resource-binding'].put.operationId).toBe('putGroupBinding');
    expect(Object.keys(doc.body.paths).length).toBeGreaterThanOrEqual(15);
  });

  it('lets a platform admin create enterprises, and nobody else', async () => {
    const a = await http.post('/api/enterprises', { name: 'Acme' }, { token: platformToken });
    expect(a.status).toBe(201);
    expect(a.body.data).toMatchObject({ name: 'Acme', planType: 'basic', status: 'active' });
    ids.entA = a.body.data.id;
    const b = await http.post(
      '/api/enterprises',
      { name: 'Beta', planType: 'pro' },
      { token: platformToken },
    );
    ids.entB = b.body.data.id;

    adminA = await rt.mintToken({ subject: 'admin-a', roles: ['enterprise-admin'], enterpriseId: ids.entA });
    adminB = await rt.mintToken({ subject: 'admin-b', roles: ['enterprise-admin'], enterpriseId: ids.entB });
    viewerA = await rt.mintToken({ subject: 'viewer-a', roles: ['viewer'], enterpriseId: ids.entA });

    expectError(await http.post('/api/enterprises', { name: 'Nope' }, { token: adminA }), 403, 'FORBIDDEN');
    const listA = await http.get('/api/enterprises', { token: adminA });
    expect(listA.body.data.items.map((e: any) => e.id)).toEqual([ids.entA]);
    const listAll = await http.get('/api/enterprises', { token: platformToken });
    expect(listAll.body.data.items.map((e: any) => e.id)).toEqual(
      expect.arrayContaining([ids.entA, ids.entB]),
    );
  });

  it('creates groups, users and members, bounded by maxMembers', async () => {
    const g = await http.post(
      `/api/enterprises/${ids.entA}/groups`,
      { name: 'Backend', maxMembers: 1 },
      { token: adminA },
    );
    expect(g.status).toBe(201);
    expect(g.body.data).toMatchObject({ name: 'Backend', maxMembers: 1, memberCount: 0, status: 'active' });
    ids.groupA = g.body.data.id;

    const u1 = await http.post(
      `/api/enterprises/${ids.entA}/users`,
      { email: 'Ann@Acme.test', name: 'Ann' },
      { token: adminA },
    );
    expect(u1.status).toBe(201);
    expect(u1.body.data.email).toBe('ann@acme.test');
    ids.userA = u1.body.data.id;
    const u2 = await http.post(
      `/api/enterprises/${ids.entA}/users`,
      { email: 'bob@acme.test', name: 'Bob' },
      { token: adminA },
    );
    ids.userA2 = u2.body.data.id;
    expectError(
      await http.post(
        `/api/enterprises/${ids.entA}/users`,
        { email: 'ann@acme.test', name: 'Ann again' },
        { token: adminA },
      ),
      409,
      'CONFLICT',
    );

    const m = await http.post(
      `/api/groups/${ids.groupA}/members`,
      { userId: ids.userA, role: 'admin' },
      { token: adminA },
    );
    expect(m.status).toBe(201);
    expectError(
      await http.post(`/api/groups/${ids.groupA}/members`, { userId: ids.userA }, { token: adminA }),
      409,
      'CONFLICT',
    );
    const full = await http.post(
      `/api/groups/${ids.groupA}/members`,
      { userId: ids.userA2 },
      { token: adminA },
    );
    expectError(full, 409, 'CONFLICT');
    expect(full.body.error.message).toMatch(/full/);
    const group = await http.get(`/api/groups/${ids.groupA}`, { token: viewerA });
    expect(group.body.data.memberCount).toBe(1);

    const members = await http.get(`/api/groups/${ids.groupA}/members`, { token: viewerA });
    expect(members.body.data.items).toHaveLength(1);
  });

  it('stores AI account credentials in the secret store only, and returns them masked', async () => {
    const created = await http.post(
      `/api/enterprises/${ids.entA}/ai-accounts`,
      {
        name: 'Gemini primary',
        serviceType: 'gemini',
        accountType: 'dedicated',
        providerAccountId: 'proj-acme-1',
        apiKey: providerKey,
        supportedModels: ['gemini-2.5-pro'],
        dailyLimit: 50000,
        costPerToken: '0.0000035',
      },
      { token: adminA },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secretsSeen.push(providerKey);
    const account = created.body.data;
    ids.accountA = account.id;
    expect(account).toMatchObject({
      serviceType: 'gemini',
      isEnabled: true,
      status: 'active',
      costPerToken: '0.0000035',
    });
    expect(account.credential.hint).toBe(`\u2026${providerKey.slice(-4)}`);
    expect(JSON.stringify(account)).not.toContain(providerKey);
    expect(account).not.toHaveProperty('apiKey');

    const store = await readFile(join(rt.dataDir, 'secrets', 'secrets.json'), 'utf8');
    expect(store).not.toContain(providerKey);
    expect(Object.keys(JSON.parse(store))).toContain(account.credential.ref);

    const shared = await http.post(
      `/api/enterprises/${ids.entA}/ai-accounts`,
      {
        name: 'OpenAI pool 1',
        serviceType: 'openai',
        providerAccountId: 'org-acme',
        apiKey: otherProviderKey,
        supportedModels: ['gpt-4o'],
      },
      { token: adminA },
    );
    secretsSeen.push(otherProviderKey);
    ids.sharedA = shared.body.data.id;

    const list = await http.get(`/api/enterprises/${ids.entA}/ai-accounts?serviceType=gemini`, {
      token: viewerA,
    });
    expect(list.body.data.items.map((a: any) => a.id)).toEqual([ids.accountA]);
    const shr = await http.get(`/api/enterprises/${ids.entA}/ai-accounts?accountType=shared`, {
      token: viewerA,
    });
    expect(shr.body.data.items.map((a: any) => a.id)).toEqual([ids.sharedA]);
  });

  it('rejects the same provider + accountId twice with 409 and writes nothing', async () => {
    const before = await scanAll();
    const storeBefore = JSON.parse(await readFile(join(rt.dataDir, 'secrets', 'secrets.json'), 'utf8'));
    const dup = await http.post(
      `/api/enterprises/${ids.entA}/ai-accounts`,
      {
        name: 'Same project',
        serviceType: 'gemini',
        providerAccountId: 'proj-acme-1',
        apiKey: `${providerKey}2`,
        supportedModels: ['x'],
      },
      { token: adminA },
    );
    expectError(dup, 409, 'CONFLICT');
    const after = await scanAll();
    expect(after.length).toBe(before.length);
    const storeAfter = JSON.parse(await readFile(join(rt.dataDir, 'secrets', 'secrets.json'), 'utf8'));
    expect(Object.keys(storeAfter).sort()).toEqual(Object.keys(storeBefore).sort());
  });

  it('validates bindings and holds dedicated accounts exclusively', async () => {
    const binding = await http.put(
      `/api/groups/${ids.groupA}/resource-binding`,
      {
        bindingMode: 'hybrid',
        bindingConfig: {
          mode: 'hybrid',
          primaryAccounts: [ids.accountA],
          fallbackPools: [{ serviceType: 'openai', priority: 1 }],
        },
        quotaConfig: { dailyTokenLimit: 100000, monthlyBudget: '250.00', priorityLevel: 'high' },
      },
      { token: adminA },
    );
    expect(binding.status, JSON.stringify(binding.body)).toBe(200);
    expect(binding.body.data).toMatchObject({
      bindingMode: 'hybrid',
      loadBalancing: 'round-robin',
      quotaConfig: {
        dailyTokenLimit: 100000,
        monthlyBudget: '250.00',
        budgetCurrency: 'USD',
        warningThreshold: 80,
        alertThreshold: 95,
      },
    });

    const g2 = await http.post(
      `/api/enterprises/${ids.entA}/groups`,
      { name: 'Frontend' },
      { token: adminA },
    );
    ids.groupA2 = g2.body.data.id;
    const taken = await http.put(
      `/api/groups/${ids.groupA2}/resource-binding`,
      {
        bindingMode: 'dedicated',
        bindingConfig: { mode: 'dedicated', accounts: [{ accountId: ids.accountA, priority: 1 }] },
      },
      { token: adminA },
    );
    expectError(taken, 409, 'CONFLICT');

    // Moving group A to a shared pool releases the account, and then group A2 may hold it.
    const toShared = await http.put(
      `/api/groups/${ids.groupA}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai', maxUsagePercent: 60 }] },
      },
      { token: adminA },
    );
    expect(toShared.status).toBe(200);
    const nowFree = await http.put(
      `/api/groups/${ids.groupA2}/resource-binding`,
      {
        bindingMode: 'dedicated',
        bindingConfig: { mode: 'dedicated', accounts: [{ accountId: ids.accountA, priority: 1 }] },
      },
      { token: adminA },
    );
    expect(nowFree.status).toBe(200);

    const sharedNamed = await http.put(
      `/api/groups/${ids.groupA}/resource-binding`,
      {
        bindingMode: 'dedicated',
        bindingConfig: { mode: 'dedicated', accounts: [{ accountId: ids.sharedA, priority: 1 }] },
      },
      { token: adminA },
    );
    expectError(sharedNamed, 400, 'VALIDATION_ERROR');
    const mismatch = await http.put(
      `/api/groups/${ids.groupA}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: { mode: 'dedicated', accounts: [{ accountId: ids.accountA }] },
      },
      { token: adminA },
    );
    expectError(mismatch, 400, 'VALIDATION_ERROR');
  });

  it('issues gateway keys once, stores only their hash, lists them masked and revokes them', async () => {
    const key = await http.post(
      `/api/groups/${ids.groupA}/api-keys`,
      { name: 'ci', userId: ids.userA },
      { token: adminA },
    );
    expect(key.status).toBe(201);
    expect(key.body.data.key).toMatch(/^tg_[A-Za-z0-9_-]{43}$/);
    expect(key.body.data.prefix).toBe(key.body.data.key.slice(0, 12));
    secretsSeen.push(key.body.data.key);
    ids.keyA = key.body.data.id;

    const list = await http.get(`/api/groups/${ids.groupA}/api-keys`, { token: adminA });
    expect(list.body.data.items).toHaveLength(1);
    expect(list.body.data.items[0]).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(key.body.data.key);

    // A gateway key is not a management credential.
    expectError(await http.get('/api/me', { token: key.body.data.key }), 403, 'FORBIDDEN');

    const revoked = await http.del(`/api/api-keys/${ids.keyA}`, { token: adminA });
    expect(revoked.body.data).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    expectError(await http.del(`/api/api-keys/${ids.keyA}`, { token: adminA }), 404, 'NOT_FOUND');
  });

  it('authenticates scoped admin API keys by role, tracks last use and honours revocation', async () => {
    const viewerKey = await http.post(
      `/api/enterprises/${ids.entA}/admin-keys`,
      { name: 'dashboards', role: 'viewer' },
      { token: adminA },
    );
    expect(viewerKey.status).toBe(201);
    const key = viewerKey.body.data.key as string;
    expect(key.startsWith('tgadm_')).toBe(true);
    secretsSeen.push(key);

    const me = await http.get('/api/me', { apiKey: key });
    expect(me.body.data).toMatchObject({ kind: 'admin-key', enterpriseId: ids.entA, roles: ['viewer'] });
    expect((await http.get(`/api/enterprises/${ids.entA}/groups`, { token: key })).status).toBe(200);
    expectError(
      await http.post(`/api/enterprises/${ids.entA}/groups`, { name: 'x' }, { apiKey: key }),
      403,
      'FORBIDDEN',
    );

    const listed = await http.get(`/api/enterprises/${ids.entA}/admin-keys`, { token: adminA });
    expect(listed.body.data.items[0].lastUsedAt).toEqual(expect.any(String));

    await http.del(`/api/api-keys/${viewerKey.body.data.id}`, { token: adminA });
    expectError(await http.get('/api/me', { apiKey: key }), 401, 'UNAUTHORIZED');
  });

  it('enables and disables accounts in bulk, all or nothing', async () => {
    const ok = await http.post(
      `/api/enterprises/${ids.entA}/ai-accounts/bulk-status`,
      { accountIds: [ids.accountA, ids.sharedA], isEnabled: false },
      { token: adminA },
    );
    expect(ok.body.data).toEqual({ updated: 2 });
    expect((await http.get(`/api/ai-accounts/${ids.sharedA}`, { token: adminA })).body.data.isEnabled).toBe(
      false,
    );

    const partial = await http.post(
      `/api/enterprises/${ids.entA}/ai-accounts/bulk-status`,
      { accountIds: [ids.accountA, 'NOSUCHACCOUNT'], isEnabled: true },
      { token: adminA },
    );
    expectError(partial, 404, 'NOT_FOUND');
    expect((await http.get(`/api/ai-accounts/${ids.accountA}`, { token: adminA })).body.data.isEnabled).toBe(
      false,
    );
  });

  it('keeps enterprise B out of everything of enterprise A (403 / 404)', async () => {
    const bGroup = await http.post(
      `/api/enterprises/${ids.entB}/groups`,
      { name: 'B team' },
      { token: adminB },
    );
    const bAccount = await http.post(
      `/api/enterprises/${ids.entB}/ai-accounts`,
      {
        name: 'B claude',
        serviceType: 'claude',
        accountType: 'dedicated',
        providerAccountId: 'b-org',
        apiKey: `${otherProviderKey}B`,
        supportedModels: ['claude-sonnet-4'],
      },
      { token: adminB },
    );
    secretsSeen.push(`${otherProviderKey}B`);
    const asB = { token: adminB };

    expectError(await http.get(`/api/enterprises/${ids.entA}`, asB), 403, 'FORBIDDEN');
    expectError(await http.patch(`/api/enterprises/${ids.entA}`, { name: 'pwned' }, asB), 403, 'FORBIDDEN');
    expectError(await http.get(`/api/enterprises/${ids.entA}/groups`, asB), 403, 'FORBIDDEN');
    expectError(await http.post(`/api/enterprises/${ids.entA}/groups`, { name: 'x' }, asB), 403, 'FORBIDDEN');
    expectError(await http.get(`/api/enterprises/${ids.entA}/ai-accounts`, asB), 403, 'FORBIDDEN');
    expectError(await http.get(`/api/enterprises/${ids.entA}/audit-events`, asB), 403, 'FORBIDDEN');
    expectError(await http.get(`/api/groups/${ids.groupA}`, asB), 404, 'NOT_FOUND');
    expectError(await http.patch(`/api/groups/${ids.groupA}`, { name: 'pwned' }, asB), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/groups/${ids.groupA}/members`, asB), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/groups/${ids.groupA}/api-keys`, asB), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/groups/${ids.groupA}/resource-binding`, asB), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/ai-accounts/${ids.accountA}`, asB), 404, 'NOT_FOUND');
    expectError(
      await http.patch(`/api/ai-accounts/${ids.accountA}`, { isEnabled: true }, asB),
      404,
      'NOT_FOUND',
    );
    expectError(await http.del(`/api/api-keys/${ids.keyA}`, asB), 404, 'NOT_FOUND');
    expectError(
      await http.post(
        `/api/enterprises/${ids.entB}/ai-accounts/bulk-status`,
        { accountIds: [ids.accountA], isEnabled: true },
        asB,
      ),
      404,
      'NOT_FOUND',
    );
    // B may not bind A's account to its own group either.
    expectError(
      await http.put(
        `/api/groups/${bGroup.body.data.id}/resource-binding`,
        {
          bindingMode: 'dedicated',
          bindingConfig: { mode: 'dedicated', accounts: [{ accountId: ids.accountA, priority: 1 }] },
        },
        asB,
      ),
      400,
      'VALIDATION_ERROR',
    );
    // Nor A's usage, dashboard or binding overview.
    expectError(
      await http.get(`/api/groups/${ids.groupA}/usage-stats?startDate=2026-11-01&endDate=2026-11-02`, asB),
      404,
      'NOT_FOUND',
    );
    expectError(await http.get(`/api/enterprises/${ids.entA}/ai-dashboard`, asB), 403, 'FORBIDDEN');
    expectError(await http.get(`/api/groups/${ids.groupA}/resource-binding`, asB), 404, 'NOT_FOUND');
    // And A sees nothing of B's.
    expectError(
      await http.get(`/api/ai-accounts/${bAccount.body.data.id}`, { token: adminA }),
      404,
      'NOT_FOUND',
    );
    // Nothing of A changed.
    const groupA = await http.get(`/api/groups/${ids.groupA}`, { token: adminA });
    expect(groupA.body.data.name).toBe('Backend');
    expect((await http.get(`/api/ai-accounts/${ids.accountA}`, { token: adminA })).body.data.isEnabled).toBe(
      false,
    );
  });

  it('answers bad input with the envelope and a 4xx, never a 5xx', async () => {
    const path = `/api/enterprises/${ids.entA}/groups`;
    const auth = { token: adminA };
    expectError(
      await http.call('POST', path, {
        ...auth,
        rawBody: '{"name": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'VALIDATION_ERROR',
    );
    const wrongType = await http.post(path, { name: 42, maxMembers: 'many' }, auth);
    expectError(wrongType, 400, 'VALIDATION_ERROR');
    expect(wrongType.body.error.details.map((d: any) => d.path)).toEqual(
      expect.arrayContaining(['body.name', 'body.maxMembers']),
    );
    const unknown = await http.post(path, { name: 'ok', isAdmin: true }, auth);
    expectError(unknown, 400, 'VALIDATION_ERROR');
    expect(JSON.stringify(unknown.body.error.details)).toContain('isAdmin');
    expectError(await http.post(path, { name: 'x'.repeat(300 * 1024) }, auth), 413, 'PAYLOAD_TOO_LARGE');
    expectError(
      await http.call('POST', path, {
        ...auth,
        rawBody: '{"name":"x"}',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await http.call('POST', path, { ...auth, headers: { 'content-type': 'application/json' } }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await http.post(path, [1, 2, 3], auth), 400, 'VALIDATION_ERROR');
    expectError(await http.get(`${path}?limit=0`, auth), 400, 'VALIDATION_ERROR');
    expectError(await http.get(`${path}?cursor=not-a-cursor`, auth), 400, 'VALIDATION_ERROR');
    expectError(await http.get(`/api/groups/${'x'.repeat(80)}`, auth), 400, 'VALIDATION_ERROR');
    expectError(
      await http.post(
        `/api/enterprises/${ids.entA}/ai-accounts`,
        {
          name: 'n',
          serviceType: 'openai',
          providerAccountId: 'p',
          apiKey: 'k'.repeat(10),
          supportedModels: ['m'],
          costPerToken: 0.1,
        },
        auth,
      ),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await http.patch(`/api/groups/${ids.groupA}`, {}, auth), 400, 'VALIDATION_ERROR');
    expectError(await http.get(path), 401, 'UNAUTHORIZED');
    expectError(await http.get(path, { token: 'not.a.jwt' }), 401, 'UNAUTHORIZED');
    expectError(await http.get(path, { headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHORIZED');
    expectError(await http.get('/api/nope', auth), 404, 'NOT_FOUND');
    expectError(await http.get(`/api/groups/NOSUCHGROUP`, auth), 404, 'NOT_FOUND');
  });

  it('paginates with opaque cursors', async () => {
    for (let i = 0; i < 3; i++)
      await http.post(`/api/enterprises/${ids.entA}/groups`, { name: `Paged ${i}` }, { token: adminA });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: any = await http.get(`/api/enterprises/${ids.entA}/groups?limit=2${q}`, { token: adminA });
      expect(page.status).toBe(200);
      expect(page.body.data.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.items.map((g: any) => g.id));
      cursor = page.body.data.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(5);
  });

  it('records an audit trail through the queue', async () => {
    let events: any[] = [];
    for (let i = 0; i < 40 && events.length === 0; i++) {
      const res = await http.get(`/api/enterprises/${ids.entA}/audit-events?limit=100`, { token: adminA });
      events = res.body.data.items.filter((e: any) => e.action === 'ai-account.created');
      if (events.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      actor: { subject: 'admin-a', kind: 'user' },
      target: { type: 'ai-account' },
    });
  });

  it('never stores or logs an API key or provider credential in clear', async () => {
    expect(secretsSeen.length).toBeGreaterThanOrEqual(5);
    const items = JSON.stringify(await scanAll());
    const logs = captured.join('');
    expect(logs.length).toBeGreaterThan(0);
    // The flows above logged requests at DEBUG, so the logs saw their Authorization headers.
    expect(logs).toContain('[REDACTED]');
    for (const secret of secretsSeen) {
      expect(items).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain(adminA);
  });
});
