/**
 * Balance sources for admins: configuration checked when it is given (a bad one is a 400 now, never a
 * failed poll later), credentials only in the secret store, manual refresh with a cooldown, and the
 * history, trend and summary reads.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/balance';
import { requireEnterpriseAccess, requireFinanceManager, requireVisible } from '../../domain/access';
import { credentialHint } from '../../domain/api-keys';
import { forecastDepletion } from '../../domain/balance/forecast';
import type { BalanceProvider } from '../../domain/balance/types';
import { DomainError, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { decimal, toDecimalString } from '../../domain/money';
import type { BalanceReading, BalanceSourceRecord } from '../../ports/balance';
import type { RequestContext } from '../tenancy';
import { checkSource, type PollDeps } from './poll';

type In<T extends z.ZodType> = z.output<T>;

export interface BalanceAdminDeps extends PollDeps {
  enterpriseExists(enterpriseId: string): Promise<boolean>;
  /** Throws VALIDATION_ERROR (with problems) when the provider, settings or credentials are unusable. */
  validateConfig(
    provider: BalanceProvider,
    settings: Record<string, string>,
    credentials: Record<string, string>,
  ): void;
  /** Least time between two manual refreshes of one source. */
  refreshCooldownMs: number;
}

const DAY_MS = 86_400_000;

// ---------- views (nothing secret leaves) ----------
const sourceView = ({
  credentialRef: _ref,
  alert,
  lastReading,
  lastManualRefreshAt: _m,
  ...source
}: BalanceSourceRecord) => ({
  ...source,
  state: alert.state,
  lastAlertAt: alert.lastAlertAt ?? null,
  lastReading: lastReading
    ? {
        at: lastReading.at,
        status: lastReading.status,
        balance: lastReading.balance ?? null,
        currency: lastReading.currency ?? null,
        error: lastReading.error ?? null,
      }
    : null,
});

const readingView = (reading: BalanceReading) => ({
  at: reading.at,
  status: reading.status,
  balance: reading.balance ?? null,
  currency: reading.currency ?? null,
  details: reading.details ?? null,
  error: reading.error ?? null,
  attempts: reading.attempts,
  latencyMs: reading.latencyMs,
});

/** The first credential field's masked value, e.g. `apiKey:…a1b2`. */
const hintOf = (credentials: Record<string, string>): string => {
  const [name, value] = Object.entries(credentials)[0] ?? ['', ''];
  return `${name}:${credentialHint(value)}`;
};

const visibleSource = async (deps: BalanceAdminDeps, ctx: RequestContext, id: string) => {
  const source = await deps.store.getSource(id);
  if (!source) throw notFound('Balance source', id);
  requireVisible(ctx.caller, source.enterpriseId, 'Balance source', id);
  return source;
};

