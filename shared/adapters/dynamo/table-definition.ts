/**
 * The single DynamoDB table, as plain data. CDK (infra/stacks/data-stack.ts), the local runtime
 * (`npm start`) and the tests all create the table from this one definition, so they cannot drift.
 * Every key template that lives in it is listed in ./ACCESS_PATTERNS.md.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Epoch seconds. DynamoDB Local's TTL sweeper is unreliable: readers must also filter expired items. */
  timeToLiveAttribute: 'expiresAt',
} as const;

export type IndexName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
