/**
 * `npm run bench [-- section ...]`: bundle sizes and init times per function, admin API latency
 * locally, the FOCUS import into DynamoDB Local, gateway overhead and FOCUS parse speed. Sections:
 * bundles, api, bills, gateway, focus (all when none is named).
 */
import { cpus } from 'node:os';
import { measureApi } from './api';
import { measureBillImport } from './bills';
import { measureBundles } from './bundles';
import { measureFocusParse } from './focus';
import { measureGatewayOverhead } from './gateway';
import { startLocalRuntime } from '../infra/local/runtime';

const SECTIONS = ['bundles', 'api', 'bills', 'gateway', 'focus'] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length > 0) {
  console.error(`Unknown bench section(s): ${unknown.join(', ')}. Sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: (typeof SECTIONS)[number]) => asked.length === 0 || asked.includes(section);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const ms2 = (value: number) => `${value.toFixed(2)} ms`;

console.log(
  `Tollgate bench — Node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}\n`,
);

if (runs('bundles')) {
  const { buildMs, results } = await measureBundles();
  console.log(`Bundles (esbuild, ESM, minified; all ${results.length} entries in one build: ${ms(buildMs)})`);
  console.log('| function | bundle | init (median of 5 cold imports) |\n|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${kb(r.bytes)} | ${ms(r.initMs)} |`);
}

if (runs('api') || runs('bills')) {
  // One runtime for both: function modules are loaded (and configured) once per process.
  const runtime = await startLocalRuntime({ log: () => undefined });
  if (runs('api')) {
    console.log('\nAdmin API through the local runtime (DynamoDB Local)');
    console.log('| request | n | concurrency | p50 | p95 | req/s |\n|---|---|---|---|---|---|');
    for (const r of await measureApi(runtime)) {
      console.log(
        `| ${r.name} | ${r.requests} | ${r.concurrency} | ${ms(r.p50Ms)} | ${ms(r.p95Ms)} | ${r.perSecond.toFixed(0)} |`,
      );
    }
  }
  if (runs('bills')) {
    const bills = await measureBillImport(runtime, Number(process.env.BENCH_BILL_ROWS ?? 1_000_000));
    const requests = (phase: { requests: Record<string, number> }) =>
      Object.entries(phase.requests)
        .sort(([, a], [, b]) => b - a)
        .map(([operation, n]) => `${operation} ${n}`)
        .join(', ');
    console.log(`\nFOCUS import of ${bills.rows} rows into DynamoDB Local (BENCH_BILL_ROWS to change)`);
    console.log('| phase | time | items/s | DynamoDB requests |\n|---|---|---|---|');
    console.log(
      `| import (parse, normalize, write, sweep) | ${(bills.import.ms / 1000).toFixed(1)} s | ${bills.import.itemsPerSecond} | ${bills.import.totalRequests}: ${requests(bills.import)} |`,
    );
    console.log(
      `| snapshot rollup (${bills.rollup.snapshots} snapshots) | ${(bills.rollup.ms / 1000).toFixed(1)} s | ${bills.rollup.itemsPerSecond} | ${bills.rollup.totalRequests}: ${requests(bills.rollup)} |`,
    );
  }
  await runtime.stop();
}

if (runs('gateway')) {
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
}

if (runs('focus')) {
  const focus = await measureFocusParse();
  console.log(
    `\nFOCUS parse + normalize (csv-parse, one core): ${focus.rows} rows in ${ms(focus.ms)}, ${focus.rowsPerSecond} rows/s (${focus.rowsPerCpuSecond} rows per CPU-second)`,
  );
}
