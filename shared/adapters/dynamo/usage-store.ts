/**
 * Metering on DynamoDB. A usage record and its fifteen aggregate updates (group, account, model,
 * group × serviceType and group × model; each by hour, day and month) go in one transaction, guarded by the record's attribute_not_exists, so the
 * aggregates always equal the sum of the records, and a retried write counts once.
 *
 * Money counters are DynamoDB Numbers (exact decimal arithmetic to 38 digits) written with
 * NumberValue and read with wrapNumbers, never through a JS float. This raw document-client code
 * is the one place that needs that, which ElectroDB's number attributes cannot express.
 */
import {
  NumberValue,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import type {
  AggregateScope,
  Granularity,
  UsageAggregate,
  UsageRecord,
  UsageStore,
} from '../../ports/metering';

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
});

export class DynamoUsageStore implements UsageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(usage: UsageRecord): Promise<'recorded' | 'duplicate'> {
    const day = usage.at.slice(0, 10);
    const periods = periodsOf(usage.at);
    const scopes: [AggregateScope, string][] = [
      ['GROUP', usage.groupId],
      ['AIACCT', usage.accountId],
      ['MODEL', usage.model],
      ['GROUPSVC', `${usage.groupId}#${usage.serviceType}`],
      ['GROUPMODEL', `${usage.groupId}#${usage.model}`],
    ];
    const isError = usage.status === 'success' ? 0 : 1;
    const updates = scopes.flatMap(([scope, scopeId]) =>
      (Object.keys(periods) as Granularity[]).map((granularity) => ({
        Update: {
          TableName: this.tableName,
          Key: { pk: `AGG#${scope}#${scopeId}`, sk: `${granularity}#${periods[granularity]}` },
          UpdateExpression:
            'SET #scope = :scope, #scopeId = :scopeId, #granularity = :granularity, #period = :period, ' +
            'gsi1pk = :entPeriod, gsi1sk = :scopeKey ' +
            'ADD requests :one, errors :err, promptTokens :pt, completionTokens :ct, cachedPromptTokens :cached, ' +
            'latencyMsTotal :latency, #cost :cost',
          ExpressionAttributeNames: {
            '#scope': 'scope',
            '#scopeId': 'scopeId',
            '#granularity': 'granularity',
            '#period': 'period',
            '#cost': `cost_${usage.currency}`,
          },
          ExpressionAttributeValues: {
            ':scope': scope,
            ':scopeId': scopeId,
            ':granularity': granularity,
            ':period': periods[granularity],
            ':entPeriod': `AGG#ENT#${usage.enterpriseId}#${granularity}#${periods[granularity]}`,
            ':scopeKey': `${scope}#${scopeId}`,
            ':one': 1,
            ':err': isError,
            ':pt': usage.promptTokens,
            ':ct': usage.completionTokens,
            ':cached': usage.cachedPromptTokens,
            ':latency': usage.latencyMs,
            ':cost': NumberValue.from(usage.cost),
          },
        },
      })),
    );
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: `USAGE#${usage.groupId}#${day}`,
                  sk: `REQ#${usage.requestId}`,
                  gsi1pk: `AIACCT#${usage.accountId}#USAGE#${day}`,
                  gsi1sk: `REQ#${usage.requestId}`,
                  ...usage,
                  cost: NumberValue.from(usage.cost),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...updates,
          ],
        }),
      );
      return 'recorded';
    } catch (err) {
      const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw err;
    }
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
