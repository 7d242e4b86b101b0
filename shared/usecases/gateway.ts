/**
 * The AI gateway's request path (the seed's SmartAiRouter): authenticate the group key, load the
 * group's binding, choose accounts (selection), admit against the strict daily token quota, call
 * the provider with failover, then settle the quota, price the call and meter it.
 */
import { LRUCache } from 'lru-cache';
import { hashApiKey } from '../domain/api-keys';
import { DomainError } from '../domain/errors';
import { phase, type CircuitState } from '../domain/gateway/circuit';
import { callCost } from '../domain/gateway/pricing';
import { selectAccounts, type CandidateAccount } from '../domain/gateway/selection';
import { decimal, toDecimalString, type Money } from '../domain/money';
import { microUnits } from '../domain/gateway/quota';
import { newId } from '../domain/ids';
import type { CircuitStore } from '../ports/circuits';
import type { Clock } from '../ports/clock';
import type { UsageRecord, UsageStore } from '../ports/metering';
import {
  ProviderError,
  type ChatRequest,
  type ChatResult,
  type EmbeddingRequest,
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
  Group,
  GroupBinding,
  GroupRepository,
  StoredApiKey,
} from '../ports/tenancy';
import type { QuotaGate, Reservation } from './quota-gate';
import { reachableAccounts } from './reachable-accounts';

export interface GatewayDeps {
  apiKeys: ApiKeyRepository;
  groups: GroupRepository;
  bindings: BindingRepository;
  aiAccounts: AiAccountRepository;
  secrets: SecretStore;
  circuits: CircuitStore;
  usage: UsageStore;
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
}

/** One routed provider call: what to reserve, how to call a provider, how to read its usage. */
interface RoutedCall<T> {
  model: string;
  serviceType?: string | undefined;
  requestType: UsageRecord['requestType'];
  /** Worst-case tokens, reserved from the daily token quota and priced against the monthly budget. */
  reserve: { promptTokens: number; completionTokens: number };
  invoke(provider: ModelProvider, target: ProviderTarget, signal: AbortSignal): Promise<T>;
  /** The provider's usage, or an estimate (flagged) when it reported none. */
  usageOf(result: T): { usage: TokenUsage; estimated: boolean };
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
  code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'QUOTA_EXCEEDED' | 'UPSTREAM_ERROR' | 'NOT_FOUND',
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

export class Gateway {
  private readonly keys: LRUCache<string, GatewayCaller>;
  private readonly accounts: LRUCache<string, AiAccount[]>;
  private readonly credentials: LRUCache<string, string>;
  /** Keys whose lastUsedAt was written recently: at most one write per key a minute. */
  private readonly touched: LRUCache<string, true>;
  private readonly roundRobin = new Map<string, number>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly deps: GatewayDeps) {
    const ttl = deps.settings.cacheTtlMs;
    this.keys = new LRUCache({ max: 10_000, ttl });
    this.accounts = new LRUCache({ max: 10_000, ttl });
    this.credentials = new LRUCache({ max: 10_000, ttl });
    this.touched = new LRUCache({ max: 10_000, ttl: 60_000 });
  }

