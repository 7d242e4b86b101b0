/** Metering against DynamoDB Local: aggregates always equal the sum of the records, exactly. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { ulid } from 'ulidx';
import { beforeAll, describe, expect, it } from 'vitest';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import type { AggregateScope, Granularity, UsageAggregate, UsageRecord } from '../../shared/ports/metering';
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

/** The scopes a record adds to at a granularity, as the port documents them (group × account by month only). */
const scopesOf = (r: UsageRecord, granularity: Granularity): [AggregateScope, string][] => [
  ['GROUP', r.groupId],
  ['AIACCT', r.accountId],
  ['MODEL', r.model],
  ['GROUPSVC', `${r.groupId}#${r.serviceType}`],
  ['GROUPMODEL', `${r.groupId}#${r.model}`],
  ...(granularity === 'M' ? [['GROUPACCT', `${r.groupId}#${r.accountId}`] as [AggregateScope, string]] : []),
];

/** Aggregates summed independently of the store: `<scope>#<scopeId>` → figures, for one period. */
const expectedAggregates = (records: readonly UsageRecord[], granularity: Granularity, period: string) => {
  const length = { H: 13, D: 10, M: 7 }[granularity];
  const sums = new Map<
    string,
    Omit<UsageAggregate, 'cost'> & { cost: Record<string, Decimal>; users: Set<string> }
  >();
  for (const r of records.filter((r) => r.at.slice(0, length) === period)) {
    for (const [scope, scopeId] of scopesOf(r, granularity)) {
      const key = `${scope}#${scopeId}`;
      const sum = sums.get(key) ?? {
        scope,
        scopeId,
        granularity,
        period,
        requests: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedPromptTokens: 0,
        latencyMsTotal: 0,
        cost: {},
        lastRequestAt: r.at,
        activeUsers: 0,
        users: new Set<string>(),
      };
      sum.requests += 1;
      sum.errors += r.status === 'success' ? 0 : 1;
      sum.promptTokens += r.promptTokens;
      sum.completionTokens += r.completionTokens;
      sum.cachedPromptTokens += r.cachedPromptTokens;
      sum.latencyMsTotal += r.latencyMs;
      sum.cost[r.currency] = (sum.cost[r.currency] ?? new Decimal(0)).plus(r.cost);
      if (r.at > sum.lastRequestAt!) sum.lastRequestAt = r.at;
      // Distinct users are counted on a group's month only; a key without a user is one user.
      if (scope === 'GROUP' && granularity === 'M') sum.users.add(r.userId ?? `key:${r.apiKeyId}`);
      sum.activeUsers = sum.users.size;
      sums.set(key, sum);
    }
  }
  return new Map(
    [...sums].map(([key, { users: _users, ...sum }]) => [
      key,
      { ...sum, cost: Object.fromEntries(Object.entries(sum.cost).map(([c, d]) => [c, d.toFixed()])) },
    ]),
  );
};

/** Every stored aggregate of enterprise E2 for the period equals the independent sum, exactly. */
const expectAggregatesOf = async (
  target: DynamoUsageStore,
  records: readonly UsageRecord[],
  granularity: Granularity,
  period: string,
) => {
  const stored: UsageAggregate[] = [];
  for (const scope of ['GROUP', 'AIACCT', 'MODEL', 'GROUPSVC', 'GROUPMODEL', 'GROUPACCT'])
    stored.push(...(await target.periodAggregates('E2', granularity, period, `${scope}#`)));
  const expected = expectedAggregates(records, granularity, period);
  expect(stored.length).toBe(expected.size);
  for (const aggregate of stored) {
    const want = expected.get(`${aggregate.scope}#${aggregate.scopeId}`);
    // Stored money comes back as the exact decimal DynamoDB holds; compare it as a decimal.
    expect({ ...aggregate, cost: {} }).toEqual({ ...want, cost: {} });
    expect(Object.keys(aggregate.cost).sort()).toEqual(Object.keys(want!.cost).sort());
    for (const [currency, amount] of Object.entries(want!.cost)) {
      expect(new Decimal(aggregate.cost[currency]!).equals(amount), `${aggregate.scope} ${currency}`).toBe(
        true,
      );
    }
  }
};

/** 2 groups × 3 accounts × 2 models over three hours, with sub-cent costs like '0.000123'. */
const batchUsage = (i: number, over: Partial<UsageRecord> = {}): UsageRecord =>
  usage(i, {
    enterpriseId: 'E2',
    groupId: i % 2 ? 'BG1' : 'BG2',
    accountId: ['BA1', 'BA2', 'BA3'][i % 3]!,
    model: i % 4 < 2 ? 'b-model-1' : 'b-model-2',
    serviceType: i % 3 === 2 ? 'bedrock' : 'openai',
    at: `2026-12-01T${String(8 + (i % 3)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07.${String(i).padStart(3, '0')}Z`,
    cost: `0.000${String(100 + ((i * 37) % 900))}`,
    currency: i % 11 === 0 ? 'EUR' : 'USD',
    // Four users, and keys used without a user: distinct users per group month must come out exact.
    userId: i % 5 === 0 ? null : `U${i % 4}`,
    apiKeyId: `K${i % 2}`,
    ...over,
  });

