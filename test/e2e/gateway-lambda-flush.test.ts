/**
 * Lambda may freeze an instance between invocations, so there the router stores each call's usage
 * before the invocation ends instead of waiting for its batch timer. The batch timer is set far
 * beyond the test's patience: the records can only arrive in time through the per-response flush.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { createAiAccount } from '../factories/ai-accounts';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let upstream: FakeOpenAi;
let client: OpenAI;
let groupId: string;

beforeAll(async () => {
  // Read by the router when the runtime loads it (one module instance per test file).
  process.env.GATEWAY_FLUSH_EACH_RESPONSE = 'true';
  process.env.GATEWAY_METERING_DELAY_MS = '60000';
  upstream = await startFakeOpenAi({ apiKey: 'sk-lambda-flush-0000000' });
  rt = await startTestRuntime();
  const http = api(rt.apiUrl);
  const token = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  const enterpriseId = (await http.post('/api/enterprises', { name: 'Frozen' }, { token })).body.data.id;
  groupId = (await http.post(`/api/enterprises/${enterpriseId}/groups`, { name: 'g' }, { token })).body.data
    .id;
  await createAiAccount(http, token, enterpriseId, {
    name: 'a',
    apiKey: 'sk-lambda-flush-0000000',
    endpoint: upstream.url,
    supportedModels: ['gpt-4o-mini'],
  });
  await http.put(
    `/api/groups/${groupId}/resource-binding`,
    {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'openai' }] },
      quotaConfig: { dailyTokenLimit: 100_000 },
    },
    { token },
  );
  const key = (await http.post(`/api/groups/${groupId}/api-keys`, { name: 'k' }, { token })).body.data.key;
  client = new OpenAI({ apiKey: key, baseURL: `${rt.apiUrl}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  delete process.env.GATEWAY_FLUSH_EACH_RESPONSE;
  delete process.env.GATEWAY_METERING_DELAY_MS;
  await rt?.stop();
  await upstream?.close();
});

describe('metering when each invocation may be the last (Lambda)', () => {
  it('stores a call’s usage right after its response, without waiting for the batch', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'store me now' }],
    });
    const store = new DynamoUsageStore(exactNumbersDocumentClient(), rt.tableName);
    const requestId = completion.id.replace(/^chatcmpl-/, '');
    // Well under the 60 s batch delay: only the per-response flush can have written it.
    await expect
      .poll(
        async () =>
          (await store.recordsOfGroupDay(groupId, new Date().toISOString().slice(0, 10))).some(
            (r) => r.requestId === requestId,
          ),
        { timeout: 3_000, interval: 50 },
      )
      .toBe(true);
  });
});
