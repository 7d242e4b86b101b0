/**
 * A fresh table on the run's shared DynamoDB Local (test/global-setup.ts), for tests that use
 * repositories directly. Points the SDK's default clients at DynamoDB Local, as the runtime does.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../shared/adapters/dynamo/ensure-table';

export const freshTable = async (prefix: string): Promise<string> => {
  const endpoint = inject('dynamoEndpoint');
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const tableName = `${prefix}-${randomUUID()}`;
  await ensureTable(new DynamoDBClient({ endpoint }), tableName);
  return tableName;
};

/** Every item of a table, unmarshalled: for tests that look at what was stored, whatever the entity. */
export const scanTable = async (endpoint: string, tableName: string): Promise<Record<string, any>[]> => {
  const client = new DynamoDBClient({ endpoint });
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};
