/** Balance monitor API (issue 5): balance sources, manual refresh, readings, trends, summary. */
import * as z from 'zod';
import { BALANCE_PROVIDERS } from '../domain/balance/types';
import { CurrencyCode, DecimalString, EmptyObject, Id, Timestamp } from './common';
import { defineRoute } from './route';

const tag = 'balance';
const Provider = z.enum(BALANCE_PROVIDERS);
const Settings = z.record(z.string().max(100), z.string().max(4000));
const Credentials = z.record(z.string().max(100), z.string().max(20_000));
const EnterpriseParams = z.strictObject({ enterpriseId: Id });
const SourceParams = z.strictObject({ sourceId: Id });

const LastReading = z.object({
  at: Timestamp,
  status: z.enum(['ok', 'failed']),
  balance: DecimalString.nullable(),
  currency: z.string().nullable(),
  error: z.string().nullable(),
});

export const BalanceSource = z.object({
  id: Id,
  enterpriseId: Id,
  name: z.string(),
  provider: Provider,
  /** Only a hint of the stored credentials (never the secret itself). */
  credentialHint: z.string(),
  settings: Settings,
  threshold: DecimalString,
  currency: CurrencyCode,
  enabled: z.boolean(),
  realertAfterMinutes: z.number().int(),
  state: z.enum(['ok', 'low']),
  lastAlertAt: Timestamp.nullable(),
  lastReading: LastReading.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateBalanceSource = z.strictObject({
  name: z.string().trim().min(1).max(200),
  provider: Provider,
  /** Provider credentials (API key, AccessKey pair, headers); stored in the secret store only. */
  credentials: Credentials,
  settings: Settings.default({}),
  threshold: DecimalString,
  currency: CurrencyCode,
  enabled: z.boolean().default(true),
  /** Repeat a low-balance alert after this many minutes while it stays low; 0 never repeats. */
  realertAfterMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 30)
    .default(24 * 60),
});

export const UpdateBalanceSource = z
  .strictObject({
    name: CreateBalanceSource.shape.name,
    credentials: Credentials,
    settings: Settings,
    threshold: DecimalString,
    currency: CurrencyCode,
    enabled: z.boolean(),
    realertAfterMinutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 30),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');

export const RefreshOutcome = z.object({
  sourceId: Id,
  status: z.enum(['ok', 'failed', 'cached']),
  balance: DecimalString.nullable(),
  currency: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  alert: z.enum(['low', 'still-low', 'recovered']).nullable(),
});

export const Reading = z.object({
  at: Timestamp,
  status: z.enum(['ok', 'failed']),
  balance: DecimalString.nullable(),
  currency: z.string().nullable(),
  details: z.record(z.string(), z.string()).nullable(),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  attempts: z.number().int(),
  latencyMs: z.number().int(),
});

const Range = z
  .strictObject({ from: Timestamp, to: Timestamp })
  .refine((q) => q.from <= q.to, { message: 'to is before from', path: ['to'] });

export const TrendQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const Trend = z.object({
  sourceId: Id,
  days: z.number().int(),
  points: z.array(z.object({ at: Timestamp, balance: DecimalString })),
  forecast: z
    .object({
      balance: DecimalString,
      consumed: DecimalString,
      dailyConsumption: DecimalString,
      daysUntilZero: DecimalString.nullable(),
      depletesAt: Timestamp.nullable(),
      points: z.number().int(),
    })
    .nullable(),
});

export const BalanceSummary = z.object({
  sources: z.number().int(),
  enabled: z.number().int(),
  low: z.number().int(),
  failing: z.number().int(),
  /** Latest good balances added up per currency, exact. */
  totals: z.record(z.string(), DecimalString),
});

export const balanceRoutes = {
  createBalanceSource: defineRoute({
    id: 'createBalanceSource',
    method: 'POST',
    path: '/api/enterprises/{enterpriseId}/balance-sources',
    auth: 'admin',
    tag,
    summary: 'Monitor a balance (credentials go to the secret store; configuration checked now)',
    params: EnterpriseParams,
    body: CreateBalanceSource,
    response: BalanceSource,
    successStatus: 201,
  }),
  listBalanceSources: defineRoute({
    id: 'listBalanceSources',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/balance-sources',
    auth: 'admin',
    tag,
    summary: 'Balance sources with their latest reading and alert state',
    params: EnterpriseParams,
    response: z.array(BalanceSource),
  }),
  getBalanceSource: defineRoute({
    id: 'getBalanceSource',
    method: 'GET',
    path: '/api/balance-sources/{sourceId}',
    auth: 'admin',
    tag,
    summary: 'One balance source',
    params: SourceParams,
    response: BalanceSource,
  }),
  updateBalanceSource: defineRoute({
    id: 'updateBalanceSource',
    method: 'PATCH',
    path: '/api/balance-sources/{sourceId}',
    auth: 'admin',
    tag,
    summary: 'Change a balance source (new configuration checked before it is stored)',
    params: SourceParams,
    body: UpdateBalanceSource,
    response: BalanceSource,
  }),
  deleteBalanceSource: defineRoute({
    id: 'deleteBalanceSource',
    method: 'DELETE',
    path: '/api/balance-sources/{sourceId}',
    auth: 'admin',
    tag,
    summary: 'Stop monitoring a balance (its credentials are deleted; readings stay)',
    params: SourceParams,
    response: z.object({ deleted: z.literal(true) }),
  }),
  refreshBalanceSource: defineRoute({
    id: 'refreshBalanceSource',
    method: 'POST',
    path: '/api/balance-sources/{sourceId}/refresh',
    auth: 'admin',
    tag,
    summary: 'Read the balance now (cooldown between manual refreshes: 429 with Retry-After)',
    params: SourceParams,
    body: EmptyObject,
    response: RefreshOutcome,
  }),
  listBalanceReadings: defineRoute({
    id: 'listBalanceReadings',
    method: 'GET',
    path: '/api/balance-sources/{sourceId}/readings',
    auth: 'admin',
    tag,
    summary: 'Readings of a source in a time range, oldest first',
    params: SourceParams,
    query: Range,
    response: z.array(Reading),
  }),
  balanceTrend: defineRoute({
    id: 'balanceTrend',
    method: 'GET',
    path: '/api/balance-sources/{sourceId}/trend',
    auth: 'admin',
    tag,
    summary: 'Good readings of the last N days with a depletion forecast',
    params: SourceParams,
    query: TrendQuery,
    response: Trend,
  }),
  balanceSummary: defineRoute({
    id: 'balanceSummary',
    method: 'GET',
    path: '/api/enterprises/{enterpriseId}/balance-summary',
    auth: 'admin',
    tag,
    summary: 'How many sources, low, failing, and the latest balances per currency',
    params: EnterpriseParams,
    response: BalanceSummary,
  }),
} as const;