export const createBalanceSource = async (
  deps: BalanceAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
  input: In<typeof c.CreateBalanceSource>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const { credentials, ...fields } = input;
  deps.validateConfig(input.provider, input.settings, credentials);
  const now = deps.clock.now();
  const id = newId(now);
  const credentialRef = await deps.secrets.put(`balance-sources/${id}`, JSON.stringify(credentials));
  const source: BalanceSourceRecord = {
    id,
    enterpriseId,
    ...fields,
    threshold: toDecimalString(decimal(fields.threshold)),
    credentialRef,
    credentialHint: hintOf(credentials),
    alert: { state: 'ok' },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  try {
    await deps.store.createSource(source);
  } catch (err) {
    // A rejected source leaves no stored credentials behind.
    await deps.secrets.delete(credentialRef);
    throw err;
  }
  return sourceView(source);
};

export const listBalanceSources = async (
  deps: BalanceAdminDeps,
  ctx: RequestContext,
  enterpriseId: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return (await deps.store.listSources(enterpriseId)).map(sourceView);
};

export const getBalanceSource = async (deps: BalanceAdminDeps, ctx: RequestContext, id: string) =>
  sourceView(await visibleSource(deps, ctx, id));

export const updateBalanceSource = async (
  deps: BalanceAdminDeps,
  ctx: RequestContext,
  id: string,
  patch: In<typeof c.UpdateBalanceSource>,
) => {
  const source = await visibleSource(deps, ctx, id);
  requireFinanceManager(ctx.caller, source.enterpriseId);
  const { credentials, ...fields } = patch;
  if (credentials || fields.settings) {
    // Checked as a whole: new settings against the stored credentials, and the other way round.
    const current =
      credentials ?? (JSON.parse(await deps.secrets.get(source.credentialRef)) as Record<string, string>);
    deps.validateConfig(source.provider, fields.settings ?? source.settings, current);
  }
  if (credentials) await deps.secrets.replace(source.credentialRef, JSON.stringify(credentials));
  const updated = await deps.store.updateSource(id, {
    ...fields,
    ...(fields.threshold ? { threshold: toDecimalString(decimal(fields.threshold)) } : {}),
    ...(credentials ? { credentialHint: hintOf(credentials) } : {}),
    updatedAt: deps.clock.now().toISOString(),
  });
  return sourceView(updated);
};

export const deleteBalanceSource = async (deps: BalanceAdminDeps, ctx: RequestContext, id: string) => {
  const source = await visibleSource(deps, ctx, id);
  requireFinanceManager(ctx.caller, source.enterpriseId);
  await deps.store.deleteSource(id);
  await deps.secrets.delete(source.credentialRef);
  return { deleted: true as const };
};

export const refreshBalanceSource = async (deps: BalanceAdminDeps, ctx: RequestContext, id: string) => {
  const source = await visibleSource(deps, ctx, id);
  requireFinanceManager(ctx.caller, source.enterpriseId);
  const now = deps.clock.now();
  const last = source.lastManualRefreshAt ? Date.parse(source.lastManualRefreshAt) : -Infinity;
  const waitMs = last + deps.refreshCooldownMs - now.getTime();
  if (waitMs > 0) {
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    throw new DomainError(
      'RATE_LIMITED',
      `This source was refreshed moments ago; try again in ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
      },
    );
  }
  const claimed = await deps.store.updateSource(id, { lastManualRefreshAt: now.toISOString() });
  const outcome = await checkSource(deps, claimed);
  return {
    sourceId: outcome.sourceId,
    status: outcome.status,
    balance: outcome.balance ?? null,
    currency: outcome.currency ?? null,
    error: outcome.error ?? null,
    attempts: outcome.attempts,
    alert: outcome.alert ?? null,
  };
};

export const listBalanceReadings = async (
  deps: BalanceAdminDeps,
  ctx: RequestContext,
  id: string,
  range: { from: string; to: string },
) => {
  await visibleSource(deps, ctx, id);
  return (await deps.store.readings(id, range.from, range.to)).map(readingView);
};

export const balanceTrend = async (
  deps: BalanceAdminDeps,
  ctx: RequestContext,
  id: string,
  query: In<typeof c.TrendQuery>,
) => {
  await visibleSource(deps, ctx, id);
  const now = deps.clock.now();
  const readings = await deps.store.readings(
    id,
    new Date(now.getTime() - query.days * DAY_MS).toISOString(),
    now.toISOString(),
  );
  const points = readings
    .filter((r) => r.status === 'ok' && r.balance !== undefined)
    .map((r) => ({ at: r.at, balance: r.balance! }));
  return { sourceId: id, days: query.days, points, forecast: forecastDepletion(points) };
};

export const balanceSummary = async (deps: BalanceAdminDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const sources = await deps.store.listSources(enterpriseId);
  const totals = new Map<string, ReturnType<typeof decimal>>();
  for (const { lastReading } of sources) {
    if (lastReading?.status !== 'ok' || !lastReading.balance || !lastReading.currency) continue;
    totals.set(
      lastReading.currency,
      (totals.get(lastReading.currency) ?? decimal(0)).plus(lastReading.balance),
    );
  }
  return {
    sources: sources.length,
    enabled: sources.filter((s) => s.enabled).length,
    low: sources.filter((s) => s.alert.state === 'low').length,
    failing: sources.filter((s) => s.lastReading?.status === 'failed').length,
    totals: Object.fromEntries([...totals].map(([currency, total]) => [currency, toDecimalString(total)])),
  };
};
