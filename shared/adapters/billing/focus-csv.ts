/**
 * FOCUS 1.x CSV files → bill pages, streamed: the file is never held in memory.
 *
 * Followed:
 * - csv-parse 7 options (csv.js.org/parse/options): `bom` strips a UTF-8 BOM; `relax_quotes` and
 *   `relax_column_count` stay off (their defaults) so a stray quote or a short/long record is an
 *   error; `skip_empty_lines` ignores blank lines; records stay arrays (`columns` off) and are keyed
 *   by the header here, which measured faster than `columns: true`. Parse errors are `CsvError`s
 *   (CSV_QUOTE_NOT_CLOSED, CSV_RECORD_INCONSISTENT_FIELDS_LENGTH, INVALID_OPENING_QUOTE,
 *   CSV_INVALID_CLOSING_QUOTE, ...) carrying `records` (records emitted so far, header included)
 *   and `lines`.
 * - RFC 4180 quoting (fields with commas, quotes or line breaks are quoted, quotes doubled).
 * - FOCUS column rules: see shared/domain/bills/focus.ts.
 */
import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { BillLineProblem, RawBillLine, RawBillPage } from '../../domain/bills/types';
import {
  SourceKeyOrdinals,
  checkFocusHeader,
  focusRowToLine,
  isBillLineProblem,
} from '../../domain/bills/focus';

export type FocusParseMode = 'all-or-nothing' | 'skip-row';

export interface FocusParseOptions {
  /**
   * 'skip-row': a bad row is dropped and reported in its page's `problems`.
   * 'all-or-nothing': any bad row fails the file with a FocusFileError listing the problems. Pages
   * already yielded before the first bad row are then void: the caller stages them and writes nothing.
   */
  mode: FocusParseMode;
  /** Lines (plus problems) per page; 1000 by default. */
  pageSize?: number;
}

/** Most problems a FocusFileError lists; `problemCount` still counts them all. */
const MAX_LISTED_PROBLEMS = 100;

/**
 * The file as a whole is unusable: malformed CSV, missing or duplicate columns, or (all-or-nothing)
 * bad rows. `problems` carry 1-based data row numbers; row 0 is the header.
 */
export class FocusFileError extends Error {
  override readonly name = 'FocusFileError';

  constructor(
    message: string,
    readonly problems: readonly BillLineProblem[],
    readonly problemCount = problems.length,
  ) {
    super(message);
  }
}

const describeProblem = (p: BillLineProblem): string =>
  `row ${p.row}${p.column ? ` (${p.column})` : ''}: ${p.message}`;

/** A csv-parse error as a file error; `records` counts the header, so it is the failing data row. */
const malformed = (error: CsvError): FocusFileError => {
  const row = typeof error.records === 'number' ? error.records : 0;
  const line = typeof error.lines === 'number' ? ` (line ${error.lines})` : '';
  const problem = { row, message: `Malformed CSV${line}: ${error.message}` };
  return new FocusFileError(`FOCUS file is not valid CSV at ${describeProblem(problem)}`, [problem]);
};

const checkHeader = (header: string[]): void => {
  const missing = checkFocusHeader(header);
  if (missing.length > 0) {
    throw new FocusFileError(
      `FOCUS file lacks mandatory columns: ${missing.join(', ')}`,
      missing.map((column) => ({ row: 0, column, message: `Missing mandatory column ${column}` })),
    );
  }
  const duplicates = header.filter((column, i) => header.indexOf(column) !== i);
  if (duplicates.length > 0) {
    throw new FocusFileError(
      `FOCUS file repeats columns: ${[...new Set(duplicates)].join(', ')}`,
      duplicates.map((column) => ({ row: 0, column, message: `Column ${column} appears twice` })),
    );
  }
};

/**
 * Streams a FOCUS CSV as pages of bill lines. Row numbers are 1-based data rows (the header is not
 * counted; a quoted line break does not start a new row). Throws FocusFileError for file-level
 * failures; the source's own errors (I/O, abort) propagate as they are.
 */
export async function* parseFocusCsv(
  input: Readable | AsyncIterable<Buffer | string>,
  options: FocusParseOptions,
): AsyncGenerator<RawBillPage> {
  const pageSize = options.pageSize ?? 1000;
  const skipRows = options.mode === 'skip-row';
  const parser = parse({ bom: true, skip_empty_lines: true });
  // pipeline forwards a source error into the parser (plain pipe would leave the loop waiting).
  pipeline(input instanceof Readable ? input : Readable.from(input), parser, () => undefined);

  const ordinals = new SourceKeyOrdinals();
  let header: string[] | undefined;
  let row = 0;
  let lines: RawBillLine[] = [];
  let problems: BillLineProblem[] = [];
  let problemCount = 0;
  try {
    for await (const values of parser as AsyncIterable<string[]>) {
      if (header === undefined) {
        checkHeader(values);
        header = values;
        continue;
      }
      row++;
      const record: Record<string, string> = {};
      // csv-parse guarantees every record has the header's length (relax_column_count is off).
      for (let i = 0; i < header.length; i++) record[header[i] as string] = values[i] as string;
      const result = focusRowToLine(record, row);
      if (isBillLineProblem(result)) {
        problemCount++;
        if (skipRows || problems.length < MAX_LISTED_PROBLEMS) problems.push(result);
        // all-or-nothing: the file has failed; keep reading only to report every problem.
        if (!skipRows) lines = [];
      } else if (skipRows || problemCount === 0) {
        result.sourceKey = ordinals.next(result.sourceKey);
        lines.push(result);
      }
      if (lines.length + (skipRows ? problems.length : 0) >= pageSize) {
        yield skipRows && problems.length > 0 ? { lines, problems } : { lines };
        lines = [];
        if (skipRows) problems = [];
      }
    }
  } catch (error) {
    throw error instanceof CsvError ? malformed(error) : error;
  }

  if (header === undefined) throw new FocusFileError('FOCUS file is empty: no header row', []);
  if (!skipRows && problemCount > 0) {
    const listed = problems.map(describeProblem).join('; ');
    throw new FocusFileError(
      `FOCUS file has ${problemCount} bad row(s)${problemCount > problems.length ? `, first ${problems.length}` : ''}: ${listed}`,
      problems,
      problemCount,
    );
  }
  if (lines.length > 0 || problems.length > 0) {
    yield problems.length > 0 ? { lines, problems } : { lines };
  }
}
