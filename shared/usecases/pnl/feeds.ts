/**
 * The P&L feeds: what the company really used becomes cost entries and savings revenue.
 * - gateway: a group's metered cost on cloud AI accounts → its center, as `cloud_fallback`;
 * - self_hosted: each self-hosted account's monthly cost (hardware, power, maintenance, personnel
 *   from its cost model) → the centers whose groups used it, in proportion to their tokens (an
 *   idle month's cost stays with the platform center);
 * - cloud_bills: the month's bill snapshot per project code → the center owning the code, as
 *   `infrastructure`;
 * - cost savings: tokens served self-hosted × the reference cloud price − their cost, when positive.
 * Each feed replaces the month's fed facts as a whole, so feeding twice changes nothing.
 */
import { ALL_PROVIDERS } from '../../domain/bills/snapshots';
import { decimal, type DecimalValue } from '../../domain/money';
import { distribute } from '../../domain/pnl/allocation';
import { factId } from '../../domain/pnl/facts';
import { periodOfDate } from '../../domain/pnl/periods';
import { monthlySelfHostedCost } from '../../domain/pnl/self-hosted';
import type { CostCategory, CostSource } from '../../domain/pnl/types';
import type { CostCenterRecord, CostEntryRecord, RevenueRecord } from '../../ports/pnl';
import { settingsOf, type PnlDeps } from './deps';
import { groupCenters } from './usage';

export interface FeedResult {
  costsChanged: boolean;
  revenuesChanged: boolean;
  /** Groups with usage that belong to no center (and no platform center took it). */
  unmappedGroups: string[];
  /** Bill project codes with cost that belong to no center. */
  unmappedProjects: string[];
}

const SELF_HOSTED_CATEGORIES = ['hardware', 'power', 'maintenance', 'personnel'] as const;
const FEED_AUTHOR = 'tollgate:pnl-feed';

interface GroupAccountUsage {
  groupId: string;
  accountId: string;
  tokens: number;
  requests: number;
  cost: Record<string, string>;
}

const groupAccountUsage = async (
  deps: PnlDeps,
  enterpriseId: string,
  month: string,
): Promise<GroupAccountUsage[]> =>
  (await deps.usage.periodAggregates(enterpriseId, 'M', month, 'GROUPACCT#')).map((a) => {
    const split = a.scopeId.indexOf('#');
    return {
      groupId: a.scopeId.slice(0, split),
      accountId: a.scopeId.slice(split + 1),
      tokens: a.promptTokens + a.completionTokens,
      requests: a.requests,
      cost: a.cost,
    };
  });

/** Fed self-hosted costs of one account, per center: what the savings of that center are measured against. */
interface SelfHostedShare {
  centerId: string;
  accountId: string;
  currency: string;
  tokens: number;
  cost: DecimalValue;
}

