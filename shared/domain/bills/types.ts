/**
 * Cloud bills (seed 001, schema `ops_finance`): the shapes every bill source produces and the
 * normalized bill item the table stores. Amounts are exact decimal strings, never JS floats.
 */

/** Providers a cloud account can have; `focus` is a FOCUS CSV file source. */
export const CLOUD_PROVIDERS = ['aws', 'aliyun', 'tencent', 'gcp', 'focus'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** Unified service categories every provider's service names map to. */
export const SERVICE_CATEGORIES = [
  'compute',
  'storage',
  'database',
  'network',
  'ai-ml',
  'analytics',
  'security',
  'management',
  'other',
] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/**
 * One bill line as a provider reports it, before normalization. Every adapter produces these.
 * `sourceKey` identifies the line within its account and period: the same line yields the same key
 * on every fetch, so re-syncing overwrites the item instead of duplicating it.
 */
export interface RawBillLine {
  /** Stable identity of the line within its account + period (see above). */
  sourceKey: string;
  /** `YYYY-MM-DD` (UTC) of the usage the line charges for. */
  billingDate: string;
  originalServiceName: string;
  region?: string;
  resourceId?: string;
  /** Linked / member / sub account the usage belongs to, when the provider says. */
  usageAccountId?: string;
  /** ISO 4217 code as billed. */
  currency: string;
  /** Billed (unblended / payable) amount, exact decimal string as the provider sent it. */
  amount: string;
  /** Amortized amount (commitments spread over usage), when the provider reports it. */
  amortizedAmount?: string;
  /** Resource tags / labels as key → value. */
  tags: Record<string, string>;
  /** The provider's own record for this line, kept verbatim on the item. */
  rawPayload: unknown;
  /** 1-based data row of a file source, so problems found later still name their row. */
  row?: number;
}

/** A page of lines; `problems` are per-row errors a source skipped (FOCUS files), with row numbers. */
export interface RawBillPage {
  lines: RawBillLine[];
  problems?: BillLineProblem[];
}

export interface BillLineProblem {
  /** 1-based data row (files) or the line's position in the source. */
  row: number;
  column?: string;
  message: string;
}
