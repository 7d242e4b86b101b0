import { describe, expect, it } from 'vitest';
import { failure } from '../../../factories/domain-errors';
import {
  bottomUp,
  checkMove,
  childPath,
  childrenOf,
  hierarchy,
  levelOfPath,
  moveSubtree,
  subtreeOf,
  totalBudgetOf,
} from '../../../../shared/domain/pnl/tree';

interface Center {
  id: string;
  code: string;
  parentId: string | null;
  path: string;
  level: number;
  budgetLimit: string | null;
  updatedAt: string;
}

const center = (
  id: string,
  code: string,
  parentId: string | null,
  path: string,
  budgetLimit: string | null,
) => ({
  id,
  code,
  parentId,
  path,
  level: levelOfPath(path),
  budgetLimit,
  updatedAt: 't0',
});

// r ─┬─ a (code B) ── a1 ── a1x
//    └─ b (code A)
const centers: Center[] = [
  center('r', 'ROOT', null, '/r', '1000'),
  center('a', 'B', 'r', '/r/a', '300.50'),
  center('b', 'A', 'r', '/r/b', null),
  center('a1', 'B1', 'a', '/r/a/a1', '99.505'),
  center('a1x', 'B1X', 'a1', '/r/a/a1/a1x', '0.25'),
];

describe('paths', () => {
  it('appends the id to the parent path; level is the depth', () => {
    expect(childPath(null, 'r')).toBe('/r');
    expect(childPath('/r', 'a')).toBe('/r/a');
    expect(childPath('/r/a', 'a1')).toBe('/r/a/a1');
    expect(levelOfPath('/r')).toBe(0);
    expect(levelOfPath('/r/a/a1')).toBe(2);
  });
});

describe('checkMove', () => {
  it('refuses moving a center under its grandchild, its child, or itself', () => {
    const error = failure(() => checkMove(centers, 'a', 'a1x'));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toBe('Moving cost center a under a1x would create a cycle');
    expect(error.details).toEqual({ costCenterId: 'a', parentId: 'a1x' });
    expect(() => checkMove(centers, 'a', 'a1')).toThrow('Moving cost center a under a1 would create a cycle');
    expect(() => checkMove(centers, 'r', 'a1x')).toThrow(/would create a cycle/);
    expect(() => checkMove(centers, 'a', 'a')).toThrow('Moving cost center a under a would create a cycle');
  });

  it('refuses unknown centers and allows moves outside the subtree or to the root', () => {
    expect(() => checkMove(centers, 'a', 'zz')).toThrow('Cost center zz was not found');
    expect(failure(() => checkMove(centers, 'zz', 'a')).code).toBe('VALIDATION_ERROR');
    expect(() => checkMove(centers, 'b', 'a1x')).not.toThrow();
    expect(() => checkMove(centers, 'a1', 'b')).not.toThrow();
    expect(() => checkMove(centers, 'a', null)).not.toThrow();
  });
});

describe('moveSubtree', () => {
  it('rewrites parent, path and level of the center and every descendant', () => {
    const changes = moveSubtree(centers, 'a', 'b', 't1');
    expect(changes.map((c) => c.before)).toEqual([centers[1], centers[3], centers[4]]);
    expect(changes.map((c) => c.after)).toEqual([
      { ...centers[1], parentId: 'b', path: '/r/b/a', level: 2, updatedAt: 't1' },
      { ...centers[3], parentId: 'a', path: '/r/b/a/a1', level: 3, updatedAt: 't1' },
      { ...centers[4], parentId: 'a1', path: '/r/b/a/a1/a1x', level: 4, updatedAt: 't1' },
    ]);
  });

  it('moves a subtree to the root', () => {
    expect(
      moveSubtree(centers, 'a1', null, 't2').map((c) => [
        c.after.id,
        c.after.parentId,
        c.after.path,
        c.after.level,
      ]),
    ).toEqual([
      ['a1', null, '/a1', 0],
      ['a1x', 'a1', '/a1/a1x', 1],
    ]);
  });

  it('refuses a cycle and leaves the input untouched', () => {
    expect(() => moveSubtree(centers, 'a', 'a1x', 't1')).toThrow(/would create a cycle/);
    moveSubtree(centers, 'a', 'b', 't1');
    expect(centers[1]).toMatchObject({ parentId: 'r', path: '/r/a', level: 1, updatedAt: 't0' });
  });
});

describe('subtree, children, hierarchy', () => {
  it('subtreeOf includes the center and all descendants', () => {
    expect(subtreeOf(centers, 'a').map((c) => c.id)).toEqual(['a', 'a1', 'a1x']);
    expect(subtreeOf(centers, 'r').map((c) => c.id)).toEqual(['r', 'a', 'b', 'a1', 'a1x']);
    expect(subtreeOf(centers, 'b').map((c) => c.id)).toEqual(['b']);
    expect(() => subtreeOf(centers, 'zz')).toThrow('Cost center zz was not found');
  });

  it('childrenOf lists direct children only', () => {
    expect(childrenOf(centers, 'r').map((c) => c.id)).toEqual(['a', 'b']);
    expect(childrenOf(centers, 'a1x')).toEqual([]);
  });

  it('hierarchy nests children sorted by code', () => {
    const tree = hierarchy(centers);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.id).toBe('r');
    expect(tree[0]!.children.map((c) => c.code)).toEqual(['A', 'B']);
    expect(tree[0]!.children[1]!.children[0]).toMatchObject({
      id: 'a1',
      children: [{ id: 'a1x', children: [] }],
    });
    // A center whose parent was filtered out shows as a root, roots sorted by code.
    expect(hierarchy(centers.filter((c) => c.id !== 'a')).map((c) => c.code)).toEqual(['B1', 'ROOT']);
  });
});

describe('totalBudgetOf', () => {
  it('sums budget limits over the subtree exactly, null as 0', () => {
    expect(totalBudgetOf(centers, 'a')).toBe('400.255');
    expect(totalBudgetOf(centers, 'r')).toBe('1400.255');
    expect(totalBudgetOf(centers, 'b')).toBe('0.00');
    expect(totalBudgetOf(centers, 'a1x')).toBe('0.25');
  });
});

describe('bottomUp', () => {
  it('orders deepest first, input order within a depth', () => {
    expect(bottomUp(centers).map((c) => c.id)).toEqual(['a1x', 'a1', 'a', 'b', 'r']);
    const shuffled = [centers[4]!, centers[0]!, centers[2]!, centers[3]!, centers[1]!];
    expect(bottomUp(shuffled).map((c) => c.id)).toEqual(['a1x', 'a1', 'b', 'a', 'r']);
  });

  it('refuses corrupt data where a center is its own ancestor', () => {
    const looped = [
      { id: 'x', parentId: 'y' },
      { id: 'y', parentId: 'x' },
    ];
    expect(() => bottomUp(looped)).toThrow(/is its own ancestor/);
  });
});
