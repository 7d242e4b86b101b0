import { describe, expect, it } from 'vitest';
import { normalizeBillLine } from '../../../../shared/domain/bills/normalize';
import type { CloudBillItem, NormalizeContext } from '../../../../shared/domain/bills/normalize';
import {
  DIMENSION_TYPES,
  SnapshotRollup,
  percentOf,
  previousAmounts,
  snapshotKey,
} from '../../../../shared/domain/bills/snapshots';
import type { MonthlyCostSnapshot, SnapshotProvider } from '../../../../shared/domain/bills/snapshots';
import type { CloudProvider, RawBillLine } from '../../../../shared/domain/bills/types';
import { DomainError } from '../../../../shared/domain/errors';
import { decimal } from '../../../../shared/domain/money';
import type { DecimalValue } from '../../../../shared/domain/money';

const RATES = { CNY: '0.1384', EUR: '1.0825', JPY: '0.006712' };

const context = (
  provider: CloudProvider,
  cloudAccountId: string,
  periodMonth = '2026-03',
): NormalizeContext => ({
  enterpriseId: 'ent-1',
  provider,
  cloudAccountId,
  periodMonth,
  reportingCurrency: 'USD',
  rates: RATES,
  projectTagKeys: ['project'],
});

let sequence = 0;
const item = (
  provider: CloudProvider,
  fields: Partial<RawBillLine> & { account?: string; project?: string },
  periodMonth = '2026-03',
): CloudBillItem =>
  normalizeBillLine(
    {
      sourceKey: `line-${++sequence}`,
      billingDate: `${periodMonth}-01`,
      originalServiceName: 'Compute Engine',
      currency: 'USD',
      amount: '1',
      tags: fields.project ? { project: fields.project } : {},
      rawPayload: {},
      ...fields,
    },
    context(provider, fields.account ?? `${provider}-acc`, periodMonth),
  );

const rollupOf = (items: CloudBillItem[], periodMonth = '2026-03'): SnapshotRollup => {
  const rollup = new SnapshotRollup(periodMonth, 'USD');
  for (const i of items) rollup.add(i);
  return rollup;
};

const row = (snapshots: MonthlyCostSnapshot[], provider: SnapshotProvider, dimension: string, key: string) =>
  snapshots.find((s) => s.provider === provider && s.dimensionType === dimension && s.dimensionKey === key);

