/**
 * The AI gateway's request path (the seed's SmartAiRouter): authenticate the group key, load the
 * group's binding, choose accounts (selection), admit against the strict daily token quota, call
 * the provider with failover, then settle the quota, price the call and meter it.
 */
import { LRUCache } from 'lru-cache';
import { hashApiKey } from '../domain/api-keys';
import { DomainError } from '../domain/errors';
import { phase, type CircuitState } from '../domain/gateway/circuit';
import { accountPricing, callCost, type TokenCounts } from '../domain/gateway/pricing';
import { selectAccounts, type CandidateAccount } from '../domain/gateway/selection';
import { decimal, toDecimalString, type Money } from '../domain/money';
import { microUnits } from '../domain/gateway/quota';
import { newId } from '../domain/ids';
import type { CircuitStore } from '../ports/circuits';
import type { Clock } from '../ports/clock';
import type { UsageRecord, UsageSink, UsageStore } from '../ports/metering';
import {
  ProviderError,
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type EmbeddingRequest,
  type FinishReason,
  type EmbeddingResult,
  type ModelProvider,
  type ProviderTarget,
  type TokenUsage,
} from '../ports/model-provider';
import type { Notifier } from '../ports/notifications';
import type { SecretStore } from '../ports/secrets';
import type {
  AiAccount,
  AiAccountRepository,
  ApiKeyRepository,
  BindingRepository,
  EnterpriseRepository,
  Group,
  GroupBinding,
  GroupRepository,
  StoredApiKey,
} from '../ports/tenancy';
import type { QuotaGate, Reservation } from './quota-gate';
import { reachableAccounts } from './reachable-accounts';

export interface GatewayDeps {
  apiKeys: ApiKeyRepository;
  enterprises: EnterpriseRepository;
  groups: GroupRepository;
  bindings: BindingRepository;
  aiAccounts: AiAccountRepository;
  secrets: SecretStore;
  circuits: CircuitStore;
  /** Write-behind: records are stored after the response, in batches. */
  metering: UsageSink;
  /** Today's tokens per account and per group × serviceType, for daily limits and pool shares. */
  usageTotals: Pick<UsageStore, 'dayTokens'>;
  quota: QuotaGate;
  providerFor(serviceType: string): ModelProvider;
  notifier: Notifier;
  clock: Clock;
  settings: GatewaySettings;
}

export interface GatewaySettings {
  /** How long keys, bindings, accounts and credentials are cached per instance. */
  cacheTtlMs: number;
  attemptTimeoutMs: number;
  maxAttempts: number;
  /** Output budget reserved (and sent upstream) when the caller sets no max tokens. */
  defaultMaxTokens: number;
}

export const defaultGatewaySettings: GatewaySettings = {
  cacheTtlMs: 30_000,
  attemptTimeoutMs: 60_000,
  maxAttempts: 3,
  defaultMaxTokens: 4096,
};

/** A reservation held for one call, on the token counter or the budget counter. */
interface Held {
  kind: 'tokens' | 'budget';
  reservation: Reservation;
}

/** What a group key resolves to. */
export interface GatewayCaller {
  key: StoredApiKey;
  group: Group;
  binding: GroupBinding;
  /** The enterprise's discount on gateway prices, a fraction such as "0.15". */
  discount: string;
}

/** What a call needs reserved and metered, whichever way it is answered. */
interface CallSpec {
  model: string;
  serviceType?: string | undefined;
  requestType: UsageRecord['requestType'];
  /** Worst-case tokens, reserved from the daily token quota and priced against the monthly budget. */
  reserve: { promptTokens: number; completionTokens: number };
}

/** One routed (non-streamed) provider call: how to call a provider and read its usage. */
interface RoutedCall<T> extends CallSpec {
  invoke(provider: ModelProvider, target: ProviderTarget, signal: AbortSignal): Promise<T>;
  /** The provider's usage, or an estimate (flagged) when it reported none. */
  usageOf(result: T): { usage: TokenUsage; estimated: boolean };
}

