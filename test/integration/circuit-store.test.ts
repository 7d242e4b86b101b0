/** Circuit state shared by instances through DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoCircuitStore } from '../../shared/adapters/dynamo/circuit-store';
import { dynamoDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { phase } from '../../shared/domain/gateway/circuit';
import { freshTable } from '../factories/dynamo-table';

const settings = { failureThreshold: 20, windowMs: 60_000, cooldownMs: 5_000 };
let instances: DynamoCircuitStore[];

beforeAll(async () => {
  const tableName = await freshTable('circuit');
  const db = buildEntities(dynamoDocumentClient(), tableName);
  instances = [new DynamoCircuitStore(db, settings), new DynamoCircuitStore(db, settings)];
});

describe('circuit store', () => {
  it('counts every failure recorded concurrently by several instances, and opens for all of them', async () => {
    const now = 1_000_000;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => instances[i % 2]!.record('acct-1', 'gpt-4o', 'failure', now + i)),
    );
    const seenByOther = await instances[1]!.states(['acct-1', 'acct-2'], 'gpt-4o');
    expect(phase(seenByOther.get('acct-1')!, now + 100)).toBe('open');
    expect(phase(seenByOther.get('acct-2')!, now + 100)).toBe('closed');
    // Other models of the same account are unaffected.
    expect(phase((await instances[0]!.states(['acct-1'], 'gpt-4o-mini')).get('acct-1')!, now)).toBe('closed');
  });

  it('lets a probe through after the cooldown and closes on its success', async () => {
    const later = 1_000_000 + 20 + settings.cooldownMs;
    expect(phase((await instances[0]!.states(['acct-1'], 'gpt-4o')).get('acct-1')!, later)).toBe('half-open');
    await instances[0]!.record('acct-1', 'gpt-4o', 'success', later);
    expect(phase((await instances[1]!.states(['acct-1'], 'gpt-4o')).get('acct-1')!, later)).toBe('closed');
  });

  it('cools an account down until its Retry-After, never shortening a longer one', async () => {
    const store = instances[0]!;
    await store.coolDown('acct-3', 'gpt-4o', 50_000);
    expect(phase((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!, 49_999)).toBe('open');
    await store.coolDown('acct-3', 'gpt-4o', 20_000);
    expect((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!.openUntil).toBe(50_000);
    expect(phase((await store.states(['acct-3'], 'gpt-4o')).get('acct-3')!, 50_000)).toBe('half-open');
  });
});
