/**
 * The local runtime for integration tests: the run's shared DynamoDB Local (test/global-setup.ts),
 * a table of its own, free ports, everything else in memory.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime';

export type TestRuntime = LocalRuntime;

export const startTestRuntime = (
  options: Omit<LocalRuntimeOptions, 'dynamoEndpoint' | 'port'> = {},
): Promise<TestRuntime> =>
  startLocalRuntime({
    tableName: `test-${randomUUID()}`,
    ...options,
    dynamoEndpoint: inject('dynamoEndpoint'),
    port: 0,
  });