describe('SnapshotRollup', () => {
  const items = [
    item('aws', {
      originalServiceName: 'Amazon Bedrock',
      amount: '100.10',
      project: 'apollo',
      region: 'us-east-1',
      billingDate: '2026-03-02',
    }),
    item('aliyun', {
      originalServiceName: 'ecs',
      currency: 'CNY',
      amount: '1000',
      project: 'apollo',
      region: 'cn-hangzhou',
      billingDate: '2026-03-02',
    }),
    item('aliyun', { originalServiceName: 'oss', currency: 'CNY', amount: '-50', billingDate: '2026-03-04' }),
    item('aws', { originalServiceName: 'Tax', amount: '7.5', billingDate: '2026-03-04' }),
  ];

  it('totals every scope per provider and for all, in the reporting currency', () => {
    const snapshots = rollupOf(items).snapshots();
    expect(row(snapshots, 'all', 'provider', 'all')).toEqual({
      periodMonth: '2026-03',
      provider: 'all',
      dimensionType: 'provider',
      dimensionKey: 'all',
      currency: 'USD',
      totalAmount: '239.08',
      previousAmount: null,
      changeAmount: null,
      changeRate: null,
      itemCount: 4,
      originalAmounts: { CNY: '950', USD: '107.6' },
    });
    expect(row(snapshots, 'aws', 'provider', 'aws')?.totalAmount).toBe('107.6');
    expect(row(snapshots, 'aliyun', 'provider', 'aliyun')?.totalAmount).toBe('131.48');
    expect(row(snapshots, 'all', 'project', 'apollo')).toMatchObject({ totalAmount: '238.5', itemCount: 2 });
    expect(row(snapshots, 'all', 'project', '(untagged)')).toMatchObject({
      totalAmount: '0.58',
      itemCount: 2,
    });
    expect(row(snapshots, 'aliyun', 'region', '(none)')).toMatchObject({
      totalAmount: '-6.92',
      itemCount: 1,
    });
    expect(row(snapshots, 'all', 'service', 'ai-ml')?.totalAmount).toBe('100.1');
    expect(row(snapshots, 'all', 'service', 'other')?.totalAmount).toBe('7.5');
    expect(row(snapshots, 'all', 'account', 'aliyun-acc')).toMatchObject({
      totalAmount: '131.48',
      originalAmounts: { CNY: '950' },
    });
    // 2 scopes + 2 providers, 5 dimension types each: one provider row per scope.
    expect(snapshots.filter((s) => s.dimensionType === 'provider').map((s) => s.provider)).toEqual([
      'aliyun',
      'all',
      'aws',
    ]);
  });

  it('lists snapshots in a stable order', () => {
    const forward = rollupOf(items).snapshots();
    const backward = rollupOf([...items].reverse()).snapshots();
    expect(backward).toEqual(forward);
  });

  it('compares with the previous month, including scopes that disappeared', () => {
    const previous = new Map([
      [snapshotKey('all', 'provider', 'all'), '200'],
      [snapshotKey('aws', 'provider', 'aws'), '0'],
      [snapshotKey('aliyun', 'provider', 'aliyun'), '-50'],
      [snapshotKey('all', 'service', 'database'), '12.34'],
      [snapshotKey('all', 'project', 'a#b'), '1'],
    ]);
    const snapshots = rollupOf(items).snapshots(previous);
    expect(row(snapshots, 'all', 'provider', 'all')).toMatchObject({
      previousAmount: '200',
      changeAmount: '39.08',
      changeRate: '19.5400',
    });
    // From zero there is no rate; from a net credit the rate is relative to |previous|.
    expect(row(snapshots, 'aws', 'provider', 'aws')).toMatchObject({
      changeAmount: '107.6',
      changeRate: null,
    });
    expect(row(snapshots, 'aliyun', 'provider', 'aliyun')).toMatchObject({
      changeAmount: '181.48',
      changeRate: '362.9600',
    });
    expect(row(snapshots, 'all', 'service', 'database')).toEqual({
      periodMonth: '2026-03',
      provider: 'all',
      dimensionType: 'service',
      dimensionKey: 'database',
      currency: 'USD',
      totalAmount: '0',
      previousAmount: '12.34',
      changeAmount: '-12.34',
      changeRate: '-100.0000',
      itemCount: 0,
      originalAmounts: {},
    });
    expect(row(snapshots, 'all', 'project', 'a#b')?.changeAmount).toBe('-1');
    expect(row(snapshots, 'all', 'service', 'compute')?.previousAmount).toBeNull();
  });

  it('refuses previous keys that name no snapshot', () => {
    expect(() => rollupOf(items).snapshots(new Map([['azure#provider#azure', '1']]))).toThrow(DomainError);
    expect(() => rollupOf(items).snapshots(new Map([['all#team#x', '1']]))).toThrow(DomainError);
    expect(() => rollupOf(items).snapshots(new Map([['all#provider', '1']]))).toThrow(DomainError);
  });

  it('takes last month snapshots as the previous map', () => {
    const february = rollupOf([item('aws', { amount: '80' }, '2026-02')], '2026-02').snapshots();
    const march = rollupOf([item('aws', { amount: '100' })]).snapshots(previousAmounts(february));
    expect(row(march, 'aws', 'service', 'compute')).toMatchObject({
      changeAmount: '20',
      changeRate: '25.0000',
    });
  });

  it('keeps daily totals per provider, one entry per day from first to last', () => {
    expect(rollupOf(items).dailyTotals()).toEqual([
      {
        provider: 'aliyun',
        days: [
          { date: '2026-03-02', amount: '138.4' },
          { date: '2026-03-03', amount: '0' },
          { date: '2026-03-04', amount: '-6.92' },
        ],
      },
      {
        provider: 'all',
        days: [
          { date: '2026-03-02', amount: '238.5' },
          { date: '2026-03-03', amount: '0' },
          { date: '2026-03-04', amount: '0.58' },
        ],
      },
      {
        provider: 'aws',
        days: [
          { date: '2026-03-02', amount: '100.1' },
          { date: '2026-03-03', amount: '0' },
          { date: '2026-03-04', amount: '7.5' },
        ],
      },
    ]);
    expect(new SnapshotRollup('2026-03', 'USD').dailyTotals()).toEqual([]);
  });

  it('refuses items of another period or reporting currency', () => {
    const rollup = new SnapshotRollup('2026-03', 'USD');
    expect(() => rollup.add(item('aws', {}, '2026-02'))).toThrow(DomainError);
    expect(() => rollup.add({ ...item('aws', {}), reportingCurrency: 'EUR' })).toThrow(DomainError);
    expect(() => rollup.add({ ...item('aws', {}), billingDate: '2026-04-01' })).toThrow(DomainError);
    expect(() => new SnapshotRollup('2026-3', 'USD')).toThrow(DomainError);
  });
});

describe('percentOf', () => {
  it('rounds half-even for display and is null for a zero whole', () => {
    expect(percentOf(decimal('1'), decimal('3'))).toBe('33.3333');
    expect(percentOf(decimal('2'), decimal('3'))).toBe('66.6667');
    expect(percentOf(decimal('0.000125'), decimal('1'), 2)).toBe('0.01');
    expect(percentOf(decimal('-0.0000001'), decimal('1'))).toBe('0.0000');
    expect(percentOf(decimal('5'), decimal('0'))).toBeNull();
  });
});

