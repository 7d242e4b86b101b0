/**
 * Monthly cost snapshots (`monthly_cost_snapshots`, seed 001): one period's bill items rolled up per
 * provider and dimension in a single pass, compared with the previous month's totals.
 *
 * Every item counts once under its own provider and once under provider `all`, in each of the five
 * dimensions, so every dimension of a provider sums to the same total. The `provider` dimension holds
 * one row per scope, keyed by the scope itself: (aws, provider, aws) is the AWS total and
 * (all, provider, all) the grand total; per-provider totals are the providers' own rows.
 */

import { DomainError } from '../errors';
import { decimal, toDecimalString } from '../money';
import type { DecimalValue } from '../money';
import type { CloudBillItem } from './normalize';
import { assertPeriodMonth } from './periods';
import { CLOUD_PROVIDERS } from './types';
import type { CloudProvider } from './types';

export const DIMENSION_TYPES = ['provider', 'account', 'project', 'service', 'region'] as const;
export type DimensionType = (typeof DIMENSION_TYPES)[number];

export const ALL_PROVIDERS = 'all';
export type SnapshotProvider = CloudProvider | typeof ALL_PROVIDERS;

/** Project key of items without a project code. */
export const UNTAGGED_PROJECT = '(untagged)';
/** Region key of items without a region (global services, tax, support). */
export const NO_REGION = '(none)';

export interface MonthlyCostSnapshot {
  periodMonth: string;
  provider: SnapshotProvider;
  dimensionType: DimensionType;
  dimensionKey: string;
  /** The reporting currency every amount below is in. */
  currency: string;
  totalAmount: string;
  /** Null when the previous month has no row for this scope. */
  previousAmount: string | null;
  changeAmount: string | null;
  /** Change in percent of |previous|, rounded to 4 places; null when previous is absent or 0. */
  changeRate: string | null;
  itemCount: number;
  /** Totals of the items' original amounts by billed currency. */
  originalAmounts: Record<string, string>;
}

export interface DailyCost {
  /** `YYYY-MM-DD` */
  date: string;
  amount: string;
}

export interface ProviderDailyCosts {
  provider: SnapshotProvider;
  /** Every day from the first to the last billed day, ascending; days without items are "0". */
  days: DailyCost[];
}

/** Identity of a snapshot row within a period; the key of the `previous` map. */
export const snapshotKey = (
  provider: SnapshotProvider,
  dimensionType: DimensionType,
  dimensionKey: string,
): string => `${provider}#${dimensionType}#${dimensionKey}`;

const isSnapshotProvider = (value: string): value is SnapshotProvider =>
  value === ALL_PROVIDERS || (CLOUD_PROVIDERS as readonly string[]).includes(value);
const isDimensionType = (value: string): value is DimensionType =>
  (DIMENSION_TYPES as readonly string[]).includes(value);

const parseSnapshotKey = (key: string): [SnapshotProvider, DimensionType, string] => {
  // The dimension key comes last, so a '#' inside it is no ambiguity.
  const [provider = '', dimensionType = '', ...rest] = key.split('#');
  if (!isSnapshotProvider(provider) || !isDimensionType(dimensionType) || rest.length === 0) {
    throw new DomainError('VALIDATION_ERROR', `"${key}" is not a snapshot key`);
  }
  return [provider, dimensionType, rest.join('#')];
};

/** The previous map `snapshots()` expects, from last month's snapshot rows. */
export const previousAmounts = (snapshots: readonly MonthlyCostSnapshot[]): Map<string, string> =>
  new Map(snapshots.map((s) => [snapshotKey(s.provider, s.dimensionType, s.dimensionKey), s.totalAmount]));

/** `part` in percent of `whole`, rounded half-even to `places` for presentation; null when whole is 0. */
export const percentOf = (part: DecimalValue, whole: DecimalValue, places = 4): string | null => {
  if (whole.isZero()) return null;
  const percent = part.times(100).dividedBy(whole);
  // Never "-0.0000".
  return percent.toDecimalPlaces(places).isZero() ? (0).toFixed(places) : percent.toFixed(places);
};

interface Bucket {
  provider: SnapshotProvider;
  dimensionType: DimensionType;
  dimensionKey: string;
  total: DecimalValue;
  itemCount: number;
  originalAmounts: Map<string, DecimalValue>;
}

const addTo = <K>(totals: Map<K, DecimalValue>, key: K, amount: DecimalValue): void => {
  totals.set(key, (totals.get(key) ?? decimal(0)).plus(amount));
};

/** What a rollup reads of a bill item: the store reads only these attributes for it. */
export const ROLLUP_ITEM_FIELDS = [
  'itemId',
  'provider',
  'cloudAccountId',
  'periodMonth',
  'billingDate',
  'normalizedService',
  'projectCode',
  'region',
  'currency',
  'originalAmount',
  'normalizedAmount',
  'reportingCurrency',
] as const satisfies readonly (keyof CloudBillItem)[];

export type RollupBillItem = Pick<CloudBillItem, (typeof ROLLUP_ITEM_FIELDS)[number]>;

