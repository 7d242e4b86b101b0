/**
 * Strict quotas across gateway processes: three child processes, each a whole local runtime
 * (infra/local/gateway-process.ts), share the run's DynamoDB Local, one table and one data dir.
 * 200 concurrent chat completions over HTTP, spread round-robin, hit a group whose daily limit
 * admits 50; then a process holding a lease is killed and another reclaims what it left.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOrCreateSigningKey } from '../../infra/local/auth-keys';
import { spawnService } from '../../infra/local/processes';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities, type TollgateService } from '../../shared/adapters/dynamo/entities';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { promptTokenBound } from '../../shared/usecases/gateway';
import { freshTable } from '../factories/dynamo-table';
import { promptTokens, startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';

/** Short, so the reclaim scenario fits the test; the gate heartbeats at TTL/3 and goes idle after TTL/3. */
const LEASE_TTL_MS = 3_000;
const MODEL = 'gpt-4o-mini';
const UPSTREAM_KEY = 'sk-upstream-mp-000000000000';
const MAX_TOKENS = 1_000;
/** Every answer is longer than MAX_TOKENS tokens, so each call uses exactly its output budget. */
const REPLY = 'x'.repeat(MAX_TOKENS * 4 + 100);
const day = new Date().toISOString().slice(0, 10);

interface GatewayProcess {
  child: ChildProcess;
  apiUrl: string;
  token: string;
  exited: Promise<number | null>;
}

const processes: GatewayProcess[] = [];
let upstream: FakeOpenAi;
let dataDir: string;
let tableName: string;
let db: TollgateService;

const startGatewayProcess = async (): Promise<GatewayProcess> => {
  const service = await spawnService<{ apiUrl: string; token: string }>(
    'infra/local/gateway-process.ts',
    'gatewayProcess',
    {
      TG_DYNAMO_ENDPOINT: inject('dynamoEndpoint'),
      TG_TABLE_NAME: tableName,
      TG_DATA_DIR: dataDir,
      GATEWAY_LEASE_TTL_MS: String(LEASE_TTL_MS),
    },
    { timeoutMs: 40_000 },
  );
  const { child } = service;
  const exited = new Promise<number | null>((done) =>
    child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code)),
  );
  const started = { child, ...service.info, exited };
  processes.push(started);
  return started;
};

const chat = async (
  apiUrl: string,
  key: string,
  content: string,
  maxTokens = MAX_TOKENS,
): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${apiUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: maxTokens }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, body: await res.json() };
};

/** The worst case the gateway reserves for one call: its prompt bound plus the output budget. */
const worstCase = (content: string, maxTokens = MAX_TOKENS) =>
  promptTokenBound({ model: MODEL, messages: [{ role: 'user', content }], maxTokens }) + maxTokens;

const counterOf = async (groupId: string) =>
  (await db.entities.quotaCounter.get({ groupId, counter: `D#${day}` }).go({ consistent: true })).data;

const leasesOf = async (groupId: string) =>
  (await db.entities.quotaLease.query.byHolder({ groupId, counter: `D#${day}` }).go({ consistent: true }))
    .data;

const usage = () => new DynamoUsageStore(exactNumbersDocumentClient(), tableName);

/** Sum of the group's usage records, checked against its day aggregate (which must agree exactly). */
const meteredTokens = async (groupId: string): Promise<{ records: number; tokens: number }> => {
  const records = await usage().recordsOfGroupDay(groupId, day);
  const [aggregate] = await usage().aggregates('GROUP', groupId, 'D', day);
  const prompt = records.reduce((s, r) => s + r.promptTokens, 0);
  const completion = records.reduce((s, r) => s + r.completionTokens, 0);
  const cost = records.reduce((s, r) => s.plus(r.cost), new Decimal(0));
  expect(aggregate).toMatchObject({
    requests: records.length,
    promptTokens: prompt,
    completionTokens: completion,
  });
  expect(new Decimal(aggregate!.cost.USD ?? '0').equals(cost)).toBe(true);
  return { records: records.length, tokens: prompt + completion };
};

