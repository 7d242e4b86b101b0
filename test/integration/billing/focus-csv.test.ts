/** parseFocusCsv on real CSV bytes: paging, quoting, file and row errors. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FOCUS_SAMPLE_HEADER, generateFocusCsv } from '../../../bench/focus-data';
import type { FocusParseOptions } from '../../../shared/adapters/billing/focus-csv';
import { FocusFileError, parseFocusCsv } from '../../../shared/adapters/billing/focus-csv';
import type { RawBillLine, RawBillPage } from '../../../shared/domain/bills/types';
import type { DecimalValue } from '../../../shared/domain/money';
import { decimal, toDecimalString } from '../../../shared/domain/money';

type Row = Partial<Record<(typeof FOCUS_SAMPLE_HEADER)[number], string>>;

const DEFAULTS: Row = {
  BilledCost: '1.25',
  BillingAccountId: '123456789012',
  BillingAccountName: 'Acme',
  BillingCurrency: 'USD',
  BillingPeriodEnd: '2026-11-01T00:00:00Z',
  BillingPeriodStart: '2026-10-01T00:00:00Z',
  ChargeCategory: 'Usage',
  ChargeDescription: 'Lambda requests',
  ChargePeriodEnd: '2026-10-02T00:00:00Z',
  ChargePeriodStart: '2026-10-01T00:00:00Z',
  EffectiveCost: '1.25',
  ServiceName: 'AWS Lambda',
  Tags: '{"team":"web"}',
};

const field = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** A CSV with the sample header; each row overrides DEFAULTS. */
const csv = (rows: Row[], header: readonly string[] = FOCUS_SAMPLE_HEADER): string =>
  [
    header.join(','),
    ...rows.map((row) => header.map((c) => field({ ...DEFAULTS, ...row }[c] ?? '')).join(',')),
  ]
    .map((l) => `${l}\r\n`)
    .join('');

const parseAll = async (
  input: string | Buffer | AsyncIterable<Buffer | string>,
  options: FocusParseOptions = { mode: 'skip-row' },
): Promise<RawBillPage[]> => {
  const source = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  const pages: RawBillPage[] = [];
  for await (const page of parseFocusCsv(source, options)) pages.push(page);
  return pages;
};

const failure = async (promise: Promise<unknown>): Promise<FocusFileError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FocusFileError);
  return error as FocusFileError;
};

const allLines = (pages: RawBillPage[]): RawBillLine[] => pages.flatMap((page) => page.lines);