/** A store on a fresh table whose client notes the size of every transaction it sends. */
const observedStore = async () => {
  const tableName = await freshTable('usage-batch');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  });
  const transactions: number[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const items = (args.input as { TransactItems?: unknown[] }).TransactItems;
      if (items) transactions.push(items.length);
      return next(args);
    },
    { step: 'initialize' },
  );
  return { store: new DynamoUsageStore(client, tableName), transactions, tableName };
};

describe('usage store batches', () => {
  it('writes a batch whose aggregates equal the sum of its records exactly, split into transactions of ≤ 100 items', async () => {
    const { store: target, transactions } = await observedStore();
    const records = Array.from({ length: 60 }, (_, i) => batchUsage(i));
    expect(await target.recordBatch(records)).toEqual({ recorded: 60, duplicates: 0 });

    const stored = [
      ...(await target.recordsOfGroupDay('BG1', '2026-12-01')),
      ...(await target.recordsOfGroupDay('BG2', '2026-12-01')),
    ];
    expect(stored.map((r) => r.requestId).sort()).toEqual(records.map((r) => r.requestId).sort());
    expect(stored.find((r) => r.requestId === records[7]!.requestId)).toEqual(records[7]);

    await expectAggregatesOf(target, records, 'M', '2026-12');
    await expectAggregatesOf(target, records, 'D', '2026-12-01');
    for (const hour of ['08', '09', '10'])
      await expectAggregatesOf(target, records, 'H', `2026-12-01T${hour}`);
    const [group] = await target.aggregates('GROUP', 'BG1', 'D', '2026-12-01');
    expect(group!.cost.USD).toMatch(/^0\.\d+$/);

    // 60 puts alone need more than one transaction; merging keeps the count far below 60.
    expect(transactions.length).toBeGreaterThan(1);
    expect(transactions.length).toBeLessThan(6);
    expect(Math.max(...transactions)).toBeLessThanOrEqual(100);
  });

  it('splits a batch so that no transaction exceeds 100 items', async () => {
    const { store: target, transactions } = await observedStore();
    // One group, account, model and hour: 16 aggregates, so 84 puts fill the first transaction.
    const records = Array.from({ length: 150 }, (_, i) =>
      batchUsage(i, {
        groupId: 'BG1',
        accountId: 'BA1',
        model: 'b-model-1',
        serviceType: 'openai',
        at: `2026-12-02T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
      }),
    );
    expect(await target.recordBatch(records)).toEqual({ recorded: 150, duplicates: 0 });
    expect(transactions).toEqual([100, 66 + 16]);
    expect(await target.recordsOfGroupDay('BG1', '2026-12-02')).toHaveLength(150);
    await expectAggregatesOf(target, records, 'H', '2026-12-02T10');
    await expectAggregatesOf(target, records, 'M', '2026-12');
  });

  it('counts a batch containing already stored or repeated records once', async () => {
    const { store: target } = await observedStore();
    const records = Array.from({ length: 30 }, (_, i) => batchUsage(i));
    // A retry: five were stored by an earlier attempt, and one is repeated inside the batch.
    expect(await target.recordBatch(records.slice(0, 5))).toEqual({ recorded: 5, duplicates: 0 });
    const retried = [...records, records[12]!];
    expect(await target.recordBatch(retried)).toEqual({ recorded: 25, duplicates: 6 });
    expect(await target.recordBatch(records)).toEqual({ recorded: 0, duplicates: 30 });
    expect(await target.record(records[3]!)).toBe('duplicate');

    await expectAggregatesOf(target, records, 'D', '2026-12-01');
    await expectAggregatesOf(target, records, 'H', '2026-12-01T09');
  });

  it('keeps lastRequestAt at the latest record when instances land batches out of order', async () => {
    const { store: first, tableName } = await observedStore();
    const second = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
    const late = [
      batchUsage(1, { at: '2026-12-01T09:59:00.000Z' }),
      batchUsage(3, { at: '2026-12-01T09:10:00.000Z' }),
    ];
    await first.recordBatch(late);
    // Another instance's older batch, with a retried record, lands after: counted, not moved back.
    const early = [batchUsage(5, { at: '2026-12-01T09:05:00.000Z' }), late[0]!];
    expect(await second.recordBatch(early)).toEqual({ recorded: 1, duplicates: 1 });
    const [hour] = await second.aggregates('GROUP', 'BG1', 'H', '2026-12-01T09');
    expect(hour).toMatchObject({ requests: 3, lastRequestAt: '2026-12-01T09:59:00.000Z' });

    const later = batchUsage(7, { at: '2026-12-01T23:00:00.000Z' });
    const older = batchUsage(9, { at: '2026-12-01T09:01:00.000Z' });
    expect(await second.record(later)).toBe('recorded');
    expect(await first.record(older)).toBe('recorded');
    const records = [...late, early[0]!, later, older];
    await expectAggregatesOf(first, records, 'H', '2026-12-01T09');
    await expectAggregatesOf(first, records, 'D', '2026-12-01');
    await expectAggregatesOf(first, records, 'M', '2026-12');
  });
});
