/**
 * FOCUS (FinOps Open Cost and Usage Specification, focus.finops.org) 1.x rows → RawBillLine. Pure:
 * the CSV reading lives in shared/adapters/billing/focus-csv.ts.
 *
 * Rules followed (FOCUS_Spec repository, specification/columns/*.md and specification/attributes/*.md):
 * - BilledCost, EffectiveCost: Decimal, MUST NOT be null, Numeric Format ("integer or decimal values",
 *   no exponent, no "+", no commas, "-" for negatives).
 * - BillingCurrency: Currency Code Format, a three-letter ISO 4217 code.
 * - ChargePeriodStart (inclusive) / ChargePeriodEnd (exclusive): Date/Time Format, ISO 8601 in UTC,
 *   'YYYY-MM-DDTHH:mm:ssZ'.
 * - Tags: JSON in Key-Value Format; valueless tags carry `true`; null values MAY appear.
 * - ServiceName, ChargeCategory, ChargeDescription, BillingAccountId: mandatory String columns.
 * - RegionId, ResourceId, SubAccountId, SkuId, SkuPriceId, Tags: conditional (present when the provider
 *   supports them), so optional here.
 */
import { hash } from 'node:crypto';
import type { BillLineProblem, RawBillLine } from './types';

/**
 * Columns a FOCUS file must have for Tollgate: mandatory in every FOCUS 1.x version (1.0–1.3) and
 * read by `focusRowToLine`, for the line itself or for its sourceKey. ProviderName is left out on
 * purpose: FOCUS 1.3 deprecates it in favour of ServiceProviderName, and Tollgate does not read it.
 */
export const FOCUS_REQUIRED_COLUMNS = [
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ServiceName',
  'ChargeCategory',
  'ChargeDescription',
  'BillingAccountId',
] as const;

/**
 * What identifies a charge across re-exports of the same data: account, periods, what was charged
 * and where. Costs, quantities, names and tags are left out because a restated export may change them
 * and the restated row must overwrite the old one, not sit beside it.
 */
const IDENTITY_COLUMNS = [
  'BillingAccountId',
  'SubAccountId',
  'BillingPeriodStart',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ChargeClass',
  'PricingCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'ResourceId',
  'RegionId',
  'CommitmentDiscountId',
  'CommitmentDiscountStatus',
  'ChargeDescription',
  'BillingCurrency',
] as const;

/**
 * ISO 4217 List One (current currency and fund codes) as published by the SIX maintenance agency in
 * 2026, after ANG→XCG, ZWL→ZWG, SLL→SLE and BGN (euro adoption) left it and XAD joined.
 */
export const ISO_4217_CODES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP ' +
    'GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR ' +
    'KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN ' +
    'MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD ' +
    'SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX ' +
    'USD USN UYI UYU UYW UZS VED VES VND VUV WST XAD XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD ' +
    'XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG'
  ).split(' '),
);

/** One CSV row keyed by column id; a column the file lacks is undefined, an empty cell is ''. */
export type FocusRecord = Readonly<Record<string, string | undefined>>;

/** The required columns `header` lacks, in FOCUS_REQUIRED_COLUMNS order (empty when it is usable). */
export const checkFocusHeader = (header: readonly string[]): string[] => {
  const present = new Set(header);
  return FOCUS_REQUIRED_COLUMNS.filter((column) => !present.has(column));
};

// FOCUS Numeric Format: "-" for negatives only, no exponent, no separators (same shape money.ts accepts).
const DECIMAL = /^-?\d+(\.\d+)?$/;
// Date/Time Format asks for 'YYYY-MM-DDTHH:mm:ssZ'; fractions, a UTC offset or a space before the
// time are tolerated because exporters emit them, a missing zone is not (the instant would be a guess).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year: number, month: number): number =>
  month === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);

/** `YYYY-MM-DD` (UTC) of an ISO 8601 date-time, or undefined when it is not one. */
const utcDate = (value: string): string | undefined => {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59)
    return undefined;
  if (Number(s) > 59) return undefined;
  // The usual 'Z' case needs no Date at all (this runs once per row).
  if (zone === 'Z') return value.slice(0, 10);
  const digits = zone.replace(':', '');
  const offsetMinutes =
    (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  const utc = Date.UTC(year, month - 1, day, hour, minute) - offsetMinutes * 60_000;
  return new Date(utc).toISOString().slice(0, 10);
};

