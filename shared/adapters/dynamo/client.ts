import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One document client per process (Lambda reuses it across invocations). The endpoint comes from
 * the SDK's own AWS_ENDPOINT_URL_DYNAMODB when a local stand-in is used.
 */
let documentClient: DynamoDBDocumentClient | undefined;

export const dynamoDocumentClient = (): DynamoDBDocumentClient =>
  (documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }));

let exactClient: DynamoDBDocumentClient | undefined;

/** For money counters: numbers come back as NumberValue strings, never rounded through a float. */
export const exactNumbersDocumentClient = (): DynamoDBDocumentClient =>
  (exactClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  }));
