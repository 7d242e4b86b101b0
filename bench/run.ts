/** `npm run bench`: bundle sizes and init times per function, then admin API latency locally. */
import { cpus } from 'node:os';
import { measureApi } from './api';
import { measureBundles } from './bundles';
import { measureFocusParse } from './focus';
import { measureGatewayOverhead } from './gateway';
import { startLocalRuntime } from '../infra/local/runtime';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const ms2 = (value: number) => `${value.toFixed(2)} ms`;

console.log(
  `Tollgate bench — Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}\n`,
);

const { buildMs, results } = await measureBundles();
console.log(`Bundles (esbuild, ESM, minified; all ${results.length} entries in one build: ${ms(buildMs)})`);
console.log('| function | bundle | init (median of 5 cold imports) |\n|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${kb(r.bytes)} | ${ms(r.initMs)} |`);

console.log('\nAdmin API through the local runtime (DynamoDB Local)');
console.log('| request | n | concurrency | p50 | p95 | req/s |\n|---|---|---|---|---|---|');
// One runtime for every measurement: function modules are loaded (and configured) once per process.
const runtime = await startLocalRuntime({ log: () => undefined });
for (const r of await measureApi(runtime)) {
  console.log(
    `| ${r.name} | ${r.requests} | ${r.concurrency} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${r.perSecond.toFixed(0)} |`,
  );
}

await runtime.stop();

const overhead = await measureGatewayOverhead();
console.log(
  `\nGateway overhead at 1 connection (${overhead.pairs} alternating pairs, upstream answers at once; gateway, upstream and client in separate processes)`,
);
console.log('| path | p50 | p99 |\n|---|---|---|');
console.log(`| direct to upstream | ${ms2(overhead.direct.p50)} | ${ms2(overhead.direct.p99)} |`);
console.log(`| through the gateway | ${ms2(overhead.gateway.p50)} | ${ms2(overhead.gateway.p99)} |`);
console.log(`| added by the gateway | ${ms2(overhead.addedP50)} | ${ms2(overhead.addedP99)} |`);
const { baseline } = overhead;
console.log(`| through a bare Node proxy (the floor) | ${ms2(baseline.p50)} | ${ms2(baseline.p99)} |`);
console.log(`| added by the bare proxy | ${ms2(baseline.addedP50)} | ${ms2(baseline.addedP99)} |`);
const { load } = overhead;
console.log(
  `\nThrough the gateway at ${load.connections} connections: ${load.requests} requests (${load.non2xx} not 2xx), ${load.perSecond.toFixed(0)} req/s`,
);
console.log('| process | CPU per request | share of one core |\n|---|---|---|');
for (const c of load.cpu)
  console.log(`| ${c.process} | ${c.msPerRequest.toFixed(3)} ms | ${(c.coreShare * 100).toFixed(0)} % |`);
console.log(
  `\nThe bare Node proxy at ${load.connections} connections: ${baseline.perSecond.toFixed(0)} req/s, ${baseline.cpuMsPerRequest.toFixed(3)} ms of CPU per request`,
);

const focus = await measureFocusParse();
console.log(
  `\nFOCUS parse + map (csv-parse, one core): ${focus.rows} rows in ${ms(focus.ms)}, ${focus.rowsPerSecond.toFixed(0)} rows/s`,
);
