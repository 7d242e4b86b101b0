/**
 * The balance poll (seed 002 CreditMonitor.run, rebuilt for Lambda): every enabled source checked
 * concurrently under a bound, each call with its own timeout and at most three tries with
 * exponential backoff, so one hanging or failing provider never delays the others past the bound.
 * The last good reading stored on the source is the response cache: a source read less than
 * `cacheTtlMs` ago is not called again (a manual refresh right after the schedule costs nothing).
 */
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { decideAlert } from '../../domain/balance/alerts';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifications';
import type { SecretStore } from '../../ports/secrets';
import {
  BalanceFetchError,
  type BalanceReading,
  type BalanceSource,
  type BalanceSourceRecord,
  type BalanceStore,
} from '../../ports/balance';
import type { BalanceProvider, BalanceQuote } from '../../domain/balance/types';

export interface PollSettings {
  /** Sources checked at the same time (seed: 20). */
  concurrency: number;
  /** Per provider call. */
  timeoutMs: number;
  /** Tries per source, the first included (seed: 3). */
  tries: number;
  /** First backoff; doubles each retry, capped by maxBackoffMs (seed: ≤ 10 s). */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** A good reading younger than this is reused instead of calling the provider (seed: 5 min). */
  cacheTtlMs: number;
}

export const DEFAULT_POLL_SETTINGS: PollSettings = {
  concurrency: 20,
  timeoutMs: 10_000,
  tries: 3,
  minBackoffMs: 500,
  maxBackoffMs: 10_000,
  cacheTtlMs: 5 * 60_000,
};

/** Measurements of one poll, for Powertools metrics (or anything else). */
export interface PollObserver {
  reading(source: BalanceSourceRecord, reading: BalanceReading): void;
  alertSent(source: BalanceSourceRecord, kind: string): void;
}

export interface PollDeps {
  store: BalanceStore;
  secrets: SecretStore;
  sources: Record<BalanceProvider, BalanceSource>;
  notifier: Notifier;
  clock: Clock;
  settings: PollSettings;
  observer?: PollObserver;
}

export interface SourceOutcome {
  sourceId: string;
  status: 'ok' | 'failed' | 'cached';
  balance?: string;
  currency?: string;
  error?: string;
  attempts: number;
  alert?: 'low' | 'still-low' | 'recovered';
}

export interface PollSummary {
  checked: number;
  ok: number;
  failed: number;
  cached: number;
  alerts: number;
  durationMs: number;
  sources: SourceOutcome[];
}

const failureOf = (err: unknown): NonNullable<BalanceReading['error']> =>
  err instanceof BalanceFetchError
    ? { kind: err.kind, message: err.message }
    : { kind: 'config', message: err instanceof Error ? err.message : String(err) };

