import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  TableEncryptionV2,
  TableV2,
  type ITableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../../shared/adapters/dynamo/table-definition';
import type { StageConfig } from '../config/stages';

/** Props of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Decides deletion protection; the table is RETAINed on stack deletion in every stage. */
  readonly config: StageConfig;
}

/** Physical name of a stage's table (`tollgate-dev`). */
export const tableNameFor = (config: Pick<StageConfig, 'stage'>): string => `tollgate-${config.stage}`;

/**
 * The table as seen from another stack. Referenced by its fixed name rather than a cross-stack
 * export, so the stateful stack never gets pinned by exports, and IAM policies name the exact table
 * (`.../table/tollgate-dev` and its `/index/*`) instead of an opaque stack-output token.
 */
export const importTable = (scope: Construct, tableName: string): ITableV2 =>
  TableV2.fromTableAttributes(scope, 'Table', { tableName, grantIndexPermissions: true });

/** Stateful resources: the single DynamoDB table, built from the shared table definition. */
export class DataStack extends Stack {
  readonly table: TableV2;
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const string = (name: string) => ({ name, type: AttributeType.STRING });

    this.tableName = tableNameFor(props.config);
    this.table = new TableV2(this, 'Table', {
      // A fixed name also makes CloudFormation refuse any change that would replace the table.
      tableName: this.tableName,
      partitionKey: string(tableDefinition.partitionKey),
      sortKey: string(tableDefinition.sortKey),
      globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: string(gsi.partitionKey),
        sortKey: string(gsi.sortKey),
        // Generic overloaded GSIs serve many entities; ALL keeps every item readable from the index.
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.config.deletionProtection,
      encryption: TableEncryptionV2.awsManagedKey(),
      // Losing the table loses the product's data; a stack deletion must never take it along.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
