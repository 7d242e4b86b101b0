/**
 * Importing and snapshotting a large FOCUS file into DynamoDB Local: the sync use case (stream →
 * parse → normalize → batched idempotent writes → sweep) and then the rollup (one scan of the
 * period's items → every snapshot dimension, anomalies, budgets), each timed and with the DynamoDB
 * requests it sent counted by operation. Runs inside a local runtime (its table, its environment).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { isDeepStrictEqual } from 'node:util';
import type { LocalRuntime } from '../infra/local/runtime';
import { dynamoDocumentClient } from '../shared/adapters/dynamo/client';
import { billDeps } from '../shared/composition/bills';
import { logger } from '../shared/runtime/logger';
import { decimal, toDecimalString } from '../shared/domain/money';
import { newId } from '../shared/domain/ids';
import { rollupPeriod } from '../shared/usecases/bills/rollup';
import { runSyncJob } from '../shared/usecases/bills/sync';
import { generateFocusCsv } from './focus-data';

const PERIOD = '2026-10';
/** Rows generated per part: the generator builds its part in memory (~38 MB per 100,000 rows). */
const PART_ROWS = 100_000;

export interface DynamoPhase {
  ms: number;
  /** DynamoDB requests sent, by operation (BatchWriteItem, Scan, Query, ...). */
  requests: Record<string, number>;
  totalRequests: number;
}

export interface BillImportResult {
  rows: number;
  import: DynamoPhase & { itemsPerSecond: number };
  rollup: DynamoPhase & { itemsPerSecond: number; snapshots: number };
}

/** Writes `rows` FOCUS rows to `path` in parts; returns the exact BilledCost total per currency. */
const writeFocusFile = async (path: string, rows: number): Promise<Record<string, string>> => {
  const out = createWriteStream(path);
  const totals = new Map<string, ReturnType<typeof decimal>>();
  for (let done = 0, part = 0; done < rows; done += PART_ROWS, part++) {
    const file = generateFocusCsv(Math.min(PART_ROWS, rows - done), part + 1);
    // Every part but the first drops its header line.
    const body = part === 0 ? file.csv : file.csv.slice(file.csv.indexOf('\n') + 1);
    // Each part ends with its CRLF, so the next one follows directly.
    if (!out.write(body)) await once(out, 'drain');
    for (const [currency, amount] of Object.entries(file.billedTotals))
      totals.set(currency, (totals.get(currency) ?? decimal(0)).plus(amount));
  }
  out.end();
  await finished(out);
  return Object.fromEntries([...totals].map(([c, v]) => [c, toDecimalString(v)]));
};

/** Counts every DynamoDB request the process's document client sends while `run` runs. */
const counted = async <T>(run: () => Promise<T>): Promise<{ value: T } & DynamoPhase> => {
  const requests: Record<string, number> = {};
  const client = dynamoDocumentClient();
  const name = 'benchRequestCounter';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      requests[operation] = (requests[operation] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  const started = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - started;
    const totalRequests = Object.values(requests).reduce((a, b) => a + b, 0);
    return { value, ms, requests, totalRequests };
  } finally {
    client.middlewareStack.remove(name);
  }
};

export const measureBillImport = async (runtime: LocalRuntime, rows: number): Promise<BillImportResult> => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-bench-bills-'));
  const logLevel = logger.getLevelName();
  // The anomaly notifications of a million-row month would drown the bench's report.
  logger.setLogLevel('WARN');
  try {
    const path = join(dir, 'focus.csv');
    const billedTotals = await writeFocusFile(path, rows);

    const token = await runtime.mintToken({ subject: 'bench', roles: ['platform-admin'] });
    const call = async (method: string, route: string, body: unknown) => {
      const res = await fetch(`${runtime.apiUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { data: { id: string } };
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
      return json.data;
    };
    const enterprise = await call('POST', '/api/enterprises', { name: 'Bench bills' });
    await call('PUT', `/api/enterprises/${enterprise.id}/exchange-rates/${PERIOD}`, {
      rates: [
        { fromCurrency: 'EUR', toCurrency: 'USD', rate: '1.0825' },
        { fromCurrency: 'CNY', toCurrency: 'USD', rate: '0.1387' },
      ],
    });
    const account = await call('POST', `/api/enterprises/${enterprise.id}/cloud-accounts`, {
      provider: 'focus',
      accountId: 'bench-export',
      accountName: 'Bench FOCUS export',
      settings: { path },
    });

    // The job is run here rather than through the queue so the import and the rollup are timed apart.
    const deps = billDeps();
    const now = new Date().toISOString();
    const job = {
      id: newId(new Date()),
      cloudAccountId: account.id,
      enterpriseId: enterprise.id,
      provider: 'focus' as const,
      periodMonth: PERIOD,
      trigger: 'manual' as const,
      status: 'pending' as const,
      attempts: 0,
      requestedAt: now,
      updatedAt: now,
    };
    await deps.store.createJob(job);
    const imported = await counted(() =>
      runSyncJob({ ...deps, afterSync: async () => undefined }, job.id, {
        receiveCount: 1,
        finalAttempt: true,
      }),
    );
    const summary = imported.value.job?.summary;
    if (imported.value.outcome !== 'success' || summary?.itemCount !== rows)
      throw new Error(`Bench import did not succeed: ${JSON.stringify(imported.value.job)}`);
    if (!isDeepStrictEqual(summary.totalsByCurrency, billedTotals))
      throw new Error(
        `Imported totals ${JSON.stringify(summary.totalsByCurrency)} ≠ ${JSON.stringify(billedTotals)}`,
      );

    const rolled = await counted(() => rollupPeriod(deps, enterprise.id, PERIOD));
    const { head } = rolled.value;
    const snapshots = await deps.store.snapshots(enterprise.id, PERIOD, head.snapshotVersion);
    const grand = snapshots.find(
      (s) => s.provider === 'all' && s.dimensionType === 'provider' && s.dimensionKey === 'all',
    );
    if (!isDeepStrictEqual(grand?.originalAmounts, billedTotals))
      throw new Error(
        `Snapshot totals ${JSON.stringify(grand?.originalAmounts)} ≠ ${JSON.stringify(billedTotals)}`,
      );

    return {
      rows,
      import: { ...imported, itemsPerSecond: Math.round((rows / imported.ms) * 1000) },
      rollup: {
        ...rolled,
        itemsPerSecond: Math.round((rows / rolled.ms) * 1000),
        snapshots: head.snapshotCount,
      },
    };
  } finally {
    logger.setLogLevel(logLevel);
    await rm(dir, { recursive: true, force: true });
  }
};
