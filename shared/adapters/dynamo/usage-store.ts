/**
 * Metering on DynamoDB. Usage records and their aggregate updates (group, account, model,
 * group × serviceType and group × model, each by hour, day and month; group × account by month,
 * for the P&L feeds) go in one transaction,
 * each record guarded by its attribute_not_exists, so the aggregates always equal the sum of the
 * records, and a retried write counts once. A batch merges the updates of records that share an
 * aggregate, so 25 records of one group and model cost far fewer than 25 × 17 items.
 *
 * Money counters are DynamoDB Numbers (exact decimal arithmetic to 38 digits) written with
 * NumberValue and read with wrapNumbers, never through a JS float. This raw document-client code
 * is the one place that needs that, which ElectroDB's number attributes cannot express.
 */
import {
  BatchGetCommand,
  NumberValue,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { LRUCache } from 'lru-cache';
import { decimal, type DecimalValue } from '../../domain/money';
import type {
  AggregateScope,
  Granularity,
  UsageAggregate,
  UsageRecord,
  UsageStore,
} from '../../ports/metering';

/** DynamoDB's limit on the items of one TransactWriteItems. */
const MAX_TRANSACTION_ITEMS = 100;

const periodsOf = (at: string): Record<Granularity, string> => ({
  H: at.slice(0, 13),
  D: at.slice(0, 10),
  M: at.slice(0, 7),
});

const text = (v: NativeAttributeValue): string =>
  v instanceof NumberValue ? v.toString() : String(v ?? '0');
const int = (v: NativeAttributeValue): number => Number(text(v));

const toAggregate = (item: Record<string, NativeAttributeValue>): UsageAggregate => ({
  scope: String(item.scope) as AggregateScope,
  scopeId: String(item.scopeId),
  granularity: String(item.granularity) as Granularity,
  period: String(item.period),
  requests: int(item.requests),
  errors: int(item.errors),
  promptTokens: int(item.promptTokens),
  completionTokens: int(item.completionTokens),
  cachedPromptTokens: int(item.cachedPromptTokens),
  latencyMsTotal: int(item.latencyMsTotal),
  cost: Object.fromEntries(
    Object.entries(item)
      .filter(([name]) => name.startsWith('cost_'))
      .map(([name, value]) => [name.slice(5), text(value)]),
  ),
  activeUsers: item.activeUsers instanceof Set ? item.activeUsers.size : 0,
  lastRequestAt: typeof item.lastRequestAt === 'string' ? item.lastRequestAt : null,
});

const recordKey = (usage: UsageRecord) => ({
  pk: `USAGE#${usage.groupId}#${usage.at.slice(0, 10)}`,
  sk: `REQ#${usage.requestId}`,
});

/** What one batch adds to one aggregate item. */
interface AggregateDelta {
  id: string;
  key: { pk: string; sk: string };
  scope: AggregateScope;
  scopeId: string;
  granularity: Granularity;
  period: string;
  enterprisePeriod: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  latencyMsTotal: number;
  cost: Map<string, DecimalValue>;
  lastRequestAt: string;
  /** Distinct users (or keys without a user) to add to the aggregate's set; kept on GROUP by month only. */
  users: Set<string>;
}

const ALL_GRANULARITIES: readonly Granularity[] = ['H', 'D', 'M'];

/** The sixteen aggregate items one record adds to, with their identifying attributes. */
const aggregatesOf = (usage: UsageRecord) => {
  const periods = periodsOf(usage.at);
  const scopes: [AggregateScope, string, readonly Granularity[]][] = [
    ['GROUP', usage.groupId, ALL_GRANULARITIES],
    ['AIACCT', usage.accountId, ALL_GRANULARITIES],
    ['MODEL', usage.model, ALL_GRANULARITIES],
    ['GROUPSVC', `${usage.groupId}#${usage.serviceType}`, ALL_GRANULARITIES],
    ['GROUPMODEL', `${usage.groupId}#${usage.model}`, ALL_GRANULARITIES],
    ['GROUPACCT', `${usage.groupId}#${usage.accountId}`, ['M']],
  ];
  return scopes.flatMap(([scope, scopeId, granularities]) =>
    granularities.map((granularity) => ({
      id: `AGG#${scope}#${scopeId}\u0000${granularity}#${periods[granularity]}`,
      key: { pk: `AGG#${scope}#${scopeId}`, sk: `${granularity}#${periods[granularity]}` },
      scope,
      scopeId,
      granularity,
      period: periods[granularity],
      enterprisePeriod: `AGG#ENT#${usage.enterpriseId}#${granularity}#${periods[granularity]}`,
      // A month's distinct users feed the P&L; a set per hour or day would only cost writes.
      tracksUsers: scope === 'GROUP' && granularity === 'M',
    })),
  );
};

/** Sums the records into one delta per aggregate item (a transaction may touch an item only once). */
const mergedDeltas = (records: readonly UsageRecord[]): AggregateDelta[] => {
  const deltas = new Map<string, AggregateDelta>();
  for (const usage of records) {
    for (const target of aggregatesOf(usage)) {
      let delta = deltas.get(target.id);
      if (!delta) {
        const { tracksUsers: _tracksUsers, ...identity } = target;
        delta = {
          ...identity,
          users: new Set(),
          requests: 0,
          errors: 0,
          promptTokens: 0,
          completionTokens: 0,
          cachedPromptTokens: 0,
          latencyMsTotal: 0,
          cost: new Map(),
          lastRequestAt: usage.at,
        };
        deltas.set(target.id, delta);
      }
      delta.requests += 1;
      delta.errors += usage.status === 'success' ? 0 : 1;
      delta.promptTokens += usage.promptTokens;
      delta.completionTokens += usage.completionTokens;
      delta.cachedPromptTokens += usage.cachedPromptTokens;
      delta.latencyMsTotal += usage.latencyMs;
      delta.cost.set(
        usage.currency,
        (delta.cost.get(usage.currency) ?? decimal(0)).plus(decimal(usage.cost)),
      );
      if (usage.at > delta.lastRequestAt) delta.lastRequestAt = usage.at;
      if (target.tracksUsers) delta.users.add(usage.userId ?? `key:${usage.apiKeyId}`);
    }
  }
  return [...deltas.values()];
};

/**
 * Splits records into groups whose puts plus merged aggregate updates fit one transaction. Each
 * group is committed whole, so every aggregate still equals the sum of the records stored.
 */
const transactionChunks = (records: readonly UsageRecord[]): UsageRecord[][] => {
  const chunks: UsageRecord[][] = [];
  let chunk: UsageRecord[] = [];
  let aggregates = new Set<string>();
  for (const usage of records) {
    const ids = aggregatesOf(usage).map((a) => a.id);
    const added = ids.filter((id) => !aggregates.has(id)).length;
    if (chunk.length > 0 && chunk.length + 1 + aggregates.size + added > MAX_TRANSACTION_ITEMS) {
      chunks.push(chunk);
      chunk = [];
      aggregates = new Set();
    }
    chunk.push(usage);
    for (const id of ids) aggregates.add(id);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

export class DynamoUsageStore implements UsageStore {
  /**
   * The latest lastRequestAt this instance has committed per aggregate: the stored value is at
   * least that (it only rises), so a chunk no later than it skips the raise instead of having its
   * transaction cancelled. Requests finish out of order (a long stream ends after short ones
   * started later), so this spares most of the second transactions.
   */
  private readonly committedAt = new LRUCache<string, string>({ max: 10_000 });

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(usage: UsageRecord): Promise<'recorded' | 'duplicate'> {
    return (await this.recordBatch([usage])).recorded === 1 ? 'recorded' : 'duplicate';
  }

  /**
   * Stores the records and adds them to their aggregates, in as few transactions as fit (≤ 100
   * items each). Records already stored, or repeated within the batch, count once. Throws when a
   * transaction fails for another reason; the chunks committed before it stay, and retrying the
   * whole batch is safe (they come back as duplicates).
   */
  async recordBatch(records: readonly UsageRecord[]): Promise<{ recorded: number; duplicates: number }> {
    // A transaction may not put the same item twice: the first copy of a repeated record stands.
    const unique = new Map<string, UsageRecord>();
    for (const usage of records) {
      const { pk, sk } = recordKey(usage);
      if (!unique.has(`${pk}#${sk}`)) unique.set(`${pk}#${sk}`, usage);
    }
    let recorded = 0;
    // One chunk at a time: concurrent transactions on the same aggregates would cancel each other.
    for (const chunk of transactionChunks([...unique.values()])) recorded += await this.writeChunk(chunk);
    return { recorded, duplicates: records.length - recorded };
  }

  /**
   * Commits one chunk; returns how many of its records were new.
   *
   * lastRequestAt must be a max, which an update expression cannot compute; so each aggregate
   * update SETs it under the condition that the stored one is not later. When that condition fails
   * the stored value is later, and stays later because it only ever rises: the transaction is sent
   * again without that SET. A failed put is a record already stored (a retry): it is sent again
   * without that record. Each attempt drops at least one item, so this ends, and every commit keeps
   * the counters and lastRequestAt exact and atomic together. In order (the usual case) it is one
   * transaction; an out-of-order batch costs a second one.
   */
  private async writeChunk(chunk: readonly UsageRecord[]): Promise<number> {
    let records = [...chunk];
    /** Aggregates whose lastRequestAt is known to be later than anything in this chunk. */
    const later = new Set<string>();
    while (records.length > 0) {
      const deltas = mergedDeltas(records);
      const raise = deltas.map(
        (delta) => !later.has(delta.id) && delta.lastRequestAt > (this.committedAt.get(delta.id) ?? ''),
      );
      const items = [
        ...records.map((usage) => this.put(usage)),
        ...deltas.map((delta, i) => this.update(delta, raise[i]!)),
      ];
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        deltas.forEach((delta, i) => {
          // Concurrent chunks may commit out of order: keep the highest.
          if (raise[i] && delta.lastRequestAt > (this.committedAt.get(delta.id) ?? '')) {
            this.committedAt.set(delta.id, delta.lastRequestAt);
          }
        });
        return records.length;
      } catch (err) {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        // Anything but failed conditions (a conflict, throttling, a missing table) is for the caller to retry.
        if (
          reasons?.length !== items.length ||
          !reasons.some((r) => r.Code === 'ConditionalCheckFailed') ||
          reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed')
        ) {
          throw err;
        }
        const failed = (i: number) => reasons[i]!.Code === 'ConditionalCheckFailed';
        const known = later.size;
        deltas.forEach((delta, i) => {
          if (failed(records.length + i)) later.add(delta.id);
        });
        const remaining = records.filter((_, i) => !failed(i));
        // Only conditions just sent can fail; should one not be new, stop rather than loop.
        if (remaining.length === records.length && later.size === known) throw err;
        records = remaining;
      }
    }
    return 0;
  }

  private put(usage: UsageRecord) {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...recordKey(usage),
          gsi1pk: `AIACCT#${usage.accountId}#USAGE#${usage.at.slice(0, 10)}`,
          gsi1sk: `REQ#${usage.requestId}`,
          ...usage,
          cost: NumberValue.from(usage.cost),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** Adds the delta to its aggregate; with `raise`, also moves lastRequestAt up to the delta's latest. */
  private update(delta: AggregateDelta, raise: boolean) {
    const currencies = [...delta.cost.keys()];
    return {
      Update: {
        TableName: this.tableName,
        Key: delta.key,
        UpdateExpression:
          'SET #scope = :scope, #scopeId = :scopeId, #granularity = :granularity, #period = :period, ' +
          'gsi1pk = :entPeriod, gsi1sk = :scopeKey' +
          (raise ? ', lastRequestAt = :at ' : ' ') +
          'ADD requests :requests, errors :errors, promptTokens :pt, completionTokens :ct, ' +
          'cachedPromptTokens :cached, latencyMsTotal :latency' +
          (delta.users.size > 0 ? ', activeUsers :users' : '') +
          currencies.map((_, i) => `, #cost${i} :cost${i}`).join(''),
        // ISO timestamps of one format order as strings.
        ...(raise && {
          ConditionExpression: 'attribute_not_exists(lastRequestAt) OR lastRequestAt <= :at',
        }),
        ExpressionAttributeNames: {
          '#scope': 'scope',
          '#scopeId': 'scopeId',
          '#granularity': 'granularity',
          '#period': 'period',
          ...Object.fromEntries(currencies.map((currency, i) => [`#cost${i}`, `cost_${currency}`])),
        },
        ExpressionAttributeValues: {
          ':scope': delta.scope,
          ':scopeId': delta.scopeId,
          ':granularity': delta.granularity,
          ':period': delta.period,
          ':entPeriod': delta.enterprisePeriod,
          ':scopeKey': `${delta.scope}#${delta.scopeId}`,
          ':requests': delta.requests,
          ':errors': delta.errors,
          ':pt': delta.promptTokens,
          ':ct': delta.completionTokens,
          ':cached': delta.cachedPromptTokens,
          ':latency': delta.latencyMsTotal,
          ...(raise && { ':at': delta.lastRequestAt }),
          // A string set: ADD keeps each user once however often they call.
          ...(delta.users.size > 0 && { ':users': delta.users }),
          ...Object.fromEntries(
            currencies.map((currency, i) => [
              `:cost${i}`,
              NumberValue.from(delta.cost.get(currency)!.toFixed()),
            ]),
          ),
        },
      },
    };
  }

  async dayTokens(
    scopes: readonly { scope: AggregateScope; scopeId: string }[],
    day: string,
  ): Promise<Map<string, number>> {
    const totals = new Map(scopes.map(({ scope, scopeId }) => [`${scope}#${scopeId}`, 0]));
    let keys = [...totals.keys()].map((key) => ({ pk: `AGG#${key}`, sk: `D#${day}` }));
    // BatchGetItem takes 100 keys; unprocessed keys are asked again (bounded).
    for (let round = 0; keys.length > 0 && round < 5; round++) {
      const batch = keys.slice(0, 100);
      const { Responses, UnprocessedKeys } = await this.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: batch,
              ProjectionExpression: 'pk, promptTokens, completionTokens',
            },
          },
        }),
      );
      for (const item of Responses?.[this.tableName] ?? []) {
        totals.set(String(item.pk).slice(4), int(item.promptTokens) + int(item.completionTokens));
      }
      keys = [...keys.slice(100), ...((UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys)];
    }
    return totals;
  }

  async aggregates(scope: AggregateScope, scopeId: string, granularity: Granularity, periodPrefix: string) {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': `AGG#${scope}#${scopeId}`,
          ':prefix': `${granularity}#${periodPrefix}`,
        },
        ConsistentRead: true,
      }),
    );
    return Items.map(toAggregate);
  }

  async periodAggregates(enterpriseId: string, granularity: Granularity, period: string, keyPrefix: string) {
    const items: Record<string, NativeAttributeValue>[] = [];
    let ExclusiveStartKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': `AGG#ENT#${enterpriseId}#${granularity}#${period}`,
            ':prefix': keyPrefix,
          },
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items.map(toAggregate);
  }

  async recordsOfGroupDay(groupId: string, day: string): Promise<UsageRecord[]> {
    const records: UsageRecord[] = [];
    let ExclusiveStartKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `USAGE#${groupId}#${day}` },
          ExclusiveStartKey,
          ConsistentRead: true,
        }),
      );
      for (const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...item } of page.Items ?? []) {
        const record = item as Record<keyof UsageRecord, NativeAttributeValue>;
        records.push({
          ...(record as UsageRecord),
          promptTokens: int(record.promptTokens),
          completionTokens: int(record.completionTokens),
          cachedPromptTokens: int(record.cachedPromptTokens),
          latencyMs: int(record.latencyMs),
          cost: text(record.cost),
        });
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }
}
