/**
 * One local replica of the API (the gateway and the admin routes) as its own process, on a
 * DynamoDB and table shared with other replicas: for multi-process tests and the overhead
 * benchmark. Started by spawnService (infra/local/processes.ts); prints
 * `{"gatewayProcess":{"apiUrl","token","pid"}}` once it serves.
 *
 * Environment: TG_DYNAMO_ENDPOINT, TG_TABLE_NAME, TG_DATA_DIR (shared secrets and signing key);
 * GATEWAY_* settings pass through to the router. SIGTERM stops the runtime, which runs the
 * functions' shutdown (usage flushed, quota leases given back) before the process exits.
 */
import { startLocalRuntime } from './runtime';

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`gateway-process needs ${name}`);
  return value;
};

const runtime = await startLocalRuntime({
  dynamoEndpoint: setting('TG_DYNAMO_ENDPOINT'),
  tableName: setting('TG_TABLE_NAME'),
  dataDir: setting('TG_DATA_DIR'),
  port: 0,
  log: (line) => process.stderr.write(`${line}\n`),
});
const token = await runtime.mintToken({ subject: 'platform', roles: ['platform-admin'] });

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await runtime.stop();
  process.exit(code);
};
process.once('SIGTERM', () => void stop(0));
// The parent went away without stopping us: do not linger.
process.once('disconnect', () => void stop(1));

process.stdout.write(
  `${JSON.stringify({ gatewayProcess: { apiUrl: runtime.apiUrl, token, pid: process.pid } })}\n`,
);