/** One provider call under its own timeout, retried with backoff while the failure is transient. */
const fetchWithRetries = (
  deps: PollDeps,
  source: BalanceSourceRecord,
  credentials: Record<string, string>,
  tries: { count: number },
): Promise<BalanceQuote> => {
  const { settings } = deps;
  return pRetry(
    () => {
      tries.count++;
      return deps.sources[source.provider].fetchBalance({
        provider: source.provider,
        credentials,
        settings: source.settings,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    },
    {
      retries: settings.tries - 1,
      factor: 2,
      minTimeout: settings.minBackoffMs,
      maxTimeout: settings.maxBackoffMs,
      randomize: false,
      shouldRetry: ({ error }) => error instanceof BalanceFetchError && error.retryable,
      // A provider that says when to come back is waited for (within the backoff cap).
      onFailedAttempt: async ({ error, retriesLeft }) => {
        const wait = error instanceof BalanceFetchError ? error.options.retryAfterMs : undefined;
        if (retriesLeft > 0 && wait)
          await new Promise((resolve) => setTimeout(resolve, Math.min(wait, settings.maxBackoffMs)));
      },
    },
  );
};

const alertMessage = (
  source: BalanceSourceRecord,
  action: 'low' | 'still-low' | 'recovered',
  balance: string,
  currency: string,
) =>
  action === 'recovered'
    ? {
        kind: 'balance.recovered',
        severity: 'info' as const,
        message: `${source.name} (${source.provider}) is back to ${balance} ${currency}, at or above the ${source.threshold} ${source.currency} threshold`,
      }
    : {
        kind: 'balance.low',
        severity: 'critical' as const,
        message: `${source.name} (${source.provider}) balance ${balance} ${currency} is below the ${source.threshold} ${source.currency} threshold${action === 'still-low' ? ' (still low)' : ''}`,
      };

/**
 * Decides the alert a balance calls for, sends it, and stores the new alert state together with
 * `patch` (the new reading, when there is one). Returns the alert sent, if any.
 */
const alertOn = async (
  deps: PollDeps,
  source: BalanceSourceRecord,
  balance: string,
  currency: string,
  now: Date,
  patch: Parameters<BalanceStore['updateSource']>[1],
): Promise<'low' | 'still-low' | 'recovered' | undefined> => {
  const decision = decideAlert(
    source.alert,
    balance,
    { threshold: source.threshold, realertAfterMs: source.realertAfterMinutes * 60_000 },
    now,
  );
  if (decision.action !== 'none') {
    await deps.notifier.notify({
      enterpriseId: source.enterpriseId,
      subject: `balance-source:${source.id}`,
      ...alertMessage(source, decision.action, balance, currency),
    });
    deps.observer?.alertSent(source, decision.action);
  }
  if (decision.action !== 'none' || Object.keys(patch).length > 0)
    await deps.store.updateSource(source.id, {
      ...patch,
      alert: decision.next,
      updatedAt: now.toISOString(),
    });
  return decision.action === 'none' ? undefined : decision.action;
};

/** Checks one source: reading stored, alert decided and sent, source state updated. Never throws. */
export const checkSource = async (
  deps: PollDeps,
  source: BalanceSourceRecord,
  { force = false }: { force?: boolean } = {},
): Promise<SourceOutcome> => {
  const now = deps.clock.now();
  const last = source.lastReading;
  if (!force && last?.status === 'ok' && now.getTime() - Date.parse(last.at) < deps.settings.cacheTtlMs) {
    // No provider call, but the threshold may have changed since: the cached balance is judged again.
    const alert = await alertOn(deps, source, last.balance!, last.currency!, now, {});
    return {
      sourceId: source.id,
      status: 'cached',
      balance: last.balance,
      currency: last.currency,
      attempts: 0,
      ...(alert ? { alert } : {}),
    };
  }

  const started = performance.now();
  const tries = { count: 0 };
  let reading: BalanceReading;
  try {
    const credentials = JSON.parse(await deps.secrets.get(source.credentialRef)) as Record<string, string>;
    const quote = await fetchWithRetries(deps, source, credentials, tries);
    reading = {
      sourceId: source.id,
      enterpriseId: source.enterpriseId,
      at: deps.clock.now().toISOString(),
      status: 'ok',
      balance: quote.balance,
      currency: quote.currency,
      ...(quote.details ? { details: quote.details } : {}),
      attempts: tries.count,
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    reading = {
      sourceId: source.id,
      enterpriseId: source.enterpriseId,
      at: deps.clock.now().toISOString(),
      status: 'failed',
      error: failureOf(err),
      attempts: tries.count,
      latencyMs: Math.round(performance.now() - started),
    };
  }
  await deps.store.putReading(reading);
  deps.observer?.reading(source, reading);

  const lastReading = {
    at: reading.at,
    status: reading.status,
    ...(reading.balance ? { balance: reading.balance, currency: reading.currency } : {}),
    ...(reading.error ? { error: reading.error.message } : {}),
  };
  if (reading.status === 'failed') {
    await deps.store.updateSource(source.id, { lastReading, updatedAt: reading.at });
    return {
      sourceId: source.id,
      status: 'failed',
      error: reading.error!.message,
      attempts: reading.attempts,
    };
  }

  const alert = await alertOn(deps, source, reading.balance!, reading.currency!, now, {
    lastReading,
    updatedAt: reading.at,
  });
  return {
    sourceId: source.id,
    status: 'ok',
    balance: reading.balance,
    currency: reading.currency,
    attempts: reading.attempts,
    ...(alert ? { alert } : {}),
  };
};

/** Polls every enabled source (or the given ones) under the concurrency bound. */
export const pollBalances = async (
  deps: PollDeps,
  sources?: BalanceSourceRecord[],
  options: { force?: boolean } = {},
): Promise<PollSummary> => {
  const started = performance.now();
  const all = sources ?? (await deps.store.listEnabledSources());
  const limit = pLimit(deps.settings.concurrency);
  const outcomes = await Promise.all(
    all.map((source) =>
      limit(() =>
        checkSource(deps, source, options).catch((err: unknown): SourceOutcome => ({
          // Storing the reading itself failed: reported, and the other sources carry on.
          sourceId: source.id,
          status: 'failed',
          error: err instanceof Error ? err.message : String(err),
          attempts: 0,
        })),
      ),
    ),
  );
  const count = (status: SourceOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    checked: outcomes.length,
    ok: count('ok'),
    failed: count('failed'),
    cached: count('cached'),
    alerts: outcomes.filter((o) => o.alert).length,
    durationMs: Math.round(performance.now() - started),
    sources: outcomes,
  };
};
