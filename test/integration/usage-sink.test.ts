/** Write-behind metering against DynamoDB Local: batches by size and time, flush, retries, failures. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Decimal from 'decimal.js';
import { ulid } from 'ulidx';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { ensureTable } from '../../shared/adapters/dynamo/ensure-table';
import { BufferedUsageSink } from '../../shared/adapters/dynamo/usage-sink';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import type { UsageRecord } from '../../shared/ports/metering';
import { freshTable } from '../factories/dynamo-table';

let store: DynamoUsageStore;

beforeAll(async () => {
  store = new DynamoUsageStore(exactNumbersDocumentClient(), await freshTable('usage-sink'));
});

const usage = (groupId: string, i: number): UsageRecord => ({
  requestId: ulid(),
  at: `2026-11-25T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
  enterpriseId: 'E1',
  groupId,
  userId: null,
  apiKeyId: 'K1',
  accountId: i % 2 ? 'A1' : 'A2',
  serviceType: 'openai',
  model: 'gpt-4o',
  requestType: 'chat',
  promptTokens: 10 + i,
  completionTokens: 5,
  cachedPromptTokens: 0,
  cost: `0.000${String(101 + i)}`,
  currency: 'USD',
  latencyMs: 30,
  status: 'success',
  errorCode: null,
  estimated: false,
  failovers: [],
});

const storedIds = async (target: DynamoUsageStore, groupId: string) =>
  (await target.recordsOfGroupDay(groupId, '2026-11-25')).map((r) => r.requestId).sort();

/** The store's batches, counted on their way to the real one. */
const counting = (target: DynamoUsageStore) => {
  const batches: number[] = [];
  return {
    batches,
    recordBatch: (records: readonly UsageRecord[]) => {
      batches.push(records.length);
      return target.recordBatch(records);
    },
  };
};

