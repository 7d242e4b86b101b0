/**
 * Creates or completes the single table from {@link tableDefinition} for the local runtime and the
 * tests (in AWS the data stack owns it). Idempotent: safe on every start, on an empty DynamoDB
 * Local and on a persisted one written by an older definition (missing GSIs are added).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './table-definition';

type IndexDefinition = (typeof tableDefinition.globalSecondaryIndexes)[number];

const POLL_MS = 100;
const WAIT_LIMIT_MS = 60_000;

const stringAttribute = (name: string): AttributeDefinition => ({ AttributeName: name, AttributeType: 'S' });

const gsi = (index: IndexDefinition): GlobalSecondaryIndex => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' },
    { AttributeName: index.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
});

const describe = async (client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until the table and every index are ACTIVE (DynamoDB Local is usually instant; AWS is not). */
const waitUntilActive = async (client: DynamoDBClient, tableName: string): Promise<TableDescription> => {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return table;
    if (Date.now() > deadline) {
      throw new Error(
        `Table ${tableName} did not become ACTIVE within ${WAIT_LIMIT_MS / 1000}s (status ${table?.TableStatus ?? 'missing'})`,
      );
    }
    await sleep(POLL_MS);
  }
};

const create = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const { partitionKey, sortKey, globalSecondaryIndexes } = tableDefinition;
  const keyNames = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...new Set(keyNames)].map(stringAttribute),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: globalSecondaryIndexes.map(gsi),
      }),
    );
  } catch (err) {
    // Another process (a parallel test, a second `npm start`) created it first: fine.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
};

/** DynamoDB accepts one GSI creation per UpdateTable, so missing indexes are added one at a time. */
const addMissingIndexes = async (
  client: DynamoDBClient,
  tableName: string,
  table: TableDescription,
): Promise<void> => {
  const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of tableDefinition.globalSecondaryIndexes) {
    if (existing.has(index.indexName)) continue;
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [stringAttribute(index.partitionKey), stringAttribute(index.sortKey)],
          GlobalSecondaryIndexUpdates: [{ Create: gsi(index) }],
        }),
      );
    } catch (err) {
      // A concurrent ensureTable added it between our describe and this update.
      if (!(err instanceof ResourceInUseException) && !/already exists/i.test((err as Error).message))
        throw err;
    }
    await waitUntilActive(client, tableName);
  }
};

const enableTtl = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const attribute = tableDefinition.timeToLiveAttribute;
  try {
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    if (
      ttl?.AttributeName === attribute &&
      (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING')
    )
      return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (err) {
    // "TimeToLive is already enabled" (a race) or an emulator without TTL: readers filter expired
    // items anyway (see tableDefinition), so TTL is an optimisation here, never correctness.
    const name = (err as Error).name;
    if (name === 'ValidationException' || name === 'UnknownOperationException') return;
    throw err;
  }
};

/**
 * Makes `tableName` exist with the keys, both GSIs (projection ALL, on-demand billing) and the TTL
 * attribute of {@link tableDefinition}, and returns once it is ACTIVE. Never deletes or changes
 * anything that is already there.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await describe(client, tableName);
  if (!existing) await create(client, tableName);
  const table = await waitUntilActive(client, tableName);
  await addMissingIndexes(client, tableName, table);
  await enableTtl(client, tableName);
  await waitUntilActive(client, tableName);
}