  /** Resolves a group key; 401 for unknown, revoked or expired keys, 403 for groups that cannot call. */
  async authenticate(key: string | undefined): Promise<GatewayCaller> {
    if (!key)
      throw gatewayError('UNAUTHORIZED', 'Missing API key: send "Authorization: Bearer tg_…" or "x-api-key"');
    const keyHash = hashApiKey(key);
    let caller = this.keys.get(keyHash);
    if (!caller) {
      const stored = await this.deps.apiKeys.getByHash(keyHash);
      if (!stored || stored.kind !== 'group' || !stored.groupId)
        throw gatewayError('UNAUTHORIZED', 'Invalid API key');
      const [group, binding] = await Promise.all([
        this.deps.groups.get(stored.groupId),
        this.deps.bindings.get(stored.groupId),
      ]);
      if (!group) throw gatewayError('UNAUTHORIZED', 'Invalid API key');
      if (!binding) throw gatewayError('FORBIDDEN', 'This group has no resource binding yet');
      caller = { key: stored, group, binding };
      this.keys.set(keyHash, caller);
    }
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
    const cacheKey = `${caller.group.id}:${caller.binding.updatedAt}`;
    const cached = this.accounts.get(cacheKey);
    if (cached) return cached;
    const accounts = await reachableAccounts(this.deps.aiAccounts, caller.binding);
    this.accounts.set(cacheKey, accounts);
    return accounts;
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
    const cached = this.credentials.get(account.credential.ref);
    if (cached !== undefined) return cached;
    const secret = await this.deps.secrets.get(account.credential.ref);
    this.credentials.set(account.credential.ref, secret);
    return secret;
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

  private async route<T>(caller: GatewayCaller, call: RoutedCall<T>): Promise<RoutedOutcome<T>> {
    const { deps } = this;
    const now = deps.clock.now();
    const requestId = newId(now);
    const accounts = await this.reachable(caller);
    const circuits = await deps.circuits.states(
      accounts.map((a) => a.id),
      call.model,
    );
    const candidates = new Map<string, CandidateAccount>(
      accounts.map((a) => [
        a.id,
        {
          ...a,
          dailyUsedTokens: 0,
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
        poolUsagePercent: () => 0,
      },
    );
    if (selection.attempts.length === 0) {
      throw gatewayError('NOT_FOUND', `No account of this group can serve model "${call.model}" now`, {
        skipped: selection.skipped,
      });
    }

    const attempts = selection.attempts.slice(0, deps.settings.maxAttempts);
    const reservations = await this.admit(
      caller,
      call,
      attempts.map((a) => accounts.find((account) => account.id === a.id)!),
      now,
    );
    const failovers: { accountId: string; failure: string }[] = [];
    /** Set once a provider answered: later failures (metering) must not be treated as the call failing. */
    let answered = false;
    const started = performance.now();
    try {
      for (const account of attempts) {
        try {
          const result = await this.attempt(account.id, accounts, call.invoke);
          if (circuits.get(account.id)?.failures || circuits.get(account.id)?.openUntil) {
            await deps.circuits.record(account.id, call.model, 'success', deps.clock.now().getTime());
          }
          const chosen = accounts.find((a) => a.id === account.id)!;
          const { usage, estimated } = call.usageOf(result);
          const { cost } = callCost(
            call.model,
            usage,
            { costPerToken: chosen.costPerToken, currency: chosen.currency },
            { on: now.toISOString().slice(0, 10) },
          );
          answered = true;
          await this.settle(reservations, usage.promptTokens + usage.completionTokens, cost);
          await deps.usage.record({
            requestId,
            at: now.toISOString(),
            enterpriseId: caller.group.enterpriseId,
            groupId: caller.group.id,
            userId: caller.key.userId,
            apiKeyId: caller.key.id,
            accountId: chosen.id,
            serviceType: chosen.serviceType,
            model: call.model,
            requestType: call.requestType,
            ...usage,
            cost: toDecimalString(cost),
            currency: cost.currency,
            latencyMs: Math.round(performance.now() - started),
            status: 'success',
            errorCode: null,
            estimated,
            failovers,
          });
          return {
            requestId,
            result,
            usage,
            account: { id: chosen.id, name: chosen.name, serviceType: chosen.serviceType },
            cost: toDecimalString(cost),
            currency: cost.currency,
          };
        } catch (err) {
          if (!(err instanceof ProviderError) || !err.retryable) throw err;
          failovers.push({ accountId: account.id, failure: err.failure });
          const at = deps.clock.now().getTime();
          await deps.circuits.record(account.id, call.model, 'failure', at);
          // Honour Retry-After: no instance sends this account more of this model until then.
          if (err.retryAfterMs) await deps.circuits.coolDown(account.id, call.model, at + err.retryAfterMs);
        }
      }
      throw gatewayError('UPSTREAM_ERROR', 'Every eligible account failed', { failovers });
    } catch (err) {
      if (answered) throw err;
      await Promise.all(reservations.map(({ reservation }) => deps.quota.settle(reservation, 0)));
      await deps.usage.record({
        requestId,
        at: now.toISOString(),
        enterpriseId: caller.group.enterpriseId,
        groupId: caller.group.id,
        userId: caller.key.userId,
        apiKeyId: caller.key.id,
        accountId: failovers.at(-1)?.accountId ?? selection.attempts[0]!.id,
        serviceType: candidates.get(failovers.at(-1)?.accountId ?? selection.attempts[0]!.id)!.serviceType,
        model: call.model,
        requestType: call.requestType,
        promptTokens: 0,
        completionTokens: 0,
        cachedPromptTokens: 0,
        cost: '0',
        currency: 'USD',
        latencyMs: Math.round(performance.now() - started),
        status: err instanceof ProviderError && err.failure === 'timeout' ? 'timeout' : 'error',
        errorCode:
          err instanceof DomainError ? err.code : err instanceof ProviderError ? err.failure : 'SERVER_ERROR',
        estimated: false,
        failovers,
      });
      if (err instanceof ProviderError) {
        throw gatewayError('UPSTREAM_ERROR', `The provider rejected the request: ${err.message}`);
      }
      throw err;
    }
  }

  /**
   * Reserves the call's worst case before it is sent: its tokens from today's token counter and its
   * cost (on the dearest account it may go to) from this month's budget counter, in micro-units.
   * Either refusal is a 429 and releases what was already reserved.
   */
  private async admit(
    caller: GatewayCaller,
    call: RoutedCall<unknown>,
    attempts: readonly AiAccount[],
    now: Date,
  ): Promise<Held[]> {
    const { quota } = this.deps;
    const { dailyTokenLimit, monthlyBudget, budgetCurrency } = caller.binding.quotaConfig;
    const day = now.toISOString().slice(0, 10);
    const held: Held[] = [];
    const refuse = async (message: string): Promise<never> => {
      await Promise.all(held.map(({ reservation }) => quota.settle(reservation, 0)));
      throw gatewayError('QUOTA_EXCEEDED', message);
    };
    if (dailyTokenLimit > 0) {
      const units = call.reserve.promptTokens + call.reserve.completionTokens;
      const reservation = await quota.admit(
        { groupId: caller.group.id, counter: `D#${day}` },
        dailyTokenLimit,
        units,
      );
      if (!reservation) return refuse(`The group's daily token limit of ${dailyTokenLimit} is reached`);
      held.push({ kind: 'tokens', reservation });
      await this.warnOnThresholds(caller, reservation, `daily token limit (${dailyTokenLimit})`);
    }
    if (monthlyBudget !== null) {
      const worst = attempts
        .map((account) => {
          const { cost } = callCost(
            call.model,
            { ...call.reserve, cachedPromptTokens: 0 },
            { costPerToken: account.costPerToken, currency: account.currency },
            { on: day },
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
      const ref = { groupId: caller.group.id, counter: `M#${day.slice(0, 7)}#${budgetCurrency}` };
      const reservation = await quota.admit(ref, microUnits(decimal(monthlyBudget), 'down'), worst);
      if (!reservation)
        return refuse(`The group's monthly budget of ${monthlyBudget} ${budgetCurrency} is reached`);
      held.push({ kind: 'budget', reservation });
      await this.warnOnThresholds(caller, reservation, `monthly budget (${monthlyBudget} ${budgetCurrency})`);
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

  /** An open circuit blocks until its cooldown ends; a half-open one lets this request probe. */
  private circuitBlock(state: CircuitState | undefined, now: number): number {
    return state && phase(state, now) === 'open' ? state.openUntil : 0;
  }

  private async attempt<T>(
    accountId: string,
    accounts: AiAccount[],
    invoke: RoutedCall<T>['invoke'],
  ): Promise<T> {
    const account = accounts.find((a) => a.id === accountId)!;
    const provider = this.deps.providerFor(account.serviceType);
    const apiKey = await this.credential(account);
    this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 0) + 1);
    try {
      return await invoke(
        provider,
        { serviceType: account.serviceType, endpoint: account.endpoint, apiKey },
        AbortSignal.timeout(this.deps.settings.attemptTimeoutMs),
      );
    } finally {
      this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 1) - 1);
    }
  }
}