/** mulberry32: a small seeded generator, so the property test is reproducible. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const randomItems = (count: number, seed: number, periodMonth: string): CloudBillItem[] => {
  const random = seeded(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const providers = ['aws', 'aliyun', 'tencent', 'gcp', 'focus'] as const;
  const services: Record<CloudProvider, string[]> = {
    aws: ['Amazon Bedrock', 'AWS Lambda', 'Amazon Simple Storage Service', 'Amazon Athena', 'Mystery'],
    aliyun: ['ecs', 'oss', 'rds', 'pai', '云监控'],
    tencent: ['云服务器CVM', '对象存储COS', '负载均衡CLB'],
    gcp: ['Compute Engine', 'BigQuery', 'Vertex AI', 'Cloud SQL'],
    focus: ['Compute', 'Storage', 'Security', 'Other'],
  };
  return Array.from({ length: count }, (_, index) => {
    const provider = pick(providers);
    const cents = Math.floor(random() * 10_000_000) - 1_000_000; // credits too
    const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 1_000_000)}.${String(Math.abs(cents) % 1_000_000).padStart(6, '0')}`;
    const project = pick(['apollo', 'gemini', 'mercury', '', '']);
    return normalizeBillLine(
      {
        sourceKey: `r-${index}`,
        billingDate: `${periodMonth}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
        originalServiceName: pick(services[provider]),
        region: pick(['us-east-1', 'cn-beijing', 'europe-west1', '']),
        currency: pick(['USD', 'CNY', 'EUR', 'JPY']),
        amount,
        tags: project ? { project } : { env: 'dev' },
        rawPayload: null,
      },
      context(provider, `${provider}-${pick(['a', 'b', 'c'])}`, periodMonth),
    );
  });
};

const total = (values: Iterable<string>): DecimalValue =>
  [...values].reduce((sum, value) => sum.plus(decimal(value)), decimal(0));

describe('SnapshotRollup reconciliation', () => {
  const march = randomItems(4_000, 20260301, '2026-03');
  const february = randomItems(3_000, 20260201, '2026-02');
  const previous = previousAmounts(rollupOf(february, '2026-02').snapshots());
  const rollup = rollupOf(march);
  const snapshots = rollup.snapshots(previous);
  const itemTotal = total(march.map((i) => i.normalizedAmount));
  const scopes: SnapshotProvider[] = ['all', 'aws', 'aliyun', 'tencent', 'gcp', 'focus'];
  const scopeTotal = (scope: SnapshotProvider) =>
    decimal(row(snapshots, scope, 'provider', scope)!.totalAmount);

  it('every dimension of every scope sums exactly to the scope total', () => {
    expect(scopeTotal('all').equals(itemTotal)).toBe(true);
    for (const scope of scopes) {
      const scopeItems = scope === 'all' ? march : march.filter((i) => i.provider === scope);
      expect(scopeTotal(scope).toFixed()).toBe(total(scopeItems.map((i) => i.normalizedAmount)).toFixed());
      for (const dimension of DIMENSION_TYPES) {
        const rows = snapshots.filter((s) => s.provider === scope && s.dimensionType === dimension);
        expect(total(rows.map((s) => s.totalAmount)).toFixed(), `${scope} ${dimension}`).toBe(
          scopeTotal(scope).toFixed(),
        );
        expect(rows.reduce((n, s) => n + s.itemCount, 0)).toBe(scopeItems.length);
      }
    }
  });

  it('the providers add up to all, in reporting and in original currencies', () => {
    const providers = scopes.filter((s) => s !== 'all');
    expect(total(providers.map((p) => scopeTotal(p).toFixed())).equals(scopeTotal('all'))).toBe(true);
    const allOriginal = row(snapshots, 'all', 'provider', 'all')!.originalAmounts;
    for (const currency of ['USD', 'CNY', 'EUR', 'JPY']) {
      const expected = total(march.filter((i) => i.currency === currency).map((i) => i.originalAmount));
      expect(allOriginal[currency]).toBe(expected.toFixed());
    }
  });

  it('changes add up: the service changes of all equal the change of the total', () => {
    const previousTotal = decimal(previous.get(snapshotKey('all', 'provider', 'all'))!);
    const serviceChanges = snapshots
      .filter((s) => s.provider === 'all' && s.dimensionType === 'service')
      .map((s) => s.changeAmount ?? s.totalAmount);
    expect(total(serviceChanges).toFixed()).toBe(itemTotal.minus(previousTotal).toFixed());
  });

  it('daily totals sum to the scope totals', () => {
    for (const { provider, days } of rollup.dailyTotals()) {
      expect(total(days.map((d) => d.amount)).toFixed()).toBe(scopeTotal(provider).toFixed());
    }
  });

  it('does not depend on the order items arrive in', () => {
    const shuffled = [...march].sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
    expect(rollupOf(shuffled).snapshots(previous)).toEqual(snapshots);
  });
});