export const refreshFeeds = async (
  deps: PnlDeps,
  enterpriseId: string,
  month: string,
): Promise<FeedResult> => {
  const centers = await deps.store.listCostCenters(enterpriseId);
  const owner = groupCenters(centers);
  const platform = centers.find((center) => center.isPlatform) ?? null;
  const models = new Map((await deps.store.selfHostedModels(enterpriseId)).map((m) => [m.accountId, m]));
  const usage = await groupAccountUsage(deps, enterpriseId, month);
  const unmappedGroups = new Set<string>();
  /** The center paying for a group's usage: its own, else the platform's. */
  const payer = (groupId: string): string | null => {
    const centerId = owner.get(groupId) ?? platform?.id ?? null;
    if (!centerId) unmappedGroups.add(groupId);
    return centerId;
  };
  const recordDate = `${month}-01`;
  const now = deps.clock.now().toISOString();
  const entry = (
    source: CostSource,
    reference: string,
    fields: Pick<CostEntryRecord, 'costCenterId' | 'category' | 'amount' | 'currency' | 'description'> &
      Partial<CostEntryRecord>,
  ): CostEntryRecord => ({
    id: factId(enterpriseId, source, reference),
    enterpriseId,
    recordDate,
    ...periodOfDate(recordDate),
    costType: 'variable',
    sourceSystem: source,
    sourceReference: reference,
    createdAt: now,
    createdBy: FEED_AUTHOR,
    ...fields,
  });

  const gateway: CostEntryRecord[] = [];
  for (const u of usage.filter((u) => !models.has(u.accountId))) {
    const centerId = payer(u.groupId);
    if (!centerId) continue;
    for (const [currency, amount] of Object.entries(u.cost)) {
      if (!decimal(amount).gt(0)) continue;
      gateway.push(
        entry('gateway', `${month}#${u.groupId}#${u.accountId}#${currency}`, {
          costCenterId: centerId,
          category: 'cloud_fallback',
          amount,
          currency,
          description: `AI gateway usage of group ${u.groupId} on account ${u.accountId}`,
          costDetails: { groupId: u.groupId, accountId: u.accountId, tokens: u.tokens, requests: u.requests },
        }),
      );
    }
  }

  const selfHosted: CostEntryRecord[] = [];
  const shares: SelfHostedShare[] = [];
  for (const model of models.values()) {
    const tokensByCenter = new Map<string, number>();
    for (const u of usage.filter((u) => u.accountId === model.accountId && u.tokens > 0)) {
      const centerId = payer(u.groupId);
      if (centerId) tokensByCenter.set(centerId, (tokensByCenter.get(centerId) ?? 0) + u.tokens);
    }
    const tokens = [...tokensByCenter.values()].reduce((a, b) => a + b, 0);
    const cost = monthlySelfHostedCost(model, month, tokens);
    // An idle month's cost is the platform's.
    if (tokens === 0 && platform) tokensByCenter.set(platform.id, 0);
    const weights = [...tokensByCenter].map(([key, t]) => ({ key, weight: String(tokens === 0 ? 1 : t) }));
    if (weights.length === 0) continue;
    const perCenter = new Map<string, DecimalValue>();
    for (const category of SELF_HOSTED_CATEGORIES) {
      if (decimal(cost[category]).isZero()) continue;
      for (const share of distribute(cost[category], weights)) {
        selfHosted.push(
          entry('self_hosted', `${month}#${model.accountId}#${category}#${share.key}`, {
            costCenterId: share.key,
            category,
            amount: share.amount,
            currency: model.currency,
            description: `Self-hosted ${category} of account ${model.accountId}`,
            costDetails: { accountId: model.accountId, tokens: tokensByCenter.get(share.key) ?? 0 },
            allocationMethod: 'proportional',
            allocationBasis: String(tokensByCenter.get(share.key) ?? 0),
            allocationPercentage: share.percentage,
          }),
        );
        perCenter.set(share.key, (perCenter.get(share.key) ?? decimal(0)).plus(decimal(share.amount)));
      }
    }
    for (const [centerId, amount] of perCenter)
      shares.push({
        centerId,
        accountId: model.accountId,
        currency: model.currency,
        tokens: tokensByCenter.get(centerId) ?? 0,
        cost: amount,
      });
  }

  const { bills, unmappedProjects } = await billCosts(deps, enterpriseId, month, centers, entry);
  const savings = await savingsRevenues(deps, enterpriseId, month, shares, now);

  const changed = await Promise.all([
    deps.store.replaceFedCosts(enterpriseId, month, 'gateway', gateway),
    deps.store.replaceFedCosts(enterpriseId, month, 'self_hosted', selfHosted),
    deps.store.replaceFedCosts(enterpriseId, month, 'cloud_bills', bills),
  ]);
  const revenuesChanged = await deps.store.replaceFedRevenues(enterpriseId, month, 'cost_savings', savings);
  return {
    costsChanged: changed.some(Boolean),
    revenuesChanged,
    unmappedGroups: [...unmappedGroups].sort(),
    unmappedProjects,
  };
};

