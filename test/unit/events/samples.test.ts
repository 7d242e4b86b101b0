/** The sample events stay valid against the contracts they document. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditEventMessage } from '../../../events/schemas/audit-event';
import { allRouteKeys, functions } from '../../../infra/manifest';

const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../events/samples/${name}`, import.meta.url), 'utf8'));

describe('event samples', () => {
  it('the SQS sample carries a valid audit-event message', () => {
    const event = sample('audit-writer.sqs.json');
    expect(auditEventMessage.safeParse(JSON.parse(event.Records[0].body)).success).toBe(true);
  });

  it('the HTTP sample names a mounted route', () => {
    expect(allRouteKeys()).toContain(sample('system.health.json').routeKey);
  });

  it('the scheduled sample belongs to a scheduled function', () => {
    const event = sample('api-key-expiry.scheduled.json');
    expect(event.source).toBe('aws.scheduler');
    expect(functions.find((f) => f.name === 'api-key-expiry' && 'schedule' in f)).toBeDefined();
  });
});