/**
 * Tags JSON → key/value strings; `true` (valueless tag) and numbers become their text, nulls are
 * dropped. Works on the freshly parsed object in place: copying it doubled the cost of this step.
 */
const parseTags = (value: string): Record<string, string> | undefined => {
  if (value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const tags = parsed as Record<string, unknown>;
  for (const key in tags) {
    const tagValue = tags[key];
    if (typeof tagValue === 'string') continue;
    if (tagValue === null) delete tags[key];
    else if (typeof tagValue === 'boolean' || typeof tagValue === 'number') tags[key] = String(tagValue);
    else return undefined;
  }
  return tags as Record<string, string>;
};

const problem = (row: number, column: string, message: string): BillLineProblem => ({ row, column, message });

const invalidDecimal = (row: number, column: string, value: string): BillLineProblem =>
  problem(row, column, `${column} "${value}" is not a decimal number (FOCUS Numeric Format)`);

/**
 * Base sourceKey of a row: the first 32 hex digits (128 bits) of the SHA-256 of its identity columns,
 * NUL-separated, absent columns as ''. FOCUS rows carry no id, so two genuinely identical rows share
 * this key; `SourceKeyOrdinals` tells them apart.
 */
const identityKey = (record: FocusRecord): string => {
  let identity = '';
  for (const column of IDENTITY_COLUMNS) identity += `${record[column] ?? ''}\0`;
  // One-shot crypto.hash: a third of createHash's cost on inputs this small.
  return hash('sha256', identity, 'hex').slice(0, 32);
};

/** Narrows `focusRowToLine`'s result. */
export const isBillLineProblem = (value: RawBillLine | BillLineProblem): value is BillLineProblem =>
  'message' in value;

/**
 * One FOCUS row (`rowNumber`: 1-based data row, header excluded) → its bill line, or the first problem
 * that keeps it from being one. The line's `sourceKey` is the identity hash; pass it through
 * `SourceKeyOrdinals` for the file so identical rows stay distinct.
 */
export const focusRowToLine = (record: FocusRecord, rowNumber: number): RawBillLine | BillLineProblem => {
  const billed = record.BilledCost ?? '';
  if (!DECIMAL.test(billed)) return invalidDecimal(rowNumber, 'BilledCost', billed);
  const effective = record.EffectiveCost ?? '';
  if (!DECIMAL.test(effective)) return invalidDecimal(rowNumber, 'EffectiveCost', effective);
  const currency = record.BillingCurrency ?? '';
  if (!ISO_4217_CODES.has(currency)) {
    return problem(rowNumber, 'BillingCurrency', `BillingCurrency "${currency}" is not an ISO 4217 code`);
  }
  const start = record.ChargePeriodStart ?? '';
  const billingDate = utcDate(start);
  if (billingDate === undefined) {
    return problem(
      rowNumber,
      'ChargePeriodStart',
      `ChargePeriodStart "${start}" is not an ISO 8601 date-time with a zone (YYYY-MM-DDTHH:mm:ssZ)`,
    );
  }
  const serviceName = record.ServiceName ?? '';
  if (serviceName === '') return problem(rowNumber, 'ServiceName', 'ServiceName is empty');
  const tags = parseTags(record.Tags ?? '');
  if (tags === undefined) {
    return problem(rowNumber, 'Tags', 'Tags is not a JSON object of string, number or boolean values');
  }
  const line: RawBillLine = {
    sourceKey: identityKey(record),
    billingDate,
    originalServiceName: serviceName,
    currency,
    amount: billed,
    amortizedAmount: effective,
    tags,
    rawPayload: record,
    row: rowNumber,
  };
  if (record.RegionId) line.region = record.RegionId;
  if (record.ResourceId) line.resourceId = record.ResourceId;
  if (record.SubAccountId) line.usageAccountId = record.SubAccountId;
  return line;
};

/**
 * Keeps the keys of one file's rows unique and stable: the first row with a given identity keeps the
 * hash, the n-th identical one gets `<hash>#n`. Rows are numbered in file order, so re-importing the
 * same file yields the same keys, and reordering truly identical rows changes nothing. Holds one
 * entry per distinct identity (about 80 bytes), so a file is bounded by memory and by a Map's
 * 2^24 entries, far beyond one account-month of rows.
 */
export class SourceKeyOrdinals {
  private readonly seen = new Map<string, number>();

  next(baseKey: string): string {
    const count = (this.seen.get(baseKey) ?? 0) + 1;
    this.seen.set(baseKey, count);
    return count === 1 ? baseKey : `${baseKey}#${count}`;
  }
}
