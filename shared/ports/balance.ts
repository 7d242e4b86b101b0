import type { BalanceAlertState } from '../domain/balance/alerts';
import type { BalanceProvider, BalanceQuote } from '../domain/balance/types';

/** What a balance source needs to read one account's balance. */
export interface BalanceFetchRequest {
  provider: BalanceProvider;
  /** The secret behind the source's credentialRef, parsed as a JSON object (provider-specific keys). */
  credentials: Record<string, string>;
  /** Non-secret settings stored on the source (endpoint override, URL, JSON paths, ...). */
  settings: Record<string, string>;
  /** Aborted on the per-call timeout; adapters pass it to their HTTP call. */
  signal: AbortSignal;
}

export type BalanceFailureKind =
  /** Credentials refused (401/403 or the provider's auth error code): retrying will not help. */
  | 'auth'
  /** 429 or the provider's throttling code: retry after `retryAfterMs` when given. */
  | 'rate_limited'
  /** 5xx, connection reset, DNS: transient. */
  | 'upstream'
  /** A 2xx whose body is not the documented shape: retrying will not help. */
  | 'invalid_response'
  /** The signal aborted. */
  | 'timeout';

/** Every adapter failure is one of these, with a message that never contains a credential. */
export class BalanceFetchError extends Error {
  override readonly name = 'BalanceFetchError';

  constructor(
    readonly kind: BalanceFailureKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  /** Transient failures are retried by the poller (with backoff, at most 3 tries in all). */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'upstream' || this.kind === 'timeout';
  }
}

/** One provider's balance API. */
export interface BalanceSource {
  /** One call, no retries (the poller owns retries, caching and timeouts); throws BalanceFetchError. */
  fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote>;
}

/** A monitored balance (seed 002 "project"): where to read it and when it is low. */
export interface BalanceSourceRecord {
  id: string;
  enterpriseId: string;
  name: string;
  provider: BalanceProvider;
  /** Secret store reference of the credentials (JSON object, provider-specific keys). */
  credentialRef: string;
  /** Last four characters of the main credential, for people to recognise it. */
  credentialHint: string;
  settings: Record<string, string>;
  /** Exact decimal in `currency`: a balance strictly below it is low. */
  threshold: string;
  currency: string;
  enabled: boolean;
  /** Repeat a low-balance alert after this many minutes while it stays low; 0 never repeats. */
  realertAfterMinutes: number;
  alert: BalanceAlertState;
  lastReading?: LastReading;
  lastManualRefreshAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface LastReading {
  at: string;
  status: 'ok' | 'failed';
  balance?: string;
  currency?: string;
  error?: string;
}

/** One poll of one source (seed 002 BalanceHistory), kept for history and trends. */
export interface BalanceReading {
  sourceId: string;
  enterpriseId: string;
  at: string;
  status: 'ok' | 'failed';
  balance?: string;
  currency?: string;
  details?: Record<string, string>;
  error?: { kind: BalanceFailureKind | 'config'; message: string };
  attempts: number;
  latencyMs: number;
}

export interface BalanceStore {
  createSource(source: BalanceSourceRecord): Promise<void>;
  getSource(id: string): Promise<BalanceSourceRecord | null>;
  listSources(enterpriseId: string): Promise<BalanceSourceRecord[]>;
  /** Every enabled source of every enterprise (the scheduled poll). */
  listEnabledSources(): Promise<BalanceSourceRecord[]>;
  updateSource(
    id: string,
    patch: Partial<Omit<BalanceSourceRecord, 'id' | 'enterpriseId' | 'provider' | 'createdAt'>>,
  ): Promise<BalanceSourceRecord>;
  deleteSource(id: string): Promise<void>;
  putReading(reading: BalanceReading): Promise<void>;
  /** Readings of a source in [fromIso, toIso], oldest first. */
  readings(sourceId: string, fromIso: string, toIso: string): Promise<BalanceReading[]>;
}
