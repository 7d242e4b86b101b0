/**
 * A realistic FOCUS 1.x CSV, generated in memory from a seed: several providers and services, three
 * billing currencies (USD, EUR, CNY), usage and credit rows, descriptions with commas, Tags as JSON.
 * Shared by the FOCUS bench and the FOCUS tests (nothing imports test/). Amounts are built from
 * integers, never floats, and the exact BilledCost total per currency comes back with the CSV.
 */
import type { DecimalValue } from '../shared/domain/money';
import { decimal, toDecimalString } from '../shared/domain/money';

export const FOCUS_SAMPLE_HEADER = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'RegionId',
  'ResourceId',
  'ServiceCategory',
  'ServiceName',
  'SkuPriceId',
  'SubAccountId',
  'Tags',
] as const;

export interface GeneratedFocusCsv {
  csv: string;
  rows: number;
  /** Exact sum of BilledCost per BillingCurrency, as a decimal string. */
  billedTotals: Record<string, string>;
}

interface Service {
  provider: string;
  name: string;
  category: string;
  unit: string;
  regions: string[];
  sku: string;
}

const SERVICES: Service[] = [
  {
    provider: 'AWS',
    name: 'Amazon Elastic Compute Cloud',
    category: 'Compute',
    unit: 'Hours',
    regions: ['us-east-1', 'eu-west-1'],
    sku: 'BoxUsage:t3.medium',
  },
  {
    provider: 'AWS',
    name: 'Amazon Simple Storage Service',
    category: 'Storage',
    unit: 'GB-Mo',
    regions: ['us-east-1'],
    sku: 'TimedStorage-ByteHrs',
  },
  {
    provider: 'AWS',
    name: 'Amazon Bedrock',
    category: 'AI and Machine Learning',
    unit: '1K Tokens',
    regions: ['us-west-2'],
    sku: 'InputTokenCount',
  },
  {
    provider: 'Microsoft',
    name: 'Virtual Machines',
    category: 'Compute',
    unit: '1 Hour',
    regions: ['westeurope', 'northeurope'],
    sku: 'D2s v5',
  },
  {
    provider: 'Alibaba Cloud',
    name: 'Elastic Compute Service',
    category: 'Compute',
    unit: 'Hour',
    regions: ['cn-hangzhou', 'cn-shanghai'],
    sku: 'ecs.g7.large',
  },
  {
    provider: 'Google Cloud',
    name: 'Cloud SQL',
    category: 'Databases',
    unit: 'hour',
    regions: ['europe-west1'],
    sku: 'db-custom-2-7680',
  },
];

const ACCOUNTS = [
  { id: '123456789012', name: 'Acme US', currency: 'USD' },
  { id: 'acme-eu-billing', name: 'Acme EU', currency: 'EUR' },
  { id: '5566778899', name: 'Acme 中国', currency: 'CNY' },
];

/** mulberry32: a tiny deterministic PRNG, so a seed always yields the same file. */
const prng = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
};

/** `units` scaled by 10^-places as an exact decimal string ("-0.000123"). */
const scaled = (units: number, places: number): string => {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(places + 1, '0');
  return `${sign}${digits.slice(0, -places)}.${digits.slice(-places)}`;
};

const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

const day = (d: number): string => `2026-10-${String(d).padStart(2, '0')}T00:00:00Z`;

/** `rows` FOCUS rows for October 2026 (CRLF line ends, as most exporters write). */
export const generateFocusCsv = (rows: number, seed = 1): GeneratedFocusCsv => {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length] as T;
  const totals = new Map<string, DecimalValue>();
  const lines = [FOCUS_SAMPLE_HEADER.join(',')];
  for (let i = 0; i < rows; i++) {
    const account = pick(ACCOUNTS);
    const service = pick(SERVICES);
    const region = pick(service.regions);
    const d = 1 + (next() % 31);
    // One row in twenty is a credit: negative cost, no resource.
    const credit = next() % 20 === 0;
    const billedUnits = credit ? -(next() % 5_000_000) : next() % 90_000_000;
    const billed = scaled(billedUnits, 8);
    const effective = scaled(credit ? billedUnits : Math.max(0, billedUnits - (next() % 100_000)), 8);
    const list = scaled(billedUnits < 0 ? billedUnits : billedUnits + (next() % 1_000_000), 8);
    const quantity = scaled(next() % 10_000_000, 4);
    const resource = credit ? '' : `${service.sku.split(/[:. ]/)[0]}-${(next() % 5000).toString(16)}`;
    const tags = credit
      ? ''
      : JSON.stringify({
          env: pick(['prod', 'staging', 'dev']),
          team: pick(['ml', 'web', 'data']),
          n: i % 7,
        });
    const description = credit
      ? `Promotional credit, ${service.name}`
      : `${service.sku} in ${region}, per ${service.unit}`;
    totals.set(account.currency, (totals.get(account.currency) ?? decimal(0)).plus(decimal(billed)));
    const values = [
      billed,
      account.id,
      account.name,
      account.currency,
      '2026-11-01T00:00:00Z',
      '2026-10-01T00:00:00Z',
      credit ? 'Credit' : 'Usage',
      '',
      description,
      credit ? 'One-Time' : 'Usage-Based',
      d === 31 ? '2026-11-01T00:00:00Z' : day(d + 1),
      day(d),
      list,
      effective,
      list,
      quantity,
      service.unit,
      service.provider,
      region,
      resource,
      service.category,
      service.name,
      `${service.sku}:${region}`,
      `sub-${next() % 12}`,
      tags,
    ];
    lines.push(values.map(csvField).join(','));
  }
  const billedTotals: Record<string, string> = {};
  for (const [currency, total] of totals) billedTotals[currency] = toDecimalString(total);
  return { csv: `${lines.join('\r\n')}\r\n`, rows, billedTotals };
};
