/** `npm run bench`: bundle sizes and init times per function, then admin API latency locally. */
import { cpus } from 'node:os';
import { measureApi } from './api';
import { measureBundles } from './bundles';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

console.log(
  `Tollgate bench — Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}\n`,
);

const { buildMs, results } = await measureBundles();
console.log(`Bundles (esbuild, ESM, minified; all ${results.length} entries in one build: ${ms(buildMs)})`);
console.log('| function | bundle | init (median of 5 cold imports) |\n|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${kb(r.bytes)} | ${ms(r.initMs)} |`);

console.log('\nAdmin API through the local runtime (DynamoDB Local)');
console.log('| request | n | concurrency | p50 | p95 | req/s |\n|---|---|---|---|---|---|');
for (const r of await measureApi()) {
  console.log(
    `| ${r.name} | ${r.requests} | ${r.concurrency} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${r.perSecond.toFixed(0)} |`,
  );
}
