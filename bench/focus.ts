/**
 * FOCUS CSV import speed: parse + map through `parseFocusCsv` on one core, from an in-memory file fed
 * in 64 KiB chunks (as a file stream delivers it). Generating the file is not timed.
 */
import { Readable } from 'node:stream';
import { parseFocusCsv } from '../shared/adapters/billing/focus-csv';
import { generateFocusCsv } from './focus-data';

export interface FocusParseResult {
  rows: number;
  /** Wall-clock time. */
  ms: number;
  rowsPerSecond: number;
  /** CPU time of this process (user + system), the honest figure on a busy machine. */
  cpuMs: number;
  rowsPerCpuSecond: number;
}

const CHUNK = 64 * 1024;

export const measureFocusParse = async (rows = 200_000): Promise<FocusParseResult> => {
  const file = Buffer.from(generateFocusCsv(rows).csv);
  const chunks: Buffer[] = [];
  for (let at = 0; at < file.length; at += CHUNK) chunks.push(file.subarray(at, at + CHUNK));

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let parsed = 0;
  for await (const page of parseFocusCsv(Readable.from(chunks), { mode: 'all-or-nothing' })) {
    parsed += page.lines.length;
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (parsed !== rows) throw new Error(`FOCUS bench parsed ${parsed} of ${rows} rows`);
  return {
    rows,
    ms,
    rowsPerSecond: Math.round((rows / ms) * 1000),
    cpuMs,
    rowsPerCpuSecond: Math.round((rows / cpuMs) * 1000),
  };
};
