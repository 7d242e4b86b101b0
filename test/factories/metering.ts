/**
 * Metering is write-behind (stored in batches after the response), so a test reads usage once the
 * gateway has finished writing it: when two reads a little apart agree.
 */
import { exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import type { UsageRecord } from '../../shared/ports/metering';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The group's usage records of `day` once no more are arriving (bounded: 5 s). */
export const settledRecords = async (
  tableName: string,
  groupId: string,
  day: string,
): Promise<UsageRecord[]> => {
  const store = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
  let previous = await store.recordsOfGroupDay(groupId, day);
  for (let i = 0; i < 25; i++) {
    await pause(200);
    const current = await store.recordsOfGroupDay(groupId, day);
    if (current.length === previous.length) return current;
    previous = current;
  }
  throw new Error(`Usage records of ${groupId} kept arriving for 5 s`);
};

/** One call's usage record, by the request id the gateway answered with (bounded: 5 s). */
export const recordOf = async (
  tableName: string,
  groupId: string,
  requestId: string,
): Promise<UsageRecord> => {
  const store = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
  for (let i = 0; i < 100; i++) {
    const day = new Date().toISOString().slice(0, 10);
    const record = (await store.recordsOfGroupDay(groupId, day)).find((r) => r.requestId === requestId);
    if (record) return record;
    await pause(50);
  }
  throw new Error(`No usage record for ${requestId}`);
};
