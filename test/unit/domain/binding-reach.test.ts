/** Which groups' bindings reach an account: the rule the account details use, as the gateway routes. */
import { describe, expect, it } from 'vitest';
import { bindingReach } from '../../../shared/domain/binding';

const dedicated = { id: 'A1', enterpriseId: 'E1', accountType: 'dedicated' as const, serviceType: 'openai' };
const shared = { id: 'A2', enterpriseId: 'E1', accountType: 'shared' as const, serviceType: 'openai' };

describe('bindingReach', () => {
  it('reaches a named account directly, and shared accounts of a pooled serviceType through the pool', () => {
    const hybrid = {
      enterpriseId: 'E1',
      bindingConfig: {
        mode: 'hybrid' as const,
        primaryAccounts: ['A1'],
        fallbackPools: [{ serviceType: 'openai', priority: 1 }],
      },
    };
    expect(bindingReach(hybrid, dedicated)).toBe('account');
    expect(bindingReach(hybrid, shared)).toBe('pool');
  });

  it('does not reach dedicated accounts through pools, other serviceTypes or other enterprises', () => {
    const pool = {
      enterpriseId: 'E1',
      bindingConfig: {
        mode: 'shared' as const,
        poolConfig: [{ serviceType: 'openai', maxUsagePercent: 100, priority: 1 }],
      },
    };
    expect(bindingReach(pool, dedicated)).toBeNull();
    expect(bindingReach(pool, { ...shared, serviceType: 'gemini' })).toBeNull();
    expect(bindingReach(pool, { ...shared, enterpriseId: 'E2' })).toBeNull();
    const direct = {
      enterpriseId: 'E1',
      bindingConfig: { mode: 'dedicated' as const, accounts: [{ accountId: 'A1', priority: 1 }] },
    };
    expect(bindingReach(direct, dedicated)).toBe('account');
    expect(bindingReach(direct, shared)).toBeNull();
  });
});
