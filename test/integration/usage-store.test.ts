/** Metering against DynamoDB Local: aggregates always equal the sum of the records, exactly. */
import Decimal from 'decimal.js';
import { ulid } from 'ulidx';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import type { UsageRecord } from '../../shared/ports/metering';
import { freshTable } from '../factories/dynamo-table';

let store: DynamoUsageStore;

beforeAll(async () => {
  const tableName = await freshTable('usage');
  store = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
});

const usage = (i: number, over: Partial<UsageRecord> = {}): UsageRecord => ({
  requestId: ulid(),
  at: `2026-11-24T${String(10 + (i % 3)).padStart(2, '0')}:15:00.000Z`,
  enterpriseId: 'E1',
  groupId: 'G1',
  userId: null,
  apiKeyId: 'K1',
  accountId: i % 2 ? 'A1' : 'A2',
  serviceType: 'openai',
  model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
  requestType: 'chat',
  promptTokens: 100 + i,
  completionTokens: 50 + (i % 7),
  cachedPromptTokens: i % 5,
  // Sub-cent amounts with 9 decimals: a float sum of these drifts, a decimal sum must not.
  cost: `0.${String(1_000_003 * (i + 1))
    .padStart(9, '0')
    .slice(-9)}`,
  currency: 'USD',
  latencyMs: 20 + i,
  status: i % 10 === 0 ? 'error' : 'success',
  errorCode: i % 10 === 0 ? 'UPSTREAM_ERROR' : null,
  estimated: false,
  failovers: [],
  ...over,
});

describe('usage store', () => {
  it('keeps aggregates equal to the sum of the records under concurrency and retries', async () => {
    const records = Array.from({ length: 120 }, (_, i) => usage(i));
    // Every tenth record is written twice, as a retried write would be.
    const writes = [...records, ...records.filter((_, i) => i % 10 === 0)];
    const outcomes = await Promise.all(writes.map((r) => store.record(r)));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(120);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(12);

    const stored = await store.recordsOfGroupDay('G1', '2026-11-24');
    expect(stored).toHaveLength(120);
    const exactSum = stored.reduce((sum, r) => sum.plus(r.cost), new Decimal(0));
    expect(exactSum.equals(records.reduce((sum, r) => sum.plus(r.cost), new Decimal(0)))).toBe(true);

    const [day] = await store.aggregates('GROUP', 'G1', 'D', '2026-11-24');
    expect(day).toMatchObject({
      requests: 120,
      errors: 12,
      promptTokens: stored.reduce((s, r) => s + r.promptTokens, 0),
      completionTokens: stored.reduce((s, r) => s + r.completionTokens, 0),
    });
    expect(new Decimal(day!.cost.USD!).equals(exactSum)).toBe(true);

    const hours = await store.aggregates('GROUP', 'G1', 'H', '2026-11-24');
    expect(hours.map((h) => h.period)).toEqual(['2026-11-24T10', '2026-11-24T11', '2026-11-24T12']);
    expect(hours.reduce((s, h) => s.plus(h.cost.USD!), new Decimal(0)).equals(exactSum)).toBe(true);

    const [month] = await store.aggregates('GROUP', 'G1', 'M', '2026-11');
    expect(month!.requests).toBe(120);
    const models = [
      ...(await store.aggregates('MODEL', 'gpt-4o', 'D', '2026-11-24')),
      ...(await store.aggregates('MODEL', 'gpt-4o-mini', 'D', '2026-11-24')),
    ];
    expect(models.reduce((s, m) => s + m.requests, 0)).toBe(120);
    const accounts = await store.aggregates('AIACCT', 'A1', 'D', '2026-11-24');
    expect(accounts[0]!.requests).toBe(60);
  });
});
