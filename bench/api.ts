/**
 * Admin API latency through the local runtime (HTTP adapter → middy → auth → DynamoDB Local), with
 * a bounded number of requests at a fixed concurrency. Local figures compare changes over time;
 * they are not Lambda figures.
 */
import type { LocalRuntime } from '../infra/local/runtime';

export interface LatencyResult {
  name: string;
  requests: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  perSecond: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const measure = async (
  name: string,
  requests: number,
  concurrency: number,
  call: (i: number) => Promise<Response>,
): Promise<LatencyResult> => {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t = performance.now();
        const res = await call(i);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests,
    concurrency,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    perSecond: requests / seconds,
  };
};

export const measureApi = async (runtime: LocalRuntime, requests = 400): Promise<LatencyResult[]> => {
  {
    const token = await runtime.mintToken({ subject: 'bench', roles: ['platform-admin'] });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      fetch(`${runtime.apiUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const enterprise = (await (await post('/api/enterprises', { name: 'Bench' })).json()) as {
      data: { id: string };
    };
    const groupsPath = `/api/enterprises/${enterprise.data.id}/groups`;
    const group = (await (await post(groupsPath, { name: 'g' })).json()) as { data: { id: string } };

    // Warm up module caches and connections before measuring.
    for (let i = 0; i < 30; i++)
      await (await fetch(`${runtime.apiUrl}/api/groups/${group.data.id}`, { headers })).arrayBuffer();

    const results: LatencyResult[] = [];
    results.push(
      await measure('GET /health (no auth, no table)', requests, 1, () => fetch(`${runtime.apiUrl}/health`)),
    );
    for (const concurrency of [1, 8]) {
      results.push(
        await measure('GET /api/groups/{id} (JWT + 1 GetItem)', requests, concurrency, () =>
          fetch(`${runtime.apiUrl}/api/groups/${group.data.id}`, { headers }),
        ),
      );
      results.push(
        await measure(
          'POST /api/enterprises/{id}/groups (JWT + 1 read + put + SQS)',
          requests,
          concurrency,
          (i) => post(groupsPath, { name: `bench ${concurrency}-${i}` }),
        ),
      );
    }
    return results;
  }
};
