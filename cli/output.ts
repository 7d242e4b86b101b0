/**
 * What the CLI prints: the JSON envelope agents parse, or a table / CSV of one list per command
 * for people and spreadsheets.
 */
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import type { CliError } from './errors';

export const formats = ['json', 'table', 'csv'] as const;
export type Format = (typeof formats)[number];

/** Rows of the table and CSV views; the header row is always printed, even with no rows. */
export interface TableData {
  head: string[];
  rows: unknown[][];
}

export interface Meta {
  /** Milliseconds from the start of the command to its output. */
  executionTime: number;
  /** When the data was stored in the local cache; null when it came from the API just now. */
  cachedAt: string | null;
}

/** A table of `items`, one column per entry of `columns` (header → value of an item). */
export const listTable = <T>(
  items: readonly T[],
  columns: Record<string, (item: T) => unknown>,
): TableData => ({
  head: Object.keys(columns),
  rows: items.map((item) => Object.values(columns).map((pick) => pick(item))),
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const flatten = (value: unknown, key: string, into: unknown[][]): void => {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, key ? `${key}.${k}` : k, into);
  } else if (Array.isArray(value) && value.some(isPlainObject)) {
    value.forEach((v, i) => flatten(v, `${key}[${i}]`, into));
  } else {
    into.push([key, value]);
  }
};

/** A key/value table of an object, nested fields as dotted keys (`total.amount`). */
export const objectTable = (value: object): TableData => {
  const rows: unknown[][] = [];
  flatten(value, '', rows);
  return { head: ['key', 'value'], rows };
};

/** One cell: scalars as they are, lists comma-separated, small records as `key: value` pairs. */
const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (isPlainObject(value))
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${cellText(v)}`)
      .join(', ');
  return String(value);
};

const renderTable = ({ head, rows }: TableData): string => {
  // No colours: the output is often piped or read by tools.
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((row) => row.map(cellText)));
  return table.toString();
};

const renderCsv = ({ head, rows }: TableData): string =>
  stringify([head, ...rows.map((row) => row.map(cellText))]).trimEnd();

/** Prints a command's result to stdout: the envelope in JSON mode, else its table or CSV. */
export const writeSuccess = (format: Format, data: unknown, table: TableData, meta: Meta): void => {
  const text =
    format === 'json'
      ? JSON.stringify({ success: true, data, meta }, null, 2)
      : format === 'table'
        ? renderTable(table)
        : renderCsv(table);
  process.stdout.write(`${text}\n`);
};

/**
 * Prints a failure: in JSON mode the error envelope on stdout (agents read one stream), otherwise
 * one line on stderr so that stdout stays a clean table or CSV.
 */
export const writeError = (format: Format, error: CliError): void => {
  if (format === 'json') {
    const envelope = {
      success: false,
      error: { code: error.code, message: error.message, details: error.details ?? null },
    };
    process.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`);
    return;
  }
  const hint = error.details?.hint;
  process.stderr.write(`tollgate: ${error.code}: ${error.message}${hint ? ` (${String(hint)})` : ''}\n`);
};
