/**
 * Gateway overhead, with the gateway, the upstream and the load generator in separate processes
 * (DynamoDB Local behind the gateway):
 * - 1 connection: alternate a direct call to the upstream with the same call through the gateway
 *   and through a bare reverse proxy (the floor), exact per-response latencies, and compare their
 *   percentiles;
 * - 50 connections: a fixed number of calls through the gateway, the CPU each process used per
 *   request (from /proc) and the throughput, to say which process bounds it; then the same for the
 *   bare proxy.
 * Bounded: fixed request counts; every child is stopped at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { ensureTable } from '../shared/adapters/dynamo/ensure-table';
import { DEMO_MODELS } from '../infra/local/demo-upstream';
import { startDynamoDbLocal } from '../infra/local/dynamodb';
import { processCpuMs, spawnService } from '../infra/local/processes';

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface OverheadResult {
  pairs: number;
  direct: { p50: number; p99: number };
  gateway: { p50: number; p99: number };
  addedP50: number;
  addedP99: number;
  /** The same measurements for the bare reverse proxy (`baseline-proxy.ts`): the floor. */
  baseline: {
    p50: number;
    p99: number;
    addedP50: number;
    addedP99: number;
    cpuMsPerRequest: number;
    perSecond: number;
  };
  load: {
    connections: number;
    requests: number;
    non2xx: number;
    perSecond: number;
    /** CPU milliseconds per request, and the share of one core each process kept busy. */
    cpu: { process: string; msPerRequest: number; coreShare: number }[];
  };
}

export const measureGatewayOverhead = async (pairs = 1000, loadRequests = 6000): Promise<OverheadResult> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bench-gw-'));
  const dynamo = await startDynamoDbLocal();
  const tableName = 'bench-gateway';
  await ensureTable(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    tableName,
  );
  const upstream = await spawnService<{ url: string; pid: number }>(
    'infra/local/upstream-process.ts',
    'upstream',
    {},
  );
  const gateway = await spawnService<{ apiUrl: string; token: string; pid: number }>(
    'infra/local/gateway-process.ts',
    'gatewayProcess',
    { TG_DYNAMO_ENDPOINT: dynamo.endpoint, TG_TABLE_NAME: tableName, TG_DATA_DIR: dataDir },
    // BENCH_CPU_PROF_DIR=<dir> writes the gateway process's CPU profile there (open in Chrome DevTools).
    process.env.BENCH_CPU_PROF_DIR
      ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] }
      : {},
  );
  const baselineProxy = await spawnService<{ url: string; pid: number }>('bench/baseline-proxy.ts', 'proxy', {
    BENCH_UPSTREAM_URL: upstream.info.url,
  });
  try {
    const { apiUrl, token } = gateway.info;
    const admin = async (path: string, method: string, body: unknown) => {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as { data: { id: string; key: string } };
    };
    const enterprise = await admin('/api/enterprises', 'POST', { name: 'Bench' });
    const group = await admin(`/api/enterprises/${enterprise.data.id}/groups`, 'POST', { name: 'bench' });
    await admin(`/api/enterprises/${enterprise.data.id}/ai-accounts`, 'POST', {
      name: 'demo',
      serviceType: 'vllm',
      providerAccountId: 'bench',
      apiKey: 'bench-not-a-secret',
      endpoint: upstream.info.url,
      supportedModels: [DEMO_MODELS[0]],
      dailyLimit: 0,
    });
    await admin(`/api/groups/${group.data.id}/resource-binding`, 'PUT', {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'vllm' }] },
      quotaConfig: { dailyTokenLimit: 1_000_000_000 },
    });
    const key = (await admin(`/api/groups/${group.data.id}/api-keys`, 'POST', { name: 'bench' })).data.key;
    const body = JSON.stringify({
      model: DEMO_MODELS[0],
      messages: [{ role: 'user', content: 'measure me' }],
      max_tokens: 32,
    });
    const gatewayUrl = `${apiUrl}/v1/chat/completions`;
    const directUrl = `${upstream.info.url}/chat/completions`;
    const baselineUrl = `${baselineProxy.info.url}/chat/completions`;
    const call = async (url: string, auth: string): Promise<number> => {
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
      return performance.now() - started;
    };

    // Warm both paths (JIT, caches, keep-alive connections, the first quota lease).
    for (let i = 0; i < 200; i++) {
      await call(directUrl, 'x');
      await call(gatewayUrl, key);
      await call(baselineUrl, 'x');
    }
    const direct: number[] = [];
    const viaGateway: number[] = [];
    const viaBaseline: number[] = [];
    for (let i = 0; i < pairs; i++) {
      direct.push(await call(directUrl, 'x'));
      viaGateway.push(await call(gatewayUrl, key));
      viaBaseline.push(await call(baselineUrl, 'x'));
    }
    const summary = (latencies: number[]) => {
      const sorted = latencies.sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    const d = summary(direct);
    const g = summary(viaGateway);
    const b = summary(viaBaseline);

    // 50 connections: CPU per request of each process over a fixed number of calls.
    const connections = 50;
    const cpuBefore = {
      gateway: await processCpuMs(gateway.pid),
      upstream: await processCpuMs(upstream.pid),
      dynamodb: await processCpuMs(dynamo.pid),
      generator: process.cpuUsage(),
    };
    const started = performance.now();
    const result = await autocannon({
      url: gatewayUrl,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      connections,
      amount: loadRequests,
    });
    const wallMs = performance.now() - started;
    const generator = process.cpuUsage(cpuBefore.generator);
    const used = {
      gateway: (await processCpuMs(gateway.pid)) - cpuBefore.gateway,
      upstream: (await processCpuMs(upstream.pid)) - cpuBefore.upstream,
      'DynamoDB Local': (await processCpuMs(dynamo.pid)) - cpuBefore.dynamodb,
      'load generator': (generator.user + generator.system) / 1000,
    };
    const requests = result.requests.total;

    const baselineCpuBefore = await processCpuMs(baselineProxy.pid);
    const baselineStarted = performance.now();
    const baselineLoad = await autocannon({
      url: baselineUrl,
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body,
      connections,
      amount: loadRequests,
    });
    const baselineWallMs = performance.now() - baselineStarted;
    const baselineCpuMs = (await processCpuMs(baselineProxy.pid)) - baselineCpuBefore;
    return {
      pairs,
      direct: d,
      gateway: g,
      addedP50: g.p50 - d.p50,
      addedP99: g.p99 - d.p99,
      baseline: {
        ...b,
        addedP50: b.p50 - d.p50,
        addedP99: b.p99 - d.p99,
        cpuMsPerRequest: baselineCpuMs / baselineLoad.requests.total,
        perSecond: (baselineLoad.requests.total / baselineWallMs) * 1000,
      },
      load: {
        connections,
        requests,
        non2xx: result.non2xx + result.errors,
        perSecond: (requests / wallMs) * 1000,
        cpu: Object.entries(used).map(([name, ms]) => ({
          process: name,
          msPerRequest: ms / requests,
          coreShare: ms / wallMs,
        })),
      },
    };
  } finally {
    await baselineProxy.stop();
    await gateway.stop();
    await upstream.stop();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
