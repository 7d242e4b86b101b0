import { describe, expect, it } from 'vitest';
import { validateBinding } from '../../../shared/domain/binding';

const accounts = [
  { id: 'a1', enterpriseId: 'e1', accountType: 'dedicated' as const },
  { id: 'a2', enterpriseId: 'e1', accountType: 'dedicated' as const },
  { id: 's1', enterpriseId: 'e1', accountType: 'shared' as const },
  { id: 'x1', enterpriseId: 'e2', accountType: 'dedicated' as const },
];

describe('validateBinding', () => {
  it('returns the dedicated accounts a dedicated binding holds', () => {
    const held = validateBinding(
      'e1',
      {
        mode: 'dedicated',
        accounts: [
          { accountId: 'a1', priority: 1 },
          { accountId: 'a2', priority: 2 },
        ],
      },
      accounts,
    );
    expect(held).toEqual(['a1', 'a2']);
  });

  it('rejects accounts of another enterprise or unknown ids', () => {
    expect(() =>
      validateBinding('e1', { mode: 'dedicated', accounts: [{ accountId: 'x1', priority: 1 }] }, accounts),
    ).toThrow(/own enterprise/);
    expect(() =>
      validateBinding(
        'e1',
        {
          mode: 'hybrid',
          primaryAccounts: ['nope'],
          fallbackPools: [{ serviceType: 'claude', priority: 1 }],
        },
        accounts,
      ),
    ).toThrow(/own enterprise/);
  });

  it('rejects shared accounts named directly, and repeats', () => {
    expect(() =>
      validateBinding('e1', { mode: 'dedicated', accounts: [{ accountId: 's1', priority: 1 }] }, accounts),
    ).toThrow(/Only dedicated accounts/);
    expect(() =>
      validateBinding(
        'e1',
        {
          mode: 'dedicated',
          accounts: [
            { accountId: 'a1', priority: 1 },
            { accountId: 'a1', priority: 2 },
          ],
        },
        accounts,
      ),
    ).toThrow(/more than once/);
    expect(() =>
      validateBinding(
        'e1',
        {
          mode: 'shared',
          poolConfig: [
            { serviceType: 'claude', maxUsagePercent: 50, priority: 1 },
            { serviceType: 'claude', maxUsagePercent: 50, priority: 2 },
          ],
        },
        accounts,
      ),
    ).toThrow(/serviceType is listed more than once/);
  });

  it('holds nothing for shared pools', () => {
    expect(
      validateBinding(
        'e1',
        { mode: 'shared', poolConfig: [{ serviceType: 'openai', maxUsagePercent: 80, priority: 1 }] },
        accounts,
      ),
    ).toEqual([]);
  });
});