const dimensionKeys = (item: RollupBillItem, scope: SnapshotProvider): Record<DimensionType, string> => ({
  provider: scope,
  account: item.cloudAccountId,
  project: item.projectCode ?? UNTAGGED_PROJECT,
  service: item.normalizedService,
  region: item.region ?? NO_REGION,
});

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const compareSnapshots = (a: MonthlyCostSnapshot, b: MonthlyCostSnapshot): number =>
  compareText(a.provider, b.provider) ||
  DIMENSION_TYPES.indexOf(a.dimensionType) - DIMENSION_TYPES.indexOf(b.dimensionType) ||
  compareText(a.dimensionKey, b.dimensionKey);

/**
 * Accumulates one period's items in a single pass: `add` does a constant amount of work per item
 * (ten bucket updates and two daily ones), so a month of millions of lines never needs a second read.
 */
export class SnapshotRollup {
  private readonly buckets = new Map<string, Bucket>();
  private readonly daily = new Map<SnapshotProvider, Map<string, DecimalValue>>();

  constructor(
    readonly periodMonth: string,
    readonly reportingCurrency: string,
  ) {
    assertPeriodMonth(periodMonth);
  }

  add(item: RollupBillItem): void {
    if (
      item.periodMonth !== this.periodMonth ||
      !item.billingDate.startsWith(`${this.periodMonth}-`) ||
      item.reportingCurrency !== this.reportingCurrency
    ) {
      throw new DomainError(
        'VALIDATION_ERROR',
        `Item ${item.itemId} (${item.billingDate}, ${item.reportingCurrency}) does not belong to the ${this.periodMonth} ${this.reportingCurrency} rollup`,
      );
    }
    const amount = decimal(item.normalizedAmount);
    const original = decimal(item.originalAmount);
    for (const scope of [item.provider, ALL_PROVIDERS] as const) {
      const keys = dimensionKeys(item, scope);
      for (const dimensionType of DIMENSION_TYPES) {
        const bucket = this.bucket(scope, dimensionType, keys[dimensionType]);
        bucket.total = bucket.total.plus(amount);
        bucket.itemCount += 1;
        addTo(bucket.originalAmounts, item.currency, original);
      }
      addTo(this.dailyOf(scope), item.billingDate, amount);
    }
  }

  /**
   * Every scope of this period, plus the scopes only `previous` has (total 0), so the changes of a
   * dimension add up to the change of its provider's total. `previous` maps snapshotKey → last
   * month's totalAmount in the same reporting currency.
   */
  snapshots(previous: ReadonlyMap<string, string> = new Map()): MonthlyCostSnapshot[] {
    for (const key of previous.keys()) {
      if (!this.buckets.has(key)) this.bucket(...parseSnapshotKey(key));
    }
    return [...this.buckets.entries()]
      .map(([key, bucket]) => this.snapshot(bucket, previous.get(key)))
      .sort(compareSnapshots);
  }

  dailyTotals(): ProviderDailyCosts[] {
    return [...this.daily.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([provider, totals]) => ({ provider, days: denseDays(totals) }));
  }

  private snapshot(bucket: Bucket, previousAmount: string | undefined): MonthlyCostSnapshot {
    const base = {
      periodMonth: this.periodMonth,
      provider: bucket.provider,
      dimensionType: bucket.dimensionType,
      dimensionKey: bucket.dimensionKey,
      currency: this.reportingCurrency,
      totalAmount: toDecimalString(bucket.total),
      itemCount: bucket.itemCount,
      originalAmounts: Object.fromEntries(
        [...bucket.originalAmounts.entries()]
          .sort(([a], [b]) => compareText(a, b))
          .map(([currency, total]) => [currency, toDecimalString(total)]),
      ),
    };
    if (previousAmount === undefined)
      return { ...base, previousAmount: null, changeAmount: null, changeRate: null };
    const previous = decimal(previousAmount);
    const change = bucket.total.minus(previous);
    return {
      ...base,
      previousAmount: toDecimalString(previous),
      changeAmount: toDecimalString(change),
      // Relative to |previous|, so a rise from a net credit (negative month) still reads as a rise.
      changeRate: percentOf(change, previous.abs()),
    };
  }

  private bucket(provider: SnapshotProvider, dimensionType: DimensionType, dimensionKey: string): Bucket {
    const key = snapshotKey(provider, dimensionType, dimensionKey);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        provider,
        dimensionType,
        dimensionKey,
        total: decimal(0),
        itemCount: 0,
        originalAmounts: new Map(),
      };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private dailyOf(provider: SnapshotProvider): Map<string, DecimalValue> {
    let totals = this.daily.get(provider);
    if (!totals) {
      totals = new Map();
      this.daily.set(provider, totals);
    }
    return totals;
  }
}

/** Days of one month from the first to the last with a total, gaps as "0" (a day without items cost nothing). */
const denseDays = (totals: ReadonlyMap<string, DecimalValue>): DailyCost[] => {
  const dates = [...totals.keys()].sort();
  const first = dates[0];
  const last = dates.at(-1);
  if (!first || !last) return [];
  const month = first.slice(0, 8);
  const days: DailyCost[] = [];
  for (let day = Number(first.slice(8)); day <= Number(last.slice(8)); day++) {
    const date = `${month}${String(day).padStart(2, '0')}`;
    days.push({ date, amount: toDecimalString(totals.get(date) ?? decimal(0)) });
  }
  return days;
};
