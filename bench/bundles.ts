/**
 * Bundle size and cold-start init time per function: every manifest entry bundled the way Lambda
 * gets it (infra/bundling.ts, as the CDK construct uses it), then imported in a fresh Node process with the
 * environment a function sees, timing the module's top-level work (client creation, schemas).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { bundling } from '../infra/bundling';
import { functions } from '../infra/manifest';

export interface BundleResult {
  name: string;
  bytes: number;
  initMs: number;
}

const INIT_RUNS = 5;

export const measureBundles = async (): Promise<{ buildMs: number; results: BundleResult[] }> => {
  const out = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  try {
    const started = performance.now();
    await build({
      entryPoints: Object.fromEntries(functions.map((f) => [f.name, resolve(f.entry)])),
      bundle: true,
      platform: 'node',
      format: bundling.format,
      target: bundling.target,
      mainFields: [...bundling.mainFields],
      minify: bundling.minify,
      outdir: out,
      outExtension: { '.js': '.mjs' },
      banner: { js: bundling.banner },
      logLevel: 'error',
    });
    const buildMs = performance.now() - started;
    const probe = join(out, 'probe.mjs');
    writeFileSync(
      probe,
      [
        // What the Lambda runtime defines before it loads a handler (streaming functions wrap themselves).
        'globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };',
        'const t = performance.now(); await import(process.argv[2]); console.log(performance.now() - t);',
      ].join('\n'),
    );
    const env = {
      ...process.env,
      TABLE_NAME: 'bench',
      QUEUE_URL_AUDIT_EVENTS: 'http://127.0.0.1:1/queue/audit-events',
      AUTH_JWKS: JSON.stringify({ keys: [] }),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const results = functions.map((f) => {
      const file = join(out, `${f.name}.mjs`);
      const runs = Array.from({ length: INIT_RUNS }, () =>
        Number(execFileSync(process.execPath, [probe, file], { env, encoding: 'utf8' }).trim()),
      ).sort((a, b) => a - b);
      return { name: f.name, bytes: statSync(file).size, initMs: runs[Math.floor(runs.length / 2)] ?? NaN };
    });
    return { buildMs, results };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};
