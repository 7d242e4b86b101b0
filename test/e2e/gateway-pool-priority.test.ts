/**
 * Shared pool capacity through the gateway: the pool's daily capacity is its accounts' daily
 * limits, today's use comes from the usage aggregates, and as the pool fills a low-priority group is
 * cut (429) while a high-priority group is still served.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { settledRecords } from '../factories/metering';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

const MODEL = 'gpt-4o-mini';
/** Two accounts of 100 tokens a day: the pool holds 200. */
const ACCOUNT_DAILY_LIMIT = 100;

let rt: TestRuntime;
let upstream: FakeOpenAi;
const clients: Record<'high' | 'low', OpenAI> = {} as never;
const groups: Record<'high' | 'low', string> = {} as never;

beforeAll(async () => {
  upstream = await startFakeOpenAi({ apiKey: 'sk-pool-priority-000000' });
  rt = await startTestRuntime();
  const http = api(rt.apiUrl);
  const auth = { token: await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] }) };
  const enterpriseId = (await http.post('/api/enterprises', { name: 'Pooled' }, auth)).body.data.id;
  for (const name of ['a', 'b']) {
    await createAiAccount(http, auth.token, enterpriseId, {
      name,
      apiKey: 'sk-pool-priority-000000',
      endpoint: upstream.url,
      supportedModels: [MODEL],
      dailyLimit: ACCOUNT_DAILY_LIMIT,
    });
  }
  for (const priorityLevel of ['high', 'low'] as const) {
    const groupId = (
      await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: priorityLevel }, auth)
    ).body.data.id;
    const binding = await http.put(
      `/api/groups/${groupId}/resource-binding`,
      {
        bindingMode: 'shared',
        bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100 }] },
        quotaConfig: { dailyTokenLimit: 1_000_000, priorityLevel },
      },
      auth,
    );
    expect(binding.status, JSON.stringify(binding.body)).toBe(200);
    const key = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'k' }, auth)).body.data.key;
    clients[priorityLevel] = new OpenAI({ apiKey: key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
    groups[priorityLevel] = groupId;
  }
});

afterAll(async () => {
  await rt?.stop();
  await upstream?.close();
});

const ask = (level: 'high' | 'low', content: string) =>
  clients[level].chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content }],
    max_tokens: 8,
  });

describe('pool priority levels', () => {
  it('cuts the low-priority group once the pool is 80 % used, and keeps serving the high-priority one', async () => {
    // The high-priority group fills the pool to between 80 % and 100 % of its 200 tokens.
    let used = 0;
    for (let i = 0; used < 165; i++) {
      const answer = await ask('high', `fill ${i}`);
      used += answer.usage!.total_tokens;
    }
    expect(used).toBeLessThan(2 * ACCOUNT_DAILY_LIMIT);
    await settledRecords(rt.tableName, groups.high, new Date().toISOString().slice(0, 10));
    // Routing reads today's totals at most every 5 s per group.
    await new Promise((resolve) => setTimeout(resolve, 5_200));

    await expect(ask('low', 'may I?')).rejects.toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const served = await ask('high', 'still me');
    expect(served.choices[0]?.message.content).toContain('still me');
  });
});