/** A call on its way: the accounts to try in order and what was reserved for it. */
interface Plan {
  requestId: string;
  now: Date;
  attempts: AiAccount[];
  circuits: Map<string, CircuitState>;
  held: Held[];
  /** Accounts tried before the one that answered, with why each failed. */
  failovers: { accountId: string; failure: string }[];
  started: number;
}

/** What a streamed chat hands the route: deltas, then one `done` with the metered figures, or one `error`. */
export type GatewayStreamEvent =
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      finishReason: FinishReason;
      usage: TokenUsage;
      cost: string;
      currency: string;
    }
  | { type: 'error'; message: string };

export interface StreamedChat {
  requestId: string;
  account: Pick<AiAccount, 'id' | 'name' | 'serviceType'>;
  events: AsyncGenerator<GatewayStreamEvent>;
}

export interface RoutedOutcome<T> {
  requestId: string;
  result: T;
  usage: TokenUsage;
  account: Pick<AiAccount, 'id' | 'name' | 'serviceType'>;
  cost: string;
  currency: string;
}

const gatewayError = (
  code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'QUOTA_EXCEEDED' | 'RATE_LIMITED' | 'UPSTREAM_ERROR' | 'NOT_FOUND',
  message: string,
  details?: unknown,
) => new DomainError(code, message, details);

/**
 * Upper bound of a prompt's tokens without a tokenizer: no tokenizer emits more tokens than the
 * text has UTF-8 bytes, plus a few per message for the chat template. Reserving this keeps the
 * quota strict; the settled figure is the provider's own count.
 */
export const promptTokenBound = (request: ChatRequest): number =>
  request.messages.reduce((sum, m) => sum + Buffer.byteLength(m.content, 'utf8') + 8, 8);

/** When the provider reports no usage: ≈ 4 characters a token, flagged as estimated. */
const estimateUsage = (request: ChatRequest, content: string): TokenUsage => ({
  promptTokens:
    Math.ceil(request.messages.reduce((s, m) => s + m.content.length, 0) / 4) + 3 * request.messages.length,
  completionTokens: Math.ceil(content.length / 4),
  cachedPromptTokens: 0,
});

/**
 * Account daily limits and pool shares steer routing from the usage aggregates, read at most this
 * often per group and instance (so they lag by seconds: they are routing limits, unlike the
 * group's quota, which is strict).
 */
const USAGE_TOTALS_TTL_MS = 5_000;

/**
 * A read-through cache: concurrent misses share one load, and an expired entry is still served while
 * one background load refreshes it, so an expiry never sends every request in flight to the table.
 */
const readThrough = <V extends object, C = unknown>(
  ttl: number,
  load: (key: string, context: C) => Promise<V>,
): LRUCache<string, V, C> =>
  new LRUCache<string, V, C>({
    max: 10_000,
    ttl,
    allowStale: true,
    fetchMethod: (key, _stale, { context }) => load(key, context),
  });

/** The value a read-through cache resolved (its loads return a value or throw). */
const cached = async <V extends object, C>(
  cache: LRUCache<string, V, C>,
  key: string,
  context: C,
): Promise<V> => {
  // lru-cache types `fetch` by whether C may be undefined; every cache here passes its context.
  const fetch = cache.fetch.bind(cache) as (k: string, options: { context: C }) => Promise<V | undefined>;
  return (await fetch(key, { context }))!;
};