const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
};

let admin: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;

/** A group on the shared fake upstream with a daily token limit, and a key for it. */
const groupWithLimit = async (name: string, dailyTokenLimit: number) => {
  const auth = { token };
  const groupId = (await admin.post(`/api/enterprises/${enterpriseId}/groups`, { name }, auth)).body.data.id;
  const binding = await admin.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: {
        mode: 'shared',
        poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
      },
      quotaConfig: { dailyTokenLimit },
    },
    auth,
  );
  expect(binding.status, JSON.stringify(binding.body)).toBe(200);
  const key = await admin.post(`/api/groups/${groupId}/api-keys`, { name: 'load' }, auth);
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { groupId, key: key.body.data.key as string };
};

beforeAll(async () => {
  tableName = await freshTable('multiprocess');
  db = buildEntities(dynamoDocumentClient(), tableName);
  dataDir = await mkdtemp(join(tmpdir(), 'tollgate-mp-'));
  upstream = await startFakeOpenAi({ apiKey: UPSTREAM_KEY, models: [MODEL], reply: () => REPLY });
  // The shared signing key exists before the processes start, so none of them races to create it.
  await loadOrCreateSigningKey(join(dataDir, 'auth'));
  const [first] = await Promise.all([startGatewayProcess(), startGatewayProcess(), startGatewayProcess()]);
  token = first.token;
  admin = api(first.apiUrl);
  enterpriseId = (await admin.post('/api/enterprises', { name: 'Multi Co' }, { token })).body.data.id;
  await createAiAccount(admin, token, enterpriseId, {
    name: 'pool',
    accountType: 'shared',
    apiKey: UPSTREAM_KEY,
    endpoint: upstream.url,
    supportedModels: [MODEL],
    // This test is about the group's strict quota; the account itself is unlimited.
    dailyLimit: 0,
  });
}, 90_000);

