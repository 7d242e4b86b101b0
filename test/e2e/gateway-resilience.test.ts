/**
 * Failover under load over HTTP: a shared pool of three accounts where one hangs (then answers
 * 500). 1,000 chat completions through the gateway: at least 99.9 % succeed, the bad account's
 * circuit opens (shared through the table), its failures are visible in the usage records as
 * failovers, and once it recovers the circuit closes again after the cooldown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { DynamoCircuitStore } from '../../shared/adapters/dynamo/circuit-store';
import { defaultCircuitSettings } from '../../shared/domain/gateway/circuit';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { settledRecords } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const MODEL = 'gpt-4o-mini';
const ATTEMPT_TIMEOUT_MS = 400;
const COOLDOWN_MS = 2_000;

let rt: TestRuntime;
const upstreams: FakeOpenAi[] = [];
const accountIds: string[] = [];
let groupId: string;
let key: string;

beforeAll(async () => {
  // Read by the router when the runtime loads it (one module instance per test file).
  process.env.GATEWAY_ATTEMPT_TIMEOUT_MS = String(ATTEMPT_TIMEOUT_MS);
  process.env.GATEWAY_CIRCUIT_COOLDOWN_MS = String(COOLDOWN_MS);
  for (let i = 0; i < 3; i++)
    upstreams.push(await startFakeOpenAi({ apiKey: `sk-resilience-${i}-0000000000` }));
  rt = await startTestRuntime();
  const http = api(rt.apiUrl);
  const auth = { token: await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] }) };
  const enterpriseId = (await http.post('/api/enterprises', { name: 'Resilient' }, auth)).body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'Load' }, auth)).body.data.id;
  for (const [i, upstream] of upstreams.entries()) {
    accountIds.push(
      await createAiAccount(http, auth.token, enterpriseId, {
        name: `pool ${i}`,
        apiKey: `sk-resilience-${i}-0000000000`,
        endpoint: upstream.url,
        supportedModels: [MODEL],
        dailyLimit: 0,
      }),
    );
  }
  await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai' }] },
      loadBalancing: 'round-robin',
      quotaConfig: { dailyTokenLimit: 100_000_000 },
    },
    auth,
  );
  key = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'load' }, auth)).body.data.key;
});

afterAll(async () => {
  delete process.env.GATEWAY_ATTEMPT_TIMEOUT_MS;
  delete process.env.GATEWAY_CIRCUIT_COOLDOWN_MS;
  await rt?.stop();
  await Promise.all(upstreams.map((u) => u.close()));
});

const chat = async (i: number): Promise<number> => {
  const res = await fetch(`${rt.apiUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: `load ${i}` }],
      max_tokens: 16,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
};

/** `total` calls, `concurrency` at a time; the status of each. */
const load = async (total: number, concurrency: number): Promise<number[]> => {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) statuses.push(await chat(next++));
    }),
  );
  return statuses;
};

const circuit = async (accountId: string) =>
  (
    await new DynamoCircuitStore(
      buildEntities(dynamoDocumentClient(), rt.tableName),
      defaultCircuitSettings,
    ).states([accountId], MODEL)
  ).get(accountId);

const chatCalls = (upstream: FakeOpenAi) =>
  upstream.requests.filter((r) => r.path === '/v1/chat/completions').length;

describe('failover under load', () => {
  it('serves ≥ 99.9 % of 1,000 calls while one pool account hangs, and opens its circuit', async () => {
    const [, , bad] = upstreams;
    bad!.setMode({ kind: 'hang' });
    const statuses = await load(1_000, 20);
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok / statuses.length).toBeGreaterThanOrEqual(0.999);

    // The breaker took the hanging account out of rotation: it saw a handful of calls, not a third.
    expect(chatCalls(bad!)).toBeLessThan(60);
    const state = await circuit(accountIds[2]!);
    expect(state?.openUntil ?? 0).toBeGreaterThan(0);

    const records = await settledRecords(rt.tableName, groupId, new Date().toISOString().slice(0, 10));
    expect(records.filter((r) => r.status === 'success')).toHaveLength(ok);
    const failedOver = records.filter((r) => r.failovers.some((f) => f.accountId === accountIds[2]));
    expect(failedOver.length).toBeGreaterThan(0);
    expect(failedOver.every((r) => r.failovers.every((f) => f.failure === 'timeout'))).toBe(true);
    expect(failedOver.every((r) => r.accountId !== accountIds[2])).toBe(true);
  });

  it('keeps the account out while it answers 500, and closes the circuit after the cooldown once it recovers', async () => {
    const [, , bad] = upstreams;
    bad!.setMode({ kind: 'server_error' });
    const before = chatCalls(bad!);
    expect((await load(60, 6)).every((s) => s === 200)).toBe(true);
    // Open circuit: at most a probe per cooldown reaches it.
    expect(chatCalls(bad!) - before).toBeLessThanOrEqual(2);

    bad!.setMode({ kind: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 1_200));
    // After the cooldown one call probes it; success closes the circuit and round-robin includes it again.
    const after = chatCalls(bad!);
    expect((await load(30, 3)).every((s) => s === 200)).toBe(true);
    expect(chatCalls(bad!) - after).toBeGreaterThanOrEqual(5);
    expect(await circuit(accountIds[2]!)).toMatchObject({ failures: 0, openUntil: 0 });
  });
});