export class Gateway {
  private readonly keys: LRUCache<string, GatewayCaller>;
  private readonly accounts: LRUCache<string, AiAccount[], GroupBinding>;
  private readonly credentials: LRUCache<string, { secret: string }>;
  /** Today's token totals per group (accounts and pools), refreshed at most every USAGE_TOTALS_TTL_MS. */
  private readonly totals: LRUCache<string, Map<string, number>, readonly AiAccount[]>;
  /** Keys whose lastUsedAt was written recently: at most one write per key a minute. */
  private readonly touched: LRUCache<string, true>;
  private readonly roundRobin = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly deps: GatewayDeps) {
    const ttl = deps.settings.cacheTtlMs;
    this.keys = readThrough(ttl, (keyHash) => this.loadCaller(keyHash));
    this.accounts = readThrough(ttl, (_key, binding: GroupBinding) =>
      reachableAccounts(deps.aiAccounts, binding),
    );
    this.credentials = readThrough(ttl, async (ref) => ({ secret: await deps.secrets.get(ref) }));
    this.touched = new LRUCache({ max: 10_000, ttl: 60_000 });
    this.totals = readThrough(USAGE_TOTALS_TTL_MS, (key, accounts: readonly AiAccount[]) =>
      this.loadUsageTotals(key, accounts),
    );
  }

  private async loadCaller(keyHash: string): Promise<GatewayCaller> {
    const stored = await this.deps.apiKeys.getByHash(keyHash);
    if (!stored || stored.kind !== 'group' || !stored.groupId)
      throw gatewayError('UNAUTHORIZED', 'Invalid API key');
    const [group, binding, enterprise] = await Promise.all([
      this.deps.groups.get(stored.groupId),
      this.deps.bindings.get(stored.groupId),
      this.deps.enterprises.get(stored.enterpriseId),
    ]);
    if (!group || !enterprise) throw gatewayError('UNAUTHORIZED', 'Invalid API key');
    if (enterprise.status !== 'active') throw gatewayError('FORBIDDEN', 'This enterprise is suspended');
    if (!binding) throw gatewayError('FORBIDDEN', 'This group has no resource binding yet');
    return { key: stored, group, binding, discount: enterprise.gatewayDiscount };
  }

  /** Resolves a group key; 401 for unknown, revoked or expired keys, 403 for groups that cannot call. */
  async authenticate(key: string | undefined): Promise<GatewayCaller> {
    if (!key)
      throw gatewayError('UNAUTHORIZED', 'Missing API key: send "Authorization: Bearer tg_…" or "x-api-key"');
    const keyHash = hashApiKey(key);
    const caller = await cached(this.keys, keyHash, undefined);
    const now = this.deps.clock.now();
    if (caller.key.status !== 'active' || (caller.key.expiresAt && new Date(caller.key.expiresAt) <= now)) {
      throw gatewayError('UNAUTHORIZED', 'This API key is revoked or expired');
    }
    if (caller.group.status !== 'active') throw gatewayError('FORBIDDEN', 'This group is inactive');
    if (!this.touched.has(keyHash)) {
      this.touched.set(keyHash, true);
      await this.deps.apiKeys.touchLastUsed(keyHash, now.toISOString());
    }
    return caller;
  }

  /** Every account the binding can reach: named ones and the shared pools. */
  private async reachable(caller: GatewayCaller): Promise<AiAccount[]> {
    return cached(this.accounts, `${caller.group.id}:${caller.binding.updatedAt}`, caller.binding);
  }

  /** The models a caller's group can reach (for GET /v1/models). */
  async models(caller: GatewayCaller): Promise<{ id: string; ownedBy: string }[]> {
    const seen = new Map<string, string>();
    for (const account of await this.reachable(caller)) {
      if (!account.isEnabled || account.status !== 'active') continue;
      for (const model of account.supportedModels) if (!seen.has(model)) seen.set(model, account.serviceType);
    }
    return [...seen].map(([id, ownedBy]) => ({ id, ownedBy }));
  }

  private async credential(account: AiAccount): Promise<string> {
    return (await cached(this.credentials, account.credential.ref, undefined)).secret;
  }

  async chat(
    caller: GatewayCaller,
    request: ChatRequest,
    serviceType?: string,
  ): Promise<RoutedOutcome<ChatResult>> {
    const maxTokens = request.maxTokens ?? this.deps.settings.defaultMaxTokens;
    const upstream: ChatRequest = { ...request, maxTokens };
    return this.route(caller, {
      model: request.model,
      serviceType,
      requestType: 'chat',
      reserve: { promptTokens: promptTokenBound(request), completionTokens: maxTokens },
      invoke: (provider, target, signal) => provider.chat(target, upstream, signal),
      usageOf: (result) =>
        result.usage
          ? { usage: result.usage, estimated: false }
          : { usage: estimateUsage(request, result.content), estimated: true },
    });
  }

  async embed(caller: GatewayCaller, request: EmbeddingRequest): Promise<RoutedOutcome<EmbeddingResult>> {
    return this.route(caller, {
      model: request.model,
      requestType: 'embedding',
      reserve: {
        promptTokens: request.input.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + 8, 0),
        completionTokens: 0,
      },
      invoke: (provider, target, signal) => provider.embed(target, request, signal),
      usageOf: (result) => ({
        usage: {
          promptTokens: result.usage?.promptTokens ?? Math.ceil(request.input.join('').length / 4),
          completionTokens: 0,
          cachedPromptTokens: 0,
        },
        estimated: result.usage === null,
      }),
    });
  }

  /**
   * Streams a chat answer. Accounts are tried in order until one yields its first event, so a stream
   * fails over only before its first byte reaches the client. The returned events are the answer's
   * deltas and then one `done` (or one `error` if the provider breaks mid-stream); closing them early
   * (the client went away) cancels the upstream and charges only what was delivered.
   */
  async chatStream(caller: GatewayCaller, request: ChatRequest, serviceType?: string): Promise<StreamedChat> {
    const maxTokens = request.maxTokens ?? this.deps.settings.defaultMaxTokens;
    const upstream: ChatRequest = { ...request, maxTokens };
    const call: CallSpec = {
      model: request.model,
      serviceType,
      requestType: 'chat',
      reserve: { promptTokens: promptTokenBound(request), completionTokens: maxTokens },
    };
    const plan = await this.plan(caller, call);
    try {
      for (const account of plan.attempts) {
        const controller = new AbortController();
        // The attempt timeout bounds the wait for the first event; the rest is bounded by the function.
        const firstEventTimer = setTimeout(() => controller.abort(), this.deps.settings.attemptTimeoutMs);
        const release = this.occupy(account.id);
        let events: AsyncIterator<ChatStreamEvent> | undefined;
        let first: IteratorResult<ChatStreamEvent>;
        try {
          const target = await this.target(account);
          events = this.deps
            .providerFor(account.serviceType)
            .chatStream(target, upstream, controller.signal)
            [Symbol.asyncIterator]();
          first = await events.next();
        } catch (err) {
          release();
          await events?.return?.().catch(() => undefined);
          await this.attemptFailed(plan, account, call.model, err);
          continue;
        } finally {
          clearTimeout(firstEventTimer);
        }
        await this.attemptSucceeded(plan, account, call.model);
        return {
          requestId: plan.requestId,
          account: { id: account.id, name: account.name, serviceType: account.serviceType },
          events: this.relay(caller, plan, call, account, request, { events, first, controller, release }),
        };
      }
      throw gatewayError('UPSTREAM_ERROR', 'Every eligible account failed', { failovers: plan.failovers });
    } catch (err) {
      throw await this.unanswered(caller, plan, call, err);
    }
  }

  /** Passes a started stream on to the caller, then settles and meters it however it ended. */
  private async *relay(
    caller: GatewayCaller,
    plan: Plan,
    call: CallSpec,
    account: AiAccount,
    request: ChatRequest,
    upstream: {
      events: AsyncIterator<ChatStreamEvent>;
      first: IteratorResult<ChatStreamEvent>;
      controller: AbortController;
      release: () => void;
    },
  ): AsyncGenerator<GatewayStreamEvent> {
    let delivered = '';
    let done: Extract<ChatStreamEvent, { type: 'done' }> | undefined;
    let broke: unknown;
    let metered: { cost: string; currency: string; usage: TokenUsage } | undefined;
    try {
      for (let next = upstream.first; !next.done; next = await upstream.events.next()) {
        if (next.value.type === 'done') {
          done = next.value;
          break;
        }
        delivered += next.value.text;
        yield next.value;
      }
    } catch (err) {
      broke = err;
    } finally {
      upstream.release();
      if (!done) {
        // Stop the upstream generating (and billing) an answer nobody reads.
        upstream.controller.abort();
        await upstream.events.return?.().catch(() => undefined);
      }
      const usage = done?.usage ?? estimateUsage(request, delivered);
      metered = await this.answered(caller, plan, call, account, {
        usage,
        estimated: !done?.usage,
        status: done ? 'success' : broke ? 'error' : 'aborted',
        errorCode: broke ? (broke instanceof ProviderError ? broke.failure : 'SERVER_ERROR') : null,
      });
    }
    if (done) {
      yield { type: 'done', finishReason: done.finishReason, ...metered };
    } else {
      yield { type: 'error', message: broke instanceof Error ? broke.message : 'The upstream stream failed' };
    }
  }

  private async route<T>(caller: GatewayCaller, call: RoutedCall<T>): Promise<RoutedOutcome<T>> {
    const plan = await this.plan(caller, call);
    try {
      for (const account of plan.attempts) {
        let result: T;
        const release = this.occupy(account.id);
        try {
          result = await call.invoke(
            this.deps.providerFor(account.serviceType),
            await this.target(account),
            AbortSignal.timeout(this.deps.settings.attemptTimeoutMs),
          );
        } catch (err) {
          await this.attemptFailed(plan, account, call.model, err);
          continue;
        } finally {
          release();
        }
        await this.attemptSucceeded(plan, account, call.model);
        const { usage, estimated } = call.usageOf(result);
        const { cost, currency } = await this.answered(caller, plan, call, account, {
          usage,
          estimated,
          status: 'success',
          errorCode: null,
        });
        return {
          requestId: plan.requestId,
          result,
          usage,
          account: { id: account.id, name: account.name, serviceType: account.serviceType },
          cost,
          currency,
        };
      }
      throw gatewayError('UPSTREAM_ERROR', 'Every eligible account failed', { failovers: plan.failovers });
    } catch (err) {
      throw await this.unanswered(caller, plan, call, err);
    }
  }

  /** Chooses the accounts a call may go to, in order, and reserves its worst case (429 if it does not fit). */
  private async plan(caller: GatewayCaller, call: CallSpec): Promise<Plan> {
    const { deps } = this;
    const now = deps.clock.now();
    const accounts = await this.reachable(caller);
    const circuits = await deps.circuits.states(
      accounts.map((a) => a.id),
      call.model,
    );
    // A half-open circuit lets one request through, across every instance: the one that claims it.
    const probes = new Set<string>();
    for (const [accountId, state] of circuits) {
      if (phase(state, now.getTime()) !== 'half-open') continue;
      if (await deps.circuits.claimProbe(accountId, call.model, now.getTime())) probes.add(accountId);
      else circuits.set(accountId, { ...state, openUntil: Number.MAX_SAFE_INTEGER });
    }
    const totals = await this.usageTotals(caller, accounts, now);
    const candidates = new Map<string, CandidateAccount>(
      accounts.map((a) => [
        a.id,
        {
          ...a,
          dailyUsedTokens: totals.get(`AIACCT#${a.id}`) ?? 0,
          currentLoad: this.inFlight.get(a.id) ?? 0,
          circuitOpenUntil: this.circuitBlock(circuits.get(a.id), now.getTime()),
        },
      ]),
    );
    const pool = (st: string) =>
      [...candidates.values()].filter((a) => a.serviceType === st && a.accountType === 'shared');
    const selection = selectAccounts(
      caller.binding,
      candidates,
      pool,
      { model: call.model, serviceType: call.serviceType, now: now.getTime() },
      {
        roundRobin: (tier) => {
          const key = `${caller.group.id}:${tier}`;
          const n = this.roundRobin.get(key) ?? 0;
          this.roundRobin.set(key, n + 1);
          return n;
        },
        random: Math.random,
        groupPoolTokens: (serviceType) => totals.get(`GROUPSVC#${caller.group.id}#${serviceType}`) ?? 0,
      },
    );
    if (selection.attempts.length === 0) {
      // Accounts that exist but are used up for today are a reason to come back later (429), not a 404.
      const usedUp =
        selection.skipped.length > 0 &&
        selection.skipped.every((s) => s.reason === 'daily limit reached' || s.accountId.startsWith('pool:'));
      throw gatewayError(
        usedUp ? 'RATE_LIMITED' : 'NOT_FOUND',
        usedUp
          ? `The accounts this group can use for "${call.model}" are at their daily capacity`
          : `No account of this group can serve model "${call.model}" now`,
        { skipped: selection.skipped },
      );
    }
    const byId = new Map(accounts.map((a) => [a.id, a]));
    // The probe goes first: a claimed probe that is never sent would keep the account out a cooldown longer.
    const ordered = [
      ...selection.attempts.filter((a) => probes.has(a.id)),
      ...selection.attempts.filter((a) => !probes.has(a.id)),
    ];
    const attempts = ordered.slice(0, deps.settings.maxAttempts).map((a) => byId.get(a.id)!);
    const held = await this.admit(caller, call, attempts, now);
    return {
      requestId: newId(now),
      now,
      attempts,
      circuits,
      held,
      failovers: [],
      started: performance.now(),
    };
  }

  private usageTotals(
    caller: GatewayCaller,
    accounts: readonly AiAccount[],
    now: Date,
  ): Promise<Map<string, number>> {
    return cached(this.totals, `${caller.group.id}#${now.toISOString().slice(0, 10)}`, accounts);
  }

  /** `key` is `<groupId>#<day>`: the day's tokens of every account reached and of the group per serviceType. */
  private loadUsageTotals(key: string, accounts: readonly AiAccount[]): Promise<Map<string, number>> {
    const [groupId = '', day = ''] = key.split('#');
    const serviceTypes = new Set(accounts.map((a) => a.serviceType));
    return this.deps.usageTotals.dayTokens(
      [
        ...accounts.map((a) => ({ scope: 'AIACCT' as const, scopeId: a.id })),
        ...[...serviceTypes].map((st) => ({ scope: 'GROUPSVC' as const, scopeId: `${groupId}#${st}` })),
      ],
      day,
    );
  }

  private occupy(accountId: string): () => void {
    this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 0) + 1);
    return () => this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 1) - 1);
  }

  private async target(account: AiAccount): Promise<ProviderTarget> {
    return {
      serviceType: account.serviceType,
      endpoint: account.endpoint,
      apiKey: await this.credential(account),
    };
  }

  /** A retryable failure moves on to the next account (and counts against its circuit); others end the call. */
  private async attemptFailed(plan: Plan, account: AiAccount, model: string, err: unknown): Promise<void> {
    if (!(err instanceof ProviderError) || !err.retryable) throw err;
    plan.failovers.push({ accountId: account.id, failure: err.failure });
    const at = this.deps.clock.now().getTime();
    await this.deps.circuits.record(account.id, model, 'failure', at);
    // Honour Retry-After: no instance sends this account more of this model until then.
    if (err.retryAfterMs) await this.deps.circuits.coolDown(account.id, model, at + err.retryAfterMs);
  }

  private async attemptSucceeded(plan: Plan, account: AiAccount, model: string): Promise<void> {
    const state = plan.circuits.get(account.id);
    if (state?.failures || state?.openUntil) {
      await this.deps.circuits.record(account.id, model, 'success', this.deps.clock.now().getTime());
    }
  }

  /** A provider answered (fully, partly or broken mid-stream): settle the quota at the actual figures and meter. */
  private async answered(
    caller: GatewayCaller,
    plan: Plan,
    call: CallSpec,
    account: AiAccount,
    outcome: {
      usage: TokenUsage;
      estimated: boolean;
      status: UsageRecord['status'];
      errorCode: string | null;
    },
  ): Promise<{ cost: string; currency: string; usage: TokenUsage }> {
    const { usage } = outcome;
    const cost = this.price(caller, call.model, account, usage, plan.now, outcome.status === 'success');
    await this.settle(plan.held, usage.promptTokens + usage.completionTokens, cost);
    this.deps.metering.write({
      ...this.recordBase(caller, plan, call),
      accountId: account.id,
      serviceType: account.serviceType,
      ...usage,
      cost: toDecimalString(cost),
      currency: cost.currency,
      status: outcome.status,
      errorCode: outcome.errorCode,
      estimated: outcome.estimated,
    });
    return { cost: toDecimalString(cost), currency: cost.currency, usage };
  }

  /** No provider answered: release the reservation, meter the failure, and say why in the gateway's terms. */
  private async unanswered(
    caller: GatewayCaller,
    plan: Plan,
    call: CallSpec,
    err: unknown,
  ): Promise<unknown> {
    await Promise.all(plan.held.map(({ reservation }) => this.deps.quota.settle(reservation, 0)));
    const account = plan.attempts.find((a) => a.id === plan.failovers.at(-1)?.accountId) ?? plan.attempts[0]!;
    this.deps.metering.write({
      ...this.recordBase(caller, plan, call),
      accountId: account.id,
      serviceType: account.serviceType,
      promptTokens: 0,
      completionTokens: 0,
      cachedPromptTokens: 0,
      cost: '0',
      currency: account.currency,
      status: err instanceof ProviderError && err.failure === 'timeout' ? 'timeout' : 'error',
      errorCode:
        err instanceof DomainError ? err.code : err instanceof ProviderError ? err.failure : 'SERVER_ERROR',
      estimated: false,
    });
    return err instanceof ProviderError
      ? gatewayError('UPSTREAM_ERROR', `The provider rejected the request: ${err.message}`)
      : err;
  }

  private recordBase(caller: GatewayCaller, plan: Plan, call: CallSpec) {
    return {
      requestId: plan.requestId,
      at: plan.now.toISOString(),
      enterpriseId: caller.group.enterpriseId,
      groupId: caller.group.id,
      userId: caller.key.userId,
      apiKeyId: caller.key.id,
      model: call.model,
      requestType: call.requestType,
      latencyMs: Math.round(performance.now() - plan.started),
      failovers: plan.failovers,
    };
  }

  /**
   * Reserves the call's worst case before it is sent: its tokens from today's token counter and its
   * cost (on the dearest account it may go to) from this month's budget counter, in micro-units.
   * Either refusal is a 429 and releases what was already reserved.
   */
  private async admit(
    caller: GatewayCaller,
    call: CallSpec,
    attempts: readonly AiAccount[],
    now: Date,
  ): Promise<Held[]> {
    const { quota } = this.deps;
    const { dailyTokenLimit, monthlyBudget, budgetCurrency } = caller.binding.quotaConfig;
    const keyQuota = caller.key.quota;
    const day = now.toISOString().slice(0, 10);
    const month = `${day.slice(0, 7)}#${budgetCurrency}`;
    const held: Held[] = [];
    /** Reserves on one counter; a refusal releases what was already held and answers 429. */
    const reserve = async (
      kind: Held['kind'],
      counter: string,
      limit: number,
      units: number,
      refusal: string,
      warnAs?: string,
    ): Promise<void> => {
      const reservation = await quota.admit({ groupId: caller.group.id, counter }, limit, units);
      if (!reservation) {
        await Promise.all(held.map((h) => quota.settle(h.reservation, 0)));
        throw gatewayError('QUOTA_EXCEEDED', refusal);
      }
      held.push({ kind, reservation });
      if (warnAs) await this.warnOnThresholds(caller, reservation, warnAs);
    };

    const tokens = call.reserve.promptTokens + call.reserve.completionTokens;
    if (dailyTokenLimit > 0) {
      await reserve(
        'tokens',
        `D#${day}`,
        dailyTokenLimit,
        tokens,
        `The group's daily token limit of ${dailyTokenLimit} is reached`,
        `daily token limit (${dailyTokenLimit})`,
      );
    }
    if (keyQuota.dailyTokenLimit !== null) {
      await reserve(
        'tokens',
        `K#${caller.key.id}#D#${day}`,
        keyQuota.dailyTokenLimit,
        tokens,
        `This key's daily token limit of ${keyQuota.dailyTokenLimit} is reached`,
      );
    }
    if (monthlyBudget === null && keyQuota.monthlyBudget === null) return held;
    const worst = attempts
      .map((account) => {
        const cost = this.price(
          caller,
          call.model,
          account,
          { ...call.reserve, cachedPromptTokens: 0 },
          now,
          true,
        );
        if (cost.currency !== budgetCurrency) {
          throw gatewayError(
            'FORBIDDEN',
            `Account prices are in ${cost.currency}, the group's budget in ${budgetCurrency}`,
          );
        }
        return microUnits(cost.amount, 'up');
      })
      .reduce((a, b) => Math.max(a, b), 0);
    if (monthlyBudget !== null) {
      await reserve(
        'budget',
        `M#${month}`,
        microUnits(decimal(monthlyBudget), 'down'),
        worst,
        `The group's monthly budget of ${monthlyBudget} ${budgetCurrency} is reached`,
        `monthly budget (${monthlyBudget} ${budgetCurrency})`,
      );
    }
    if (keyQuota.monthlyBudget !== null) {
      await reserve(
        'budget',
        `K#${caller.key.id}#M#${month}`,
        microUnits(decimal(keyQuota.monthlyBudget), 'down'),
        worst,
        `This key's monthly budget of ${keyQuota.monthlyBudget} ${budgetCurrency} is reached`,
      );
    }
    return held;
  }

  /**
   * The warning and alert thresholds (default 80 / 95 %), each notified once per counter period.
   * Checked when a lease is taken, against everything granted: it may fire up to one lease early.
   */
  private async warnOnThresholds(
    caller: GatewayCaller,
    reservation: Reservation,
    what: string,
  ): Promise<void> {
    if (reservation.grantedShare === null) return;
    const { warningThreshold, alertThreshold } = caller.binding.quotaConfig;
    const percent = reservation.grantedShare * 100;
    for (const [threshold, severity] of [
      [warningThreshold, 'warning'],
      [alertThreshold, 'critical'],
    ] as const) {
      if (percent < threshold) continue;
      await this.deps.notifier.notifyOnce(
        `QUOTA#${reservation.ref.groupId}#${reservation.ref.counter}#${threshold}`,
        {
          enterpriseId: caller.group.enterpriseId,
          kind: 'gateway.quota.threshold',
          severity,
          subject: `group:${caller.group.id}`,
          message: `Group "${caller.group.name}" has used ${threshold} % of its ${what}.`,
        },
      );
    }
  }

  /** After the call: spend the actual tokens and cost, never more than was reserved. */
  private async settle(held: readonly Held[], tokens: number, cost: Money): Promise<void> {
    await Promise.all(
      held.map(({ kind, reservation }) =>
        this.deps.quota.settle(
          reservation,
          Math.min(reservation.units, kind === 'tokens' ? tokens : microUnits(cost.amount, 'up')),
        ),
      ),
    );
  }

  /**
   * A call's cost on an account: the account's own prices or the shipped table, its fixed per-call
   * cost on successful calls, less the enterprise's discount. The reservation and the settlement
   * price the same way, so what is settled never exceeds what was reserved.
   */
  private price(
    caller: GatewayCaller,
    model: string,
    account: AiAccount,
    tokens: TokenCounts,
    on: Date,
    successful: boolean,
  ): Money {
    const pricing = accountPricing({ ...account, fixedPerCall: successful ? account.fixedPerCall : null });
    return callCost(model, tokens, pricing, {
      on: on.toISOString().slice(0, 10),
      enterpriseDiscount: caller.discount,
    }).cost;
  }

  /** An open circuit blocks until its cooldown ends; a half-open one lets this request probe. */
  private circuitBlock(state: CircuitState | undefined, now: number): number {
    return state && phase(state, now) === 'open' ? state.openUntil : 0;
  }
}
