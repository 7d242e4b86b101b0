/**
 * P&L set-up: the enterprise's settings (reference cloud price, invoice terms, budget thresholds)
 * and the cost models that mark AI accounts self-hosted, with their cost per GPU-hour and token.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/pnl';
import { requireEnterpriseAccess, requireFinanceManager, requireVisible } from '../../domain/access';
import { notFound } from '../../domain/errors';
import { monthlySelfHostedCost } from '../../domain/pnl/self-hosted';
import type { PnlSettingsRecord, SelfHostedModelRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import { settingsOf, type PnlDeps } from './deps';

type In<T extends z.ZodType> = z.output<T>;

const settingsView = (s: PnlSettingsRecord) => ({ ...s, updatedAt: s.updatedAt || null });

export const getPnlSettings = async (deps: PnlDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return settingsView(await settingsOf(deps, enterpriseId));
};

export const putPnlSettings = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.PutPnlSettings>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const settings: PnlSettingsRecord = { enterpriseId, ...body, updatedAt: deps.clock.now().toISOString() };
  await deps.store.putSettings(settings);
  // Savings are priced with these settings: the open months' P&L must be fed again.
  const month = settings.updatedAt.slice(0, 7);
  await deps.store.markDirty(enterpriseId, [month], settings.updatedAt);
  return settingsView(settings);
};

const visibleAccount = async (deps: PnlDeps, ctx: RequestContext, accountId: string) => {
  const account = await deps.accounts.get(accountId);
  if (!account) throw notFound('AI account', accountId);
  requireVisible(ctx.caller, account.enterpriseId, 'AI account', accountId);
  return account;
};

export const putSelfHostedModel = async (
  deps: PnlDeps,
  ctx: RequestContext,
  accountId: string,
  body: In<typeof c.PutSelfHostedModel>,
) => {
  const account = await visibleAccount(deps, ctx, accountId);
  requireFinanceManager(ctx.caller, account.enterpriseId);
  const now = deps.clock.now().toISOString();
  const existing = await deps.store.getSelfHostedModel(accountId);
  const model: SelfHostedModelRecord = {
    accountId,
    enterpriseId: account.enterpriseId,
    ...body,
    hoursPerMonth: body.hoursPerMonth ?? null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await deps.store.putSelfHostedModel(model);
  return model;
};

export const getSelfHostedModel = async (deps: PnlDeps, ctx: RequestContext, accountId: string) => {
  await visibleAccount(deps, ctx, accountId);
  const model = await deps.store.getSelfHostedModel(accountId);
  if (!model) throw notFound('Self-hosted cost model', accountId);
  return model;
};

export const deleteSelfHostedModel = async (deps: PnlDeps, ctx: RequestContext, accountId: string) => {
  const account = await visibleAccount(deps, ctx, accountId);
  requireFinanceManager(ctx.caller, account.enterpriseId);
  await deps.store.deleteSelfHostedModel(accountId);
  return {};
};

/** Each self-hosted account's month: its cost by category, per GPU-hour and per token actually served. */
export const selfHostedCosts = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  month: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const [models, accounts] = await Promise.all([
    deps.store.selfHostedModels(enterpriseId),
    deps.usage.periodAggregates(enterpriseId, 'M', month, 'AIACCT#'),
  ]);
  const tokens = new Map(accounts.map((a) => [a.scopeId, a.promptTokens + a.completionTokens]));
  return {
    items: models.map((model) => {
      const served = tokens.get(model.accountId) ?? 0;
      const { currency: _currency, ...cost } = monthlySelfHostedCost(model, month, served);
      return { accountId: model.accountId, month, currency: model.currency, tokensServed: served, ...cost };
    }),
  };
};
