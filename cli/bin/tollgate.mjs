#!/usr/bin/env node
// The CLI is TypeScript run through tsx: no build step between the repository and the command.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
try {
  await import('../main.ts');
} catch (err) {
  // main.ts prints its own errors; this only catches a CLI that cannot load at all.
  process.stderr.write(`tollgate could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
