/**
 * The cost-center tree (seed 000 CostCenter): create roots and children, change, move a subtree,
 * read the hierarchy and a subtree's total budget. Gateway groups and bill project codes map to
 * centers, each to one only; one center per enterprise may be the AI platform that invoices.
 */
import type * as z from 'zod';
import type * as c from '../../contracts/pnl';
import { requireEnterpriseAccess, requireFinanceManager } from '../../domain/access';
import { conflict, invalid, notFound } from '../../domain/errors';
import { newId } from '../../domain/ids';
import {
  checkMove,
  type CostCenterTree,
  childPath,
  childrenOf,
  hierarchy,
  moveSubtree,
  subtreeOf,
  totalBudgetOf,
} from '../../domain/pnl/tree';
import type { CostCenterRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import { costCenterView, visibleCostCenter, type PnlDeps } from './deps';

type In<T extends z.ZodType> = z.output<T>;

type Mappable = Pick<CostCenterRecord, 'groupIds' | 'projectCodes' | 'isPlatform'>;

/** Groups must be the enterprise's; groups, project codes and the platform role belong to one center. */
const checkMappings = async (
  deps: PnlDeps,
  enterpriseId: string,
  centers: CostCenterRecord[],
  selfId: string | null,
  wanted: Mappable,
): Promise<void> => {
  const others = centers.filter((o) => o.id !== selfId);
  if (new Set(wanted.groupIds).size !== wanted.groupIds.length) throw invalid('groupIds has duplicates');
  if (new Set(wanted.projectCodes).size !== wanted.projectCodes.length)
    throw invalid('projectCodes has duplicates');
  for (const groupId of wanted.groupIds) {
    const group = await deps.groups.get(groupId);
    if (!group || group.enterpriseId !== enterpriseId)
      throw invalid(`Group ${groupId} is not a group of this enterprise`, { groupId });
    const owner = others.find((o) => o.groupIds.includes(groupId));
    if (owner)
      throw conflict(`Group ${groupId} already belongs to cost center ${owner.code}`, {
        groupId,
        costCenterId: owner.id,
      });
  }
  for (const code of wanted.projectCodes) {
    const owner = others.find((o) => o.projectCodes.includes(code));
    if (owner)
      throw conflict(`Project code "${code}" already belongs to cost center ${owner.code}`, {
        projectCode: code,
        costCenterId: owner.id,
      });
  }
  const platform = others.find((o) => o.isPlatform);
  if (wanted.isPlatform && platform)
    throw conflict(`Cost center ${platform.code} is already the AI platform center of this enterprise`, {
      costCenterId: platform.id,
    });
};

export const createCostCenter = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  body: In<typeof c.CreateCostCenter>,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  if (!(await deps.enterpriseExists(enterpriseId))) throw notFound('Enterprise', enterpriseId);
  const centers = await deps.store.listCostCenters(enterpriseId);
  const parent = body.parentId === undefined ? null : centers.find((o) => o.id === body.parentId);
  if (parent === undefined)
    throw invalid(`Parent cost center ${body.parentId} is not in this enterprise`, {
      parentId: body.parentId,
    });
  await checkMappings(deps, enterpriseId, centers, null, body);
  const now = deps.clock.now();
  const id = newId(now);
  const { parentId: _parentId, budgetLimit, ...fields } = body;
  const center: CostCenterRecord = {
    ...fields,
    id,
    enterpriseId,
    parentId: parent?.id ?? null,
    path: childPath(parent?.path ?? null, id),
    level: parent ? parent.level + 1 : 0,
    budgetLimit: budgetLimit ?? null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.store.createCostCenter(center);
  return costCenterView(center);
};

export const listCostCenters = async (deps: PnlDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const centers = await deps.store.listCostCenters(enterpriseId);
  return { items: centers.sort((a, b) => a.path.localeCompare(b.path)).map(costCenterView) };
};

interface NodeView extends ReturnType<typeof costCenterView> {
  children: NodeView[];
}
const nodeView = (node: CostCenterTree<CostCenterRecord>): NodeView => ({
  ...costCenterView(node),
  children: node.children.map(nodeView),
});

export const costCenterTree = async (deps: PnlDeps, ctx: RequestContext, enterpriseId: string) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  return { roots: hierarchy(await deps.store.listCostCenters(enterpriseId)).map(nodeView) };
};

export const getCostCenter = async (deps: PnlDeps, ctx: RequestContext, id: string) =>
  costCenterView(await visibleCostCenter(deps, ctx, id));

export const costCenterSubtree = async (deps: PnlDeps, ctx: RequestContext, id: string) => {
  const center = await visibleCostCenter(deps, ctx, id);
  const subtree = subtreeOf(await deps.store.listCostCenters(center.enterpriseId), id);
  const [root] = hierarchy(subtree);
  return { root: nodeView(root!), totalBudget: totalBudgetOf(subtree, id) };
};

export const updateCostCenter = async (
  deps: PnlDeps,
  ctx: RequestContext,
  id: string,
  body: In<typeof c.UpdateCostCenter>,
) => {
  const before = await visibleCostCenter(deps, ctx, id);
  requireFinanceManager(ctx.caller, before.enterpriseId);
  const centers = await deps.store.listCostCenters(before.enterpriseId);
  const { description, manager, department, budgetLimit, ...rest } = body;
  const after: CostCenterRecord = { ...before, ...rest, updatedAt: deps.clock.now().toISOString() };
  // null clears an optional field.
  for (const [field, value] of Object.entries({ description, manager, department }) as [
    'description' | 'manager' | 'department',
    string | null | undefined,
  ][]) {
    if (value === null) delete after[field];
    else if (value !== undefined) after[field] = value;
  }
  if (budgetLimit !== undefined) after.budgetLimit = budgetLimit;
  await checkMappings(deps, before.enterpriseId, centers, id, after);
  await deps.store.updateCostCenters([{ before, after }]);
  return costCenterView(after);
};

export const moveCostCenter = async (
  deps: PnlDeps,
  ctx: RequestContext,
  id: string,
  body: In<typeof c.MoveCostCenter>,
) => {
  const center = await visibleCostCenter(deps, ctx, id);
  requireFinanceManager(ctx.caller, center.enterpriseId);
  const centers = await deps.store.listCostCenters(center.enterpriseId);
  checkMove(centers, id, body.parentId);
  const changes = moveSubtree(centers, id, body.parentId, deps.clock.now().toISOString());
  await deps.store.updateCostCenters(changes);
  return costCenterView(changes.find((ch) => ch.after.id === id)!.after);
};

export const deleteCostCenter = async (deps: PnlDeps, ctx: RequestContext, id: string) => {
  const center = await visibleCostCenter(deps, ctx, id);
  requireFinanceManager(ctx.caller, center.enterpriseId);
  const children = childrenOf(await deps.store.listCostCenters(center.enterpriseId), id);
  if (children.length > 0)
    throw conflict(`Cost center ${center.code} has ${children.length} children: move or delete them first`, {
      children: children.map((ch) => ch.id),
    });
  await deps.store.deleteCostCenter(center);
  return {};
};
