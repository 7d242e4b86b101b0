/** The scheduled health check through the local runtime, against fake OpenAI upstreams. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { DynamoHealthRepository } from '../../shared/adapters/dynamo/health-repository';
import { startFakeOpenAi, type FakeOpenAi } from '../factories/fake-openai';
import { createAiAccount } from '../factories/ai-accounts';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let good: FakeOpenAi;
let flaky: FakeOpenAi;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  good = await startFakeOpenAi({ apiKey: 'sk-good-000000000000' });
  flaky = await startFakeOpenAi({ apiKey: 'sk-flaky-00000000000' });
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  token = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (await http.post('/api/enterprises', { name: 'Health Co' }, { token })).body.data.id;
  for (const [name, upstream, key] of [
    ['good', good, 'sk-good-000000000000'],
    ['flaky', flaky, 'sk-flaky-00000000000'],
  ] as const) {
    ids[name] = await createAiAccount(http, token, enterpriseId, {
      name,
      apiKey: key,
      endpoint: upstream.url,
      supportedModels: ['gpt-4o-mini'],
    });
  }
});

afterAll(async () => {
  await rt?.stop();
  await good?.close();
  await flaky?.close();
});

const status = async (name: string) =>
  (await http.get(`/api/ai-accounts/${ids[name]}`, { token })).body.data.status;

describe('account health check', () => {
  it('marks a failing account as error, notifies, and brings it back when it recovers', async () => {
    flaky.setMode({ kind: 'server_error' });
    expect(await rt.runJobNow('account-health')).toEqual({ checked: 2, unhealthy: 1, recovered: 0 });
    expect(await status('good')).toBe('active');
    expect(await status('flaky')).toBe('error');
    const probe = good.requests.at(-1)!;
    expect(probe.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1 });

    flaky.setMode({ kind: 'ok' });
    expect(await rt.runJobNow('account-health')).toEqual({ checked: 2, unhealthy: 0, recovered: 1 });
    expect(await status('flaky')).toBe('active');

    const db = buildEntities(dynamoDocumentClient(), rt.tableName);
    const history = await new DynamoHealthRepository(db).history(ids.flaky!, 10);
    expect(history.map((h) => h.isHealthy)).toEqual([true, false]);
    expect(history[1]!.errorMessage).toMatch(/^server_error/);
    const { data: alerts } = await db.entities.alert.query.byEnterprise({ enterpriseId }).go();
    expect(alerts.map((a) => [a.kind, a.severity])).toEqual([
      ['ai-account.unhealthy', 'critical'],
      ['ai-account.recovered', 'info'],
    ]);
  });

  it('treats a rate-limited account as alive', async () => {
    flaky.setMode({ kind: 'rate_limited' });
    expect(await rt.runJobNow('account-health')).toEqual({ checked: 2, unhealthy: 0, recovered: 0 });
    expect(await status('flaky')).toBe('active');
  });
});