describe('parseFocusCsv', () => {
  it('streams a generated file in pages of pageSize, every row once', async () => {
    const file = generateFocusCsv(2_500, 7);
    const chunks = Buffer.from(file.csv);
    // Odd-sized chunks cut through quoted fields, CRLFs and multi-byte characters.
    const pieces: Buffer[] = [];
    for (let at = 0; at < chunks.length; at += 4093) pieces.push(chunks.subarray(at, at + 4093));
    const pages = await parseAll(Readable.from(pieces), { mode: 'all-or-nothing', pageSize: 1000 });
    expect(pages.map((page) => page.lines.length)).toEqual([1000, 1000, 500]);
    expect(pages.every((page) => page.problems === undefined)).toBe(true);
    const lines = allLines(pages);
    expect(new Set(lines.map((l) => l.sourceKey)).size).toBe(2_500);
    expect(
      lines.some((l) => (l.rawPayload as Record<string, string>).BillingAccountName === 'Acme 中国'),
    ).toBe(true);
  });

  it('sums 10,000 generated BilledCosts to the exact generator totals per currency', async () => {
    const file = generateFocusCsv(10_000, 42);
    const totals = new Map<string, DecimalValue>();
    for (const line of allLines(await parseAll(file.csv, { mode: 'all-or-nothing' }))) {
      totals.set(line.currency, (totals.get(line.currency) ?? decimal(0)).plus(decimal(line.amount)));
    }
    const sums = Object.fromEntries(
      [...totals].map(([currency, total]) => [currency, toDecimalString(total)]),
    );
    expect(Object.keys(sums).sort()).toEqual(['CNY', 'EUR', 'USD']);
    expect(sums).toEqual(file.billedTotals);
  });

  it('gives the same sourceKeys on every parse of the same file, and numbers identical rows', async () => {
    const text = csv([{}, { ResourceId: 'r-1' }, {}, { BilledCost: '9' }]);
    const first = allLines(await parseAll(text)).map((l) => l.sourceKey);
    const second = allLines(await parseAll(Readable.from([Buffer.from(text)]))).map((l) => l.sourceKey);
    expect(second).toEqual(first);
    const [a, b, c, d] = first;
    expect(b).not.toBe(a);
    // Rows 1, 3 and 4 are the same charge (cost is not identity): the 2nd and 3rd get ordinals.
    expect([c, d]).toEqual([`${a}#2`, `${a}#3`]);
  });

  it('strips a UTF-8 byte order mark from the first column name', async () => {
    const pages = await parseAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv([{}]))]));
    expect(allLines(pages)).toHaveLength(1);
    expect(allLines(pages)[0]?.amount).toBe('1.25');
  });

  it('reads quoted fields with commas, quotes and line breaks; row numbers count records, not lines', async () => {
    const description = 'Line one, with a comma\r\nline two with "quotes"\nline three';
    const pages = await parseAll(
      csv([{ ChargeDescription: description, Tags: '{"team":"a,b","note":"x\\"y"}' }, { BilledCost: 'abc' }]),
    );
    const [only] = allLines(pages);
    expect((only?.rawPayload as Record<string, string>).ChargeDescription).toBe(description);
    expect(only?.tags).toEqual({ team: 'a,b', note: 'x"y' });
    expect(pages[0]?.problems).toEqual([
      {
        row: 2,
        column: 'BilledCost',
        message: 'BilledCost "abc" is not a decimal number (FOCUS Numeric Format)',
      },
    ]);
  });

  it('takes any async iterable of strings', async () => {
    async function* pieces() {
      yield 'BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,';
      yield 'ServiceName,ChargeCategory,ChargeDescription,BillingAccountId\n0.1,0.1,CNY,2026-10-03T00:00:00+08:00,';
      yield '2026-10-04T00:00:00+08:00,Elastic Compute Service,Usage,ecs,1\n';
    }
    const [line] = allLines(await parseAll(pieces()));
    expect(line).toMatchObject({ amount: '0.1', currency: 'CNY', billingDate: '2026-10-02', tags: {} });
  });

  it('fails before any row when mandatory columns are missing', async () => {
    const header = FOCUS_SAMPLE_HEADER.filter((c) => c !== 'BillingCurrency' && c !== 'ChargePeriodStart');
    const pages: RawBillPage[] = [];
    const error = await failure(
      (async () => {
        for await (const page of parseFocusCsv(Readable.from([csv([{}], header)]), { mode: 'skip-row' })) {
          pages.push(page);
        }
      })(),
    );
    expect(pages).toEqual([]);
    expect(error.message).toBe('FOCUS file lacks mandatory columns: BillingCurrency, ChargePeriodStart');
    expect(error.problems.map((p) => [p.row, p.column])).toEqual([
      [0, 'BillingCurrency'],
      [0, 'ChargePeriodStart'],
    ]);
  });

  it('fails on a repeated column and on an empty file', async () => {
    const repeated = await failure(parseAll(csv([{}], [...FOCUS_SAMPLE_HEADER, 'BilledCost'])));
    expect(repeated.message).toBe('FOCUS file repeats columns: BilledCost');
    expect((await failure(parseAll(''))).message).toBe('FOCUS file is empty: no header row');
  });

  it('reports an unterminated quote as a file error at its data row', async () => {
    // The last field's closing quote is missing: the quote runs to the end of the file.
    const unterminated = csv([{}]).split('\r\n')[1]?.replace(/"$/, '');
    const text = `${csv([{}, { ChargeDescription: 'multi\nline' }])}${unterminated}\r\n`;
    const error = await failure(parseAll(text, { mode: 'skip-row' }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.row).toBe(3);
    expect(error.message).toMatch(
      /^FOCUS file is not valid CSV at row 3: Malformed CSV \(line \d+\): Quote Not Closed/,
    );
  });

  it('reports a record with the wrong number of fields at its data row', async () => {
    const text = `${csv([{}, {}])}1.25,too,few\r\n${csv([{}]).split('\r\n')[1]}\r\n`;
    const error = await failure(parseAll(text, { mode: 'skip-row' }));
    expect(error.problems[0]?.row).toBe(3);
    expect(error.message).toMatch(/line 4\): Invalid Record Length: expect 25, got 3/);
  });

  it('reports a stray quote inside an unquoted field', async () => {
    const text = `${csv([{}])}${csv([{}]).split('\r\n')[1]?.replace('Lambda requests', 'Lambda 12" disk')}\r\n`;
    expect((await failure(parseAll(text))).problems[0]?.row).toBe(2);
  });

  const BAD_ROWS: Row[] = [
    {},
    { BilledCost: '1e5' },
    { ResourceId: 'ok' },
    { ChargePeriodStart: '2026-10-01' },
    { BillingCurrency: 'XYZ' },
    { Tags: '{"team":' },
    { BilledCost: '' },
    { ResourceId: 'ok-too' },
  ];
  const EXPECTED_PROBLEMS = [
    {
      row: 2,
      column: 'BilledCost',
      message: 'BilledCost "1e5" is not a decimal number (FOCUS Numeric Format)',
    },
    {
      row: 4,
      column: 'ChargePeriodStart',
      message:
        'ChargePeriodStart "2026-10-01" is not an ISO 8601 date-time with a zone (YYYY-MM-DDTHH:mm:ssZ)',
    },
    { row: 5, column: 'BillingCurrency', message: 'BillingCurrency "XYZ" is not an ISO 4217 code' },
    { row: 6, column: 'Tags', message: 'Tags is not a JSON object of string, number or boolean values' },
    { row: 7, column: 'BilledCost', message: 'BilledCost "" is not a decimal number (FOCUS Numeric Format)' },
  ];

  it('skip-row: drops bad rows and reports them, with exact row numbers, in the page they fell in', async () => {
    const pages = await parseAll(csv(BAD_ROWS), { mode: 'skip-row', pageSize: 4 });
    // A page closes at pageSize lines + problems: rows 1-4 | rows 5-8.
    expect(pages.map((page) => page.lines.length)).toEqual([2, 1]);
    expect(pages.map((page) => page.problems?.map((p) => p.row))).toEqual([
      [2, 4],
      [5, 6, 7],
    ]);
    expect(pages.flatMap((page) => page.problems ?? [])).toEqual(EXPECTED_PROBLEMS);
    expect(allLines(pages).map((l) => l.resourceId)).toEqual([undefined, 'ok', 'ok-too']);
  });

  it('all-or-nothing: throws with every problem and yields nothing after the first bad row', async () => {
    const pages: RawBillPage[] = [];
    const error = await failure(
      (async () => {
        for await (const page of parseFocusCsv(Readable.from([csv(BAD_ROWS)]), { mode: 'all-or-nothing' })) {
          pages.push(page);
        }
      })(),
    );
    expect(pages).toEqual([]);
    expect(error.problems).toEqual(EXPECTED_PROBLEMS);
    expect(error.problemCount).toBe(5);
    expect(error.message).toMatch(/^FOCUS file has 5 bad row\(s\): row 2 \(BilledCost\): BilledCost "1e5"/);
  });

  it('all-or-nothing: lists the first 100 problems and counts them all', async () => {
    const rows: Row[] = Array.from({ length: 150 }, (_, i) => ({ BilledCost: i % 2 === 0 ? 'bad' : '1' }));
    const rowsAll: Row[] = [...rows, ...rows];
    const error = await failure(parseAll(csv(rowsAll), { mode: 'all-or-nothing' }));
    expect(error.problemCount).toBe(150);
    expect(error.problems).toHaveLength(100);
    expect(error.problems[99]?.row).toBe(199);
    expect(error.message).toMatch(/^FOCUS file has 150 bad row\(s\), first 100: /);
  });

  it('passes the source stream errors through', async () => {
    const broken = new Readable({
      read() {
        this.push(csv([{}]));
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(parseAll(broken)).rejects.toThrow('disk gone');
  });
});
