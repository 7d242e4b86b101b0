/**
 * `npm start`: the whole product on 127.0.0.1 with persistent local state.
 *
 *   PORT / --port <n>            API port (default 3000)
 *   TOLLGATE_DATA_DIR / --data-dir <dir>   state directory (default .tollgate under the repo root)
 *   DYNAMODB_PORT / --dynamodb-port <n>    DynamoDB Local port (default 8000, a free one if busy)
 *   SES_PORT / --ses-port <n>    SES mail viewer port (default 8005, a free one if busy)
 *   DEMO_UPSTREAM_PORT           the labelled demo AI upstream (default 8010, a free one if busy)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, isPortFree } from './lambda';
import { DEMO_MODELS, startDemoUpstream, type DemoUpstream } from './demo-upstream';
import { repoRoot, startLocalRuntime, type LocalRuntime } from './runtime';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'dynamodb-port': { type: 'string' },
    'ses-port': { type: 'string' },
  },
  strict: true,
});

const portOption = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name} must be a port number, got "${value}"`);
  return port;
};

/** The preferred port if it is free, else any free one (the URLs printed below say which). */
const preferredPort = async (port: number): Promise<number> =>
  port === 0 || (await isPortFree(port)) ? port : freePort('0.0.0.0');

const log = (line: string) => console.log(line);

const main = async (): Promise<void> => {
  const root = repoRoot();
  const port = portOption(args.port ?? process.env.PORT, 3000, 'PORT');
  // Fail before starting java: the API port is the one the user asked for, no silent fallback.
  if (port !== 0 && !(await isPortFree(port, '127.0.0.1'))) {
    throw new Error(
      `Port ${port} on 127.0.0.1 is in use: stop the other process or choose another port (PORT=<n> or --port <n>)`,
    );
  }
  const dataDir = resolve(root, args['data-dir'] ?? process.env.TOLLGATE_DATA_DIR ?? '.tollgate');
  const dynamoPort = await preferredPort(
    portOption(args['dynamodb-port'] ?? process.env.DYNAMODB_PORT, 8000, 'DYNAMODB_PORT'),
  );
  const sesPort = await preferredPort(portOption(args['ses-port'] ?? process.env.SES_PORT, 8005, 'SES_PORT'));

  const started = Date.now();
  console.log(`Starting Tollgate locally (state in ${dataDir}) ...`);
  // Filled once started; the signal handlers are installed before, so Ctrl-C during start works.
  const state: { runtime?: LocalRuntime; demo?: DemoUpstream } = {};
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ...`);
    // A second Ctrl-C while stopping must not leave java behind: the exit hook kills it.
    setTimeout(() => process.exit(1), 15_000).unref();
    await state.runtime?.stop();
    await state.demo?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const demoPort = await preferredPort(
    portOption(process.env.DEMO_UPSTREAM_PORT, 8010, 'DEMO_UPSTREAM_PORT'),
  );
  state.demo = await startDemoUpstream(demoPort);
  const runtime = await startLocalRuntime({ dataDir, port, dynamoPort, sesPort, root, log });
  state.runtime = runtime;
  if (stopping) return;
  const token = await runtime.mintToken({
    subject: 'local-platform-admin',
    roles: ['platform-admin'],
    ttlSeconds: 12 * 3600,
  });

  const lines = [
    '',
    `Tollgate is running (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  API              ${runtime.apiUrl}`,
    `  Health           ${runtime.apiUrl}/health`,
    `  OpenAPI          ${runtime.apiUrl}/openapi.json`,
    `  Mail viewer      ${runtime.sesUrl}`,
    `  Demo AI upstream ${state.demo.url}  (DEMO: echoes, not a model; models ${DEMO_MODELS.join(', ')})`,
    `  DynamoDB Local   ${runtime.dynamoEndpoint}`,
    `  Routes           ${runtime.mounts().length} mounted`,
    `  Schedules        ${runtime.jobs().join(', ') || '(none)'}`,
    `  Queue consumers  ${runtime.consumers().join(', ') || '(none)'}`,
    '',
    'Platform-admin token (12 h):',
    token,
    '',
    'Try:',
    `  curl -s -H "Authorization: Bearer ${token}" ${runtime.apiUrl}/api/enterprises`,
    '',
    'Gateway with no provider keys: register an AI account with "serviceType":"vllm",',
    `"endpoint":"${state.demo.url}","supportedModels":["${DEMO_MODELS[0]}"], bind it to a group, create a`,
    `group key, then: curl ${runtime.apiUrl}/v1/chat/completions -H "Authorization: Bearer <tg_key>" ...`,
    '',
    'Ctrl-C stops everything.',
  ];
  console.log(lines.join('\n'));
};

main().catch((err: unknown) => {
  console.error(`Tollgate could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
