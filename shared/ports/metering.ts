/** One metered gateway call (streamed, aborted and failed ones too), keyed by its request id. */
export interface UsageRecord {
  /** ULID minted by the gateway: unique and time-ordered. */
  requestId: string;
  at: string;
  enterpriseId: string;
  groupId: string;
  userId: string | null;
  apiKeyId: string;
  accountId: string;
  serviceType: string;
  model: string;
  requestType: 'chat' | 'embedding' | 'messages';
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  /** Exact decimal string. */
  cost: string;
  currency: string;
  latencyMs: number;
  status: 'success' | 'error' | 'timeout' | 'aborted';
  errorCode: string | null;
  /** True when the provider reported no usage and tokens were estimated. */
  estimated: boolean;
  /** Accounts tried before the one that answered (failover), with why each failed. */
  failovers: { accountId: string; failure: string }[];
}

/**
 * GROUPSVC, GROUPMODEL and GROUPACCT ids are `<groupId>#<serviceType>`, `<groupId>#<model>` and
 * `<groupId>#<accountId>`; GROUPACCT is kept by month only (the P&L feeds).
 */
export type AggregateScope = 'GROUP' | 'AIACCT' | 'MODEL' | 'GROUPSVC' | 'GROUPMODEL' | 'GROUPACCT';
export type Granularity = 'H' | 'D' | 'M';

export interface UsageAggregate {
  scope: AggregateScope;
  scopeId: string;
  granularity: Granularity;
  /** `2026-11-24T13`, `2026-11-24` or `2026-11`. */
  period: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  latencyMsTotal: number;
  /** Exact decimal strings by currency. */
  cost: Record<string, string>;
  /**
   * The latest `at` of the records counted here, kept in step with the counters (never moves back
   * when an older record lands late); null on aggregates last written before it existed.
   */
  lastRequestAt: string | null;
  /** Distinct users (a key without a user counts as one) of a GROUP month aggregate; 0 elsewhere. */
  activeUsers: number;
}

/**
 * The gateway's write side of metering: write-behind, so storing usage never delays a response.
 * Records are stored with the same guarantees as {@link UsageStore.record} (a retried record
 * counts once); one that cannot be stored after retries is reported, not thrown.
 */
export interface UsageSink {
  /** Queues the record; never throws, never waits for the table. */
  write(record: UsageRecord): void;
  /** Resolves once everything written before the call is stored (or given up on and reported). */
  flush(): Promise<void>;
}

export interface UsageStore {
  /** Writes the record and adds it to every aggregate in one transaction; a repeated id changes nothing. */
  record(usage: UsageRecord): Promise<'recorded' | 'duplicate'>;
  aggregates(
    scope: AggregateScope,
    scopeId: string,
    granularity: Granularity,
    periodPrefix: string,
  ): Promise<UsageAggregate[]>;
  /** Every aggregate of an enterprise for one period whose `<scope>#<scopeId>` starts with `keyPrefix`. */
  periodAggregates(
    enterpriseId: string,
    granularity: Granularity,
    period: string,
    keyPrefix: string,
  ): Promise<UsageAggregate[]>;
  recordsOfGroupDay(groupId: string, day: string): Promise<UsageRecord[]>;
  /** Tokens (prompt + completion) of `day` per `<scope>#<scopeId>`; 0 where nothing was used. */
  dayTokens(
    scopes: readonly { scope: AggregateScope; scopeId: string }[],
    day: string,
  ): Promise<Map<string, number>>;
}
