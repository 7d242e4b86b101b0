/**
 * `tollgate`: Tollgate's data for people and AI agents. Every command prints one JSON envelope
 * (or a table / CSV) and exits with a code that says what went wrong; nothing escapes as a stack
 * trace.
 */
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerAnomalies } from './commands/anomalies';
import { registerAuth } from './commands/auth';
import { registerBalance } from './commands/balance';
import { registerBudget } from './commands/budget';
import { registerConfig } from './commands/config';
import { registerCost } from './commands/cost';
import { registerJobs } from './commands/jobs';
import { registerPnl } from './commands/pnl';
import { registerReport } from './commands/report';
import { registerRoi } from './commands/roi';
import { registerSnapshot } from './commands/snapshot';
import { registerSync } from './commands/sync';
import { registerUsage } from './commands/usage';
import { fallbackFormat } from './context';
import { codeMeanings, exitCodes, toCliError, type CliErrorCode } from './errors';
import { formats, writeError } from './output';
import { positiveInt, seconds } from './periods';

const epilogue = [
  '',
  'Output (--format json, the default): {"success":true,"data":...,"meta":{"executionTime":<ms>,"cachedAt":null|<ISO>}}',
  'Errors: {"success":false,"error":{"code","message","details"}} on stdout in JSON, one line on stderr otherwise.',
  '',
  'Exit codes:',
  '  0  success',
  ...(Object.entries(exitCodes) as [CliErrorCode, number][]).map(
    ([code, exit]) => `  ${exit}  ${code.padEnd(16)} ${codeMeanings[code]}`,
  ),
  '',
  'Examples:',
  '  tollgate auth login --api-key tgadm_... --url http://127.0.0.1:3000',
  '  tollgate cost get --period 2026-11 --group-by service',
  '  tollgate pnl get --period 2026-Q4 --format table',
].join('\n');

const program = new Command('tollgate')
  .description(
    'Tollgate from the command line: AI usage, cloud cost, budgets, balances, P&L, ROI and reports',
  )
  .version(pkg.version)
  .addOption(new Option('--format <format>', 'output: json (default), table or csv').choices(formats))
  .option('--enterprise <id>', "the enterprise (default: the configured one, else the API key's)")
  .addOption(
    new Option('--timeout <seconds>', 'seconds to wait for each API answer').argParser(seconds).default(15),
  )
  .option(
    '--cache <seconds>',
    'serve reads from a local cache while at most this many seconds old',
    positiveInt,
  )
  .configureHelp({ showGlobalOptions: true })
  // Usage errors are printed by the catch below, as the error envelope.
  .configureOutput({ outputError: () => {} })
  .exitOverride()
  .addHelpText('after', epilogue);

// After the settings above: subcommands copy them when they are created.
for (const register of [
  registerAuth,
  registerConfig,
  registerUsage,
  registerCost,
  registerSnapshot,
  registerAnomalies,
  registerBudget,
  registerBalance,
  registerPnl,
  registerRoi,
  registerReport,
  registerSync,
  registerJobs,
])
  register(program);

/** Help and version output: commander has printed them; only the exit code is left. */
const shown = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError && shown.has(err.code)) {
    // `tollgate cost` without a subcommand prints help as an error: a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : exitCodes.VALIDATION_ERROR;
  } else {
    const error = toCliError(err);
    writeError(await fallbackFormat(program), error);
    process.exitCode = exitCodes[error.code];
  }
}
