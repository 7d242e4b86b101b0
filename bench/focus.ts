/**
 * FOCUS CSV import speed on one core: parse + map through `parseFocusCsv`, then normalize every line
 * into its stored bill item (category, exact currency conversion, project code, deterministic id),
 * from an in-memory file fed in 64 KiB chunks (as a file stream delivers it). Generating the file is
 * not timed.
 */
import { Readable } from 'node:stream';
import { parseFocusCsv } from '../shared/adapters/billing/focus-csv';
import { type NormalizeContext, billNormalizer } from '../shared/domain/bills/normalize';
import { generateFocusCsv } from './focus-data';

/** The generated file is October 2026 in USD, EUR and CNY; rates are the bench's, not real ones. */
const CONTEXT: NormalizeContext = {
  enterpriseId: 'ent-bench',
  provider: 'focus',
  cloudAccountId: 'acct-bench',
  periodMonth: '2026-10',
  reportingCurrency: 'USD',
  rates: { USD: '1', EUR: '1.0832', CNY: '0.1389' },
  projectTagKeys: ['project', 'team'],
};

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
  const normalize = billNormalizer(CONTEXT);
  let parsed = 0;
  for await (const page of parseFocusCsv(Readable.from(chunks), { mode: 'all-or-nothing' })) {
    for (const line of page.lines) normalize(line);
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
