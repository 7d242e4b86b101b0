/**
 * The cost-center tree of an enterprise. Each center stores its parent, its path of ids from the
 * root (`/rootId/childId`) and its level (root 0), so a subtree can be read by path prefix; moving a
 * center therefore rewrites the path and level of its whole subtree. The functions are generic over
 * the few fields they need (the domain does not import the port's CostCenterRecord), and walk
 * `parentId` links rather than trusting stored paths.
 */
import { invalid } from '../errors';
import { moneyString, sumOf } from './amounts';

/** The fields every tree function needs. */
export interface TreeNode {
  id: string;
  parentId: string | null;
}

/** A node that stores its position (path, level) and a version (updatedAt). */
export interface PositionedNode extends TreeNode {
  path: string;
  level: number;
  updatedAt: string;
}

/** A center with its children, nested (what `hierarchy` returns). */
export type CostCenterTree<T> = T & { children: CostCenterTree<T>[] };

/** Path of a child of `parentPath` (null: a root): `/a` + `b` → `/a/b`. */
export const childPath = (parentPath: string | null, id: string): string => `${parentPath ?? ''}/${id}`;

/** Level of a path: the number of ancestors (`/a` → 0, `/a/b` → 1). */
export const levelOfPath = (path: string): number => path.split('/').length - 2;

const notFound = (id: string): never => {
  throw invalid(`Cost center ${id} was not found`, { costCenterId: id });
};

const byId = <T extends TreeNode>(centers: readonly T[]): Map<string, T> =>
  new Map(centers.map((c) => [c.id, c]));

const childIndex = <T extends TreeNode>(centers: readonly T[]): Map<string, T[]> => {
  const index = new Map<string, T[]>();
  for (const c of centers) {
    if (c.parentId === null) continue;
    const siblings = index.get(c.parentId);
    if (siblings) siblings.push(c);
    else index.set(c.parentId, [c]);
  }
  return index;
};

/** The direct children of a center, in input order. */
export const childrenOf = <T extends TreeNode>(centers: readonly T[], id: string): T[] =>
  centers.filter((c) => c.parentId === id);

/** The center and all its descendants, the center first, then level by level (input order within a level). */
export const subtreeOf = <T extends TreeNode>(centers: readonly T[], id: string): T[] => {
  const root = byId(centers).get(id) ?? notFound(id);
  const children = childIndex(centers);
  const result: T[] = [root];
  // The visited set only guards against corrupt data with a cycle; a valid tree never revisits.
  const visited = new Set([root.id]);
  for (let i = 0; i < result.length; i++) {
    for (const child of children.get(result[i]!.id) ?? []) {
      if (visited.has(child.id)) continue;
      visited.add(child.id);
      result.push(child);
    }
  }
  return result;
};

/**
 * Refuses a move that would break the tree: the center or the new parent unknown, or the new parent
 * being the center itself or one of its descendants (the subtree would hang from itself). A null
 * parent makes the center a root.
 */
export const checkMove = <T extends TreeNode>(
  centers: readonly T[],
  id: string,
  newParentId: string | null,
): void => {
  const index = byId(centers);
  if (!index.has(id)) notFound(id);
  if (newParentId === null) return;
  const cycle = (): never => {
    throw invalid(`Moving cost center ${id} under ${newParentId} would create a cycle`, {
      costCenterId: id,
      parentId: newParentId,
    });
  };
  if (newParentId === id) cycle();
  if (!index.has(newParentId)) notFound(newParentId);
  // Walk up from the new parent: meeting the moved center means the parent is inside its subtree.
  const seen = new Set<string>();
  for (
    let at = index.get(newParentId);
    at && !seen.has(at.id);
    at = at.parentId ? index.get(at.parentId) : undefined
  ) {
    if (at.id === id) cycle();
    seen.add(at.id);
  }
};

/**
 * The changes that move center `id` under `newParentId` (null: to the root): the center gets its new
 * parent, and it and every descendant a new path and level and `updatedAt`. The center comes first,
 * then its descendants level by level; `before` is the input record, for conditional writes.
 */
export const moveSubtree = <T extends PositionedNode>(
  centers: readonly T[],
  id: string,
  newParentId: string | null,
  updatedAt: string,
): { before: T; after: T }[] => {
  checkMove(centers, id, newParentId);
  const parentPath = newParentId === null ? null : byId(centers).get(newParentId)!.path;
  const newPaths = new Map<string, string>();
  return subtreeOf(centers, id).map((before) => {
    const isMoved = before.id === id;
    // Parents precede their children in subtreeOf's order, so the parent's new path is known.
    const path = childPath(isMoved ? parentPath : newPaths.get(before.parentId!)!, before.id);
    newPaths.set(before.id, path);
    const after: T = {
      ...before,
      parentId: isMoved ? newParentId : before.parentId,
      path,
      level: levelOfPath(path),
      updatedAt,
    };
    return { before, after };
  });
};

/**
 * The centers nested under their parents, roots and siblings sorted by code. A center whose parent is
 * not in the list is shown as a root (e.g. when the list was filtered).
 */
export const hierarchy = <T extends TreeNode & { code: string }>(
  centers: readonly T[],
): CostCenterTree<T>[] => {
  const index = byId(centers);
  const children = childIndex(centers);
  const byCode = (a: T, b: T): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const visited = new Set<string>();
  const build = (c: T): CostCenterTree<T> => {
    visited.add(c.id);
    const kids = (children.get(c.id) ?? []).filter((k) => !visited.has(k.id)).sort(byCode);
    return { ...c, children: kids.map(build) };
  };
  return centers
    .filter((c) => c.parentId === null || !index.has(c.parentId))
    .sort(byCode)
    .map(build);
};

/** Σ budgetLimit over the center's subtree (a center without a limit counts 0), exact. */
export const totalBudgetOf = <T extends TreeNode & { budgetLimit: string | null }>(
  centers: readonly T[],
  id: string,
): string => moneyString(sumOf(subtreeOf(centers, id).map((c) => c.budgetLimit ?? undefined)));

/**
 * The centers deepest first (children before their parents), so consolidation can fold each child
 * into its parent in one pass; equal depths keep input order. Depth follows parentId links; a
 * center whose parent is not in the list counts as a root.
 */
export const bottomUp = <T extends TreeNode>(centers: readonly T[]): T[] => {
  const index = byId(centers);
  const depths = new Map<string, number>();
  const depthOf = (c: T, visiting: Set<string>): number => {
    const known = depths.get(c.id);
    if (known !== undefined) return known;
    if (visiting.has(c.id)) throw invalid(`Cost center ${c.id} is its own ancestor`, { costCenterId: c.id });
    visiting.add(c.id);
    const parent = c.parentId === null ? undefined : index.get(c.parentId);
    const depth = parent ? depthOf(parent, visiting) + 1 : 0;
    depths.set(c.id, depth);
    return depth;
  };
  const withDepth = centers.map((c, i) => ({ c, i, depth: depthOf(c, new Set()) }));
  return withDepth.sort((a, b) => b.depth - a.depth || a.i - b.i).map((x) => x.c);
};
