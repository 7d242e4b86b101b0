import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity } from 'electrodb';
import { describe, expect, it } from 'vitest';
import { buildBalanceEntities } from '../../../shared/adapters/dynamo/balance-entities';
import { buildBillEntities } from '../../../shared/adapters/dynamo/bill-entities';
import { buildEntities } from '../../../shared/adapters/dynamo/entities';
import { buildNotificationEntities } from '../../../shared/adapters/dynamo/notification-entities';
import { buildPnlEntities } from '../../../shared/adapters/dynamo/pnl-entities';
import { buildSubscriptionEntities } from '../../../shared/adapters/dynamo/subscription-entities';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

describe('ElectroDB models', () => {
  it('pass ElectroDB’s own model validation (skipped at cold start)', () => {
    const service = buildEntities(client, 'models', { validateModels: true });
    expect(Object.keys(service.entities).length).toBeGreaterThan(10);
    const bills = buildBillEntities(client, 'models', { validateModels: true });
    expect(Object.keys(bills.entities)).toContain('cloudBillItem');
    const balance = buildBalanceEntities(client, 'models', { validateModels: true });
    expect(Object.keys(balance.entities)).toEqual(['balanceSource', 'balanceReading']);
    const subscriptions = buildSubscriptionEntities(client, 'models', { validateModels: true });
    expect(Object.keys(subscriptions.entities)).toEqual(['subscription', 'subscriptionEvent']);
    const notifications = buildNotificationEntities(client, 'models', { validateModels: true });
    expect(Object.keys(notifications.entities)).toEqual([
      'notificationChannel',
      'notificationRouting',
      'delivery',
    ]);
    const pnl = buildPnlEntities(client, 'models', { validateModels: true });
    expect(Object.keys(pnl.entities)).toEqual([
      'costCenter',
      'uniqueGuard',
      'costEntry',
      'revenue',
      'budget',
      'invoice',
      'pnlSummary',
      'dirtyMonth',
      'pnlSettings',
      'selfHostedModel',
    ]);
  });

  it('would fail the build on a malformed model when validating, and leave validation in place after', () => {
    const entity = Entity.prototype as unknown as { _validateModel(model: unknown): unknown };
    const before = entity._validateModel;
    buildEntities(client, 'models');
    expect(entity._validateModel).toBe(before);
    expect(() => new Entity({ model: { entity: 'x' } } as never, { client, table: 't' })).toThrow();
  });
});