/** The month's published bill snapshot by project code, as infrastructure costs of the owning centers. */
const billCosts = async (
  deps: PnlDeps,
  enterpriseId: string,
  month: string,
  centers: readonly CostCenterRecord[],
  entry: (
    source: CostSource,
    reference: string,
    fields: Pick<CostEntryRecord, 'costCenterId' | 'category' | 'amount' | 'currency' | 'description'> &
      Partial<CostEntryRecord>,
  ) => CostEntryRecord,
) => {
  const head = await deps.bills.snapshotHead(enterpriseId, month);
  if (!head) return { bills: [], unmappedProjects: [] };
  const owner = new Map(
    centers.flatMap((center) => center.projectCodes.map((code) => [code, center.id] as const)),
  );
  const unmappedProjects: string[] = [];
  const bills: CostEntryRecord[] = [];
  for (const s of await deps.bills.snapshots(enterpriseId, month, head.snapshotVersion)) {
    if (s.provider !== ALL_PROVIDERS || s.dimensionType !== 'project') continue;
    // Credits can leave a project's month at or below zero: there is no cost to book.
    if (!decimal(s.totalAmount).gt(0)) continue;
    const centerId = owner.get(s.dimensionKey);
    if (!centerId) {
      unmappedProjects.push(s.dimensionKey);
      continue;
    }
    bills.push(
      entry('cloud_bills', `${month}#${s.dimensionKey}`, {
        costCenterId: centerId,
        category: 'infrastructure' satisfies CostCategory,
        amount: s.totalAmount,
        currency: s.currency,
        description: `Cloud bills of project ${s.dimensionKey}`,
        costDetails: {
          projectCode: s.dimensionKey,
          snapshotVersion: head.snapshotVersion,
          itemCount: s.itemCount,
        },
      }),
    );
  }
  return { bills, unmappedProjects: unmappedProjects.sort() };
};

/**
 * Savings per center: its self-hosted tokens at the reference cloud price minus the self-hosted
 * cost it was charged, in the reference currency (models in other currencies are not compared).
 */
const savingsRevenues = async (
  deps: PnlDeps,
  enterpriseId: string,
  month: string,
  shares: readonly SelfHostedShare[],
  now: string,
): Promise<RevenueRecord[]> => {
  const settings = await settingsOf(deps, enterpriseId);
  if (settings.referenceCloudPricePerMillion === null) return [];
  const price = decimal(settings.referenceCloudPricePerMillion);
  const byCenter = new Map<string, { tokens: number; cost: DecimalValue }>();
  for (const share of shares.filter((s) => s.currency === settings.referenceCurrency)) {
    const sum = byCenter.get(share.centerId) ?? { tokens: 0, cost: decimal(0) };
    byCenter.set(share.centerId, { tokens: sum.tokens + share.tokens, cost: sum.cost.plus(share.cost) });
  }
  const recordDate = `${month}-01`;
  const revenues: RevenueRecord[] = [];
  for (const [centerId, { tokens, cost }] of byCenter) {
    const cloudEquivalent = price.times(tokens).dividedBy(1_000_000);
    const saved = cloudEquivalent.minus(cost);
    if (!saved.gt(0)) continue;
    const reference = `${month}#${centerId}#${settings.referenceCurrency}`;
    revenues.push({
      id: factId(enterpriseId, 'cost_savings', reference),
      enterpriseId,
      costCenterId: centerId,
      recordDate,
      ...periodOfDate(recordDate),
      revenueSource: 'cost_savings',
      amount: saved.toFixed(),
      currency: settings.referenceCurrency,
      attributionMethod: 'model_based',
      attributionConfidence: '1',
      contributionRatio: '1',
      description: `Self-hosted tokens at the reference cloud price, less their cost`,
      revenueDetails: {
        tokens,
        referencePricePerMillion: price.toFixed(),
        cloudEquivalentCost: cloudEquivalent.toFixed(),
        selfHostedCost: cost.toFixed(),
      },
      origin: 'cost_savings',
      reference,
      createdAt: now,
      createdBy: FEED_AUTHOR,
    });
  }
  return revenues;
};