describe('buffered usage sink', () => {
  it('writes a batch as soon as maxBatch records wait, without a flush', async () => {
    const inner = counting(store);
    const onError = vi.fn();
    const sink = new BufferedUsageSink(inner, onError, { maxBatch: 5, maxDelayMs: 60_000 });
    const records = Array.from({ length: 8 }, (_, i) => usage('S-size', i));
    for (const r of records) sink.write(r);

    await vi.waitFor(async () => expect(await storedIds(store, 'S-size')).toHaveLength(5), {
      timeout: 10_000,
      interval: 50,
    });
    // The other three wait for the (long) timer or a flush.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedIds(store, 'S-size')).toHaveLength(5);
    await sink.flush();
    expect(await storedIds(store, 'S-size')).toEqual(records.map((r) => r.requestId).sort());
    expect(inner.batches).toEqual([5, 3]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('writes what waits once maxDelayMs has passed since the first record, without a flush', async () => {
    const inner = counting(store);
    const onError = vi.fn();
    const sink = new BufferedUsageSink(inner, onError, { maxBatch: 100, maxDelayMs: 400 });
    const records = Array.from({ length: 3 }, (_, i) => usage('S-timer', i));
    for (const r of records) sink.write(r);
    expect(await storedIds(store, 'S-timer')).toEqual([]);
    await vi.waitFor(async () => expect(await storedIds(store, 'S-timer')).toHaveLength(3), {
      timeout: 10_000,
      interval: 50,
    });
    expect(inner.batches).toEqual([3]);
    expect(onError).not.toHaveBeenCalled();
  });

  it('flush() resolves only once every record written before it is stored and counted', async () => {
    const inner = counting(store);
    const onError = vi.fn();
    const sink = new BufferedUsageSink(inner, onError);
    const records = Array.from({ length: 60 }, (_, i) => usage('S-flush', i));
    for (const r of records) sink.write(r);
    await sink.flush();
    expect(await storedIds(store, 'S-flush')).toEqual(records.map((r) => r.requestId).sort());
    const [day] = await store.aggregates('GROUP', 'S-flush', 'D', '2026-11-25');
    expect(day).toMatchObject({
      requests: 60,
      promptTokens: records.reduce((s, r) => s + r.promptTokens, 0),
      lastRequestAt: '2026-11-25T10:59:00.000Z',
    });
    // 0.000101 + … + 0.000160, summed exactly.
    expect(new Decimal(day!.cost.USD!).equals('0.00783')).toBe(true);
    expect(inner.batches).toEqual([25, 25, 10]);
    // Nothing waits: a second flush resolves at once.
    await sink.flush();
    expect(inner.batches).toHaveLength(3);
    expect(onError).not.toHaveBeenCalled();
  });

  it('reports a batch the table refuses by request id after bounded retries, and keeps working', async () => {
    // A table that does not exist yet: a real failure, which creating it later cures.
    const tableName = `usage-sink-late-${ulid()}`;
    const late = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
    const inner = counting(late);
    const errors: { err: unknown; requestIds: string[] }[] = [];
    const sink = new BufferedUsageSink(inner, (err, requestIds) => errors.push({ err, requestIds }), {
      maxAttempts: 3,
      retryDelayMs: 5,
    });
    const lost = Array.from({ length: 4 }, (_, i) => usage('S-fail', i));
    for (const r of lost) expect(() => sink.write(r)).not.toThrow();
    await sink.flush();
    expect(inner.batches).toEqual([4, 4, 4]);
    expect(errors).toHaveLength(1);
    expect((errors[0]!.err as Error).name).toBe('ResourceNotFoundException');
    expect(errors[0]!.requestIds.sort()).toEqual(lost.map((r) => r.requestId).sort());

    await ensureTable(new DynamoDBClient({}), tableName);
    const kept = Array.from({ length: 2 }, (_, i) => usage('S-fail', 10 + i));
    for (const r of kept) sink.write(r);
    await sink.flush();
    expect(errors).toHaveLength(1);
    expect(await storedIds(late, 'S-fail')).toEqual(kept.map((r) => r.requestId).sort());
  });

  it('keeps working when the error handler itself throws', async () => {
    const missing = new DynamoUsageStore(exactNumbersDocumentClient(), `usage-sink-missing-${ulid()}`);
    let reported = 0;
    const sink = new BufferedUsageSink(
      missing,
      () => {
        reported += 1;
        throw new Error('logger down');
      },
      { maxAttempts: 1 },
    );
    sink.write(usage('S-handler', 1));
    await sink.flush();
    sink.write(usage('S-handler', 2));
    await sink.flush();
    expect(reported).toBe(2);
  });

  it('drops and reports records beyond maxQueued instead of growing without bound', async () => {
    const inner = counting(store);
    const reported: string[] = [];
    const sink = new BufferedUsageSink(inner, (_err, ids) => reported.push(...ids), {
      maxBatch: 100,
      maxDelayMs: 60_000,
      maxQueued: 3,
    });
    const records = Array.from({ length: 5 }, (_, i) => usage('S-bound', i));
    for (const r of records) sink.write(r);
    expect(reported).toEqual(records.slice(3).map((r) => r.requestId));
    await sink.flush();
    expect(await storedIds(store, 'S-bound')).toEqual(
      records
        .slice(0, 3)
        .map((r) => r.requestId)
        .sort(),
    );
  });

  it('writes a retried record (the same request id twice) once', async () => {
    const onError = vi.fn();
    const sink = new BufferedUsageSink(store, onError, { maxBatch: 3 });
    const record = usage('S-retry', 7);
    sink.write(record);
    sink.write(usage('S-retry', 8));
    sink.write(record);
    await sink.flush();
    sink.write(record);
    await sink.flush();
    expect(await storedIds(store, 'S-retry')).toHaveLength(2);
    const [day] = await store.aggregates('GROUP', 'S-retry', 'D', '2026-11-25');
    expect(day!.requests).toBe(2);
    expect(new Decimal(day!.cost.USD!).equals('0.000217')).toBe(true);
    expect(onError).not.toHaveBeenCalled();
  });
});