afterAll(async () => {
  for (const p of processes)
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  await upstream?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('strict quota over three gateway processes', () => {
  let burstGroup: string;

  it('admits no more than the limit from 200 concurrent calls; every other call is a 429', async () => {
    const content = (i: number) => `call ${String(i).padStart(3, '0')}`;
    const W = worstCase(content(0));
    // What one call really uses: the fake's prompt count plus the whole output budget.
    const used = promptTokens([{ content: content(0) }]) + MAX_TOKENS;
    const limit = 50 * W;
    // Then spend ≤ limit implies ≤ 50 calls, even though each settles a little below its reservation.
    expect(51 * used).toBeGreaterThan(limit);
    const { groupId, key } = await groupWithLimit('Burst', limit);
    burstGroup = groupId;

    // Watch the shared counter while the burst runs: spend recorded never passes the limit.
    let sampling = true;
    const samples: { granted: number; spent: number }[] = [];
    const sampler = (async () => {
      while (sampling) {
        const [counter, leases] = await Promise.all([counterOf(groupId), leasesOf(groupId)]);
        if (counter)
          samples.push({ granted: counter.granted, spent: leases.reduce((s, l) => s + (l.spent ?? 0), 0) });
        await sleep(20);
      }
    })();
    // Warm each process's key and account caches, so the burst reaches the quota gates together.
    for (const p of processes) {
      const models = await fetch(`${p.apiUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(models.status).toBe(200);
    }
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => chat(processes[i % 3]!.apiUrl, key, content(i))),
    );
    sampling = false;
    await sampler;

    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(ok.length).toBeLessThanOrEqual(50);
    // Units a burst can leave unused at the end: under one worst case in each process's lease and
    // on the counter (else the last refused call would have fit), plus the 16 tokens each admitted
    // call settled below its reservation: 4 × 1 023 + 50 × 16 < 5 × 1 024, so at least 46 pass.
    expect(ok.length).toBeGreaterThanOrEqual(46);
    for (const answer of ok) expect(answer.body.usage.total_tokens).toBe(used);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual({
        error: {
          message: expect.any(String),
          type: 'insufficient_quota',
          param: null,
          code: 'QUOTA_EXCEEDED',
        },
      });
    }
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.granted).toBeLessThanOrEqual(limit);
      expect(sample.spent).toBeLessThanOrEqual(sample.granted);
    }

    // Settled spend is written in the background and idle leases go back (after TTL/3): then the
    // counter holds exactly what was metered, and the aggregates equal the sum of the records.
    await waitFor('idle leases returned', async () =>
      (await leasesOf(groupId)).length === 0 ? true : undefined,
    );
    const metered = await meteredTokens(groupId);
    expect(metered).toEqual({ records: ok.length, tokens: ok.length * used });
    expect((await counterOf(groupId))?.granted).toBe(metered.tokens);
  }, 40_000);

  let reclaimGroup: { groupId: string; key: string };

  it('reclaims the lease of a killed process when another process needs its units', async () => {
    const small = 'lease me';
    const W = worstCase(small);
    const limit = 100 * W;
    reclaimGroup = await groupWithLimit('Reclaim', limit);
    const { groupId, key } = reclaimGroup;
    const [victim, survivor] = [processes[0]!, processes[1]!];
    expect(processes).toHaveLength(3);

    expect((await chat(victim.apiUrl, key, small)).status).toBe(200);
    const used = promptTokens([{ content: small }]) + MAX_TOKENS;
    // Its spend reaches the table within a background round; kill it before its lease goes idle.
    const lease = await waitFor('spend written', async () => {
      const [l] = await leasesOf(groupId);
      return l?.spent === used ? l : undefined;
    });
    victim.child.kill('SIGKILL');
    await victim.exited;
    // A tenth of the limit was leased; all of it but one call's use is unspent.
    expect(lease.amount).toBe(limit / 10);
    expect((await counterOf(groupId))?.granted).toBe(limit / 10);

    // A call that needs more than the counter has left without the dead lease's unspent units.
    const bigTokens = limit - limit / 10 - worstCase(small, 0) + 1;
    const big = worstCase(small, bigTokens);
    expect(big).toBeGreaterThan(limit - limit / 10);
    expect(big).toBeLessThanOrEqual(limit - used);
    const early = await chat(survivor.apiUrl, key, small, bigTokens);
    expect(early.status).toBe(429);

    // Once the dead lease has expired, the refusal reclaims it and the call is admitted.
    const reclaimableAt = (lease.leaseExpiresAt + 1) * 1000;
    await sleep(Math.max(0, reclaimableAt - Date.now()) + 100);
    const late = await chat(survivor.apiUrl, key, small, bigTokens);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect((await leasesOf(groupId)).map((l) => l.instanceId)).not.toContain(lease.instanceId);
    // Once the survivor's lease went back idle, the counter holds the two calls' use and nothing
    // else: the dead lease's unspent units were returned.
    await waitFor('idle lease returned', async () =>
      (await leasesOf(groupId)).length === 0 ? true : undefined,
    );
    expect((await counterOf(groupId))?.granted).toBe(used + late.body.usage.total_tokens);
  }, 30_000);

  it('leaves no lease and no unwritten spend behind when the processes stop on SIGTERM', async () => {
    const { groupId, key } = reclaimGroup;
    const live = processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    expect(live).toHaveLength(2);
    const calls = await Promise.all(live.map((p, i) => chat(p.apiUrl, key, `last ${i}`)));
    expect(calls.map((c) => c.status)).toEqual([200, 200]);

    // Stopped right after their last calls: spend settled moments ago must still reach the table.
    for (const p of live) p.child.kill('SIGTERM');
    expect(await Promise.all(live.map((p) => p.exited))).toEqual([0, 0]);

    for (const group of [burstGroup, groupId]) {
      expect(await leasesOf(group)).toEqual([]);
      const metered = await meteredTokens(group);
      expect((await counterOf(group))?.granted).toBe(metered.tokens);
    }
  }, 20_000);
});
