/**
 * Gateway overhead: in one run, alternate a direct call to an OpenAI-compatible upstream on
 * 127.0.0.1 with the same call through the gateway (local runtime, DynamoDB Local behind it), and
 * compare exact per-response latencies. The upstream answers at once, so the difference is the
 * gateway's own time. Bounded: a fixed number of pairs.
 */
import { startDemoUpstream, DEMO_MODELS } from '../infra/local/demo-upstream';
import type { LocalRuntime } from '../infra/local/runtime';

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface OverheadResult {
  pairs: number;
  direct: { p50: number; p99: number };
  gateway: { p50: number; p99: number };
  addedP50: number;
  addedP99: number;
}

export const measureGatewayOverhead = async (runtime: LocalRuntime, pairs = 300): Promise<OverheadResult> => {
  const upstream = await startDemoUpstream(0, { paced: false });
  try {
    const token = await runtime.mintToken({ subject: 'bench', roles: ['platform-admin'] });
    const admin = (path: string, method: string, body: unknown) =>
      fetch(`${runtime.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ data: { id: string; key: string } }>);
    const enterprise = await admin('/api/enterprises', 'POST', { name: 'Bench' });
    const group = await admin(`/api/enterprises/${enterprise.data.id}/groups`, 'POST', { name: 'bench' });
    await admin(`/api/enterprises/${enterprise.data.id}/ai-accounts`, 'POST', {
      name: 'demo',
      serviceType: 'vllm',
      providerAccountId: 'bench',
      apiKey: 'bench-not-a-secret',
      endpoint: upstream.url,
      supportedModels: [DEMO_MODELS[0]],
    });
    await admin(`/api/groups/${group.data.id}/resource-binding`, 'PUT', {
      bindingMode: 'shared',
      bindingConfig: { mode: 'shared', poolConfig: [{ serviceType: 'vllm' }] },
      quotaConfig: { dailyTokenLimit: 100_000_000 },
    });
    const key = await admin(`/api/groups/${group.data.id}/api-keys`, 'POST', { name: 'bench' });
    const body = JSON.stringify({
      model: DEMO_MODELS[0],
      messages: [{ role: 'user', content: 'measure me' }],
      max_tokens: 32,
    });
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
    const direct: number[] = [];
    const viaGateway: number[] = [];
    for (let i = 0; i < 30; i++) await call(`${runtime.apiUrl}/v1/chat/completions`, key.data.key);
    for (let i = 0; i < pairs; i++) {
      direct.push(await call(`${upstream.url}/chat/completions`, 'x'));
      viaGateway.push(await call(`${runtime.apiUrl}/v1/chat/completions`, key.data.key));
    }
    direct.sort((a, b) => a - b);
    viaGateway.sort((a, b) => a - b);
    const d = { p50: percentile(direct, 50), p99: percentile(direct, 99) };
    const g = { p50: percentile(viaGateway, 50), p99: percentile(viaGateway, 99) };
    return { pairs, direct: d, gateway: g, addedP50: g.p50 - d.p50, addedP99: g.p99 - d.p99 };
  } finally {
    await upstream.close();
  }
};
