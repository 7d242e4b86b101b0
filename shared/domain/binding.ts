import { invalid } from './errors';

export interface BindingAccountView {
  id: string;
  enterpriseId: string;
  accountType: 'dedicated' | 'shared';
}

export type BindingConfigInput =
  | { mode: 'dedicated'; accounts: { accountId: string; priority: number }[] }
  | { mode: 'shared'; poolConfig: { serviceType: string; maxUsagePercent: number; priority: number }[] }
  | { mode: 'hybrid'; primaryAccounts: string[]; fallbackPools: { serviceType: string; priority: number }[] };

/** The accounts a binding names directly (dedicated accounts, hybrid primaries). */
export const namedAccountIds = (config: BindingConfigInput): string[] => {
  switch (config.mode) {
    case 'dedicated':
      return config.accounts.map((a) => a.accountId);
    case 'hybrid':
      return [...config.primaryAccounts];
    case 'shared':
      return [];
  }
};

/** The shared pools a binding draws on (shared pools, hybrid fallbacks). */
export const poolsOf = (config: BindingConfigInput): { serviceType: string }[] =>
  config.mode === 'shared' ? config.poolConfig : config.mode === 'hybrid' ? config.fallbackPools : [];

/**
 * How a binding reaches an account, or null when it cannot: by naming it, or through a pool of its
 * serviceType (pools hold the enterprise's shared accounts only). Mirrors what the gateway routes to.
 */
export const bindingReach = (
  binding: { enterpriseId: string; bindingConfig: BindingConfigInput },
  account: BindingAccountView & { serviceType: string },
): 'account' | 'pool' | null => {
  if (binding.enterpriseId !== account.enterpriseId) return null;
  if (namedAccountIds(binding.bindingConfig).includes(account.id)) return 'account';
  const pooled =
    account.accountType === 'shared' &&
    poolsOf(binding.bindingConfig).some((p) => p.serviceType === account.serviceType);
  return pooled ? 'pool' : null;
};

const duplicates = (values: readonly string[]): string[] => [
  ...new Set(values.filter((v, i) => values.indexOf(v) !== i)),
];

/**
 * Checks a binding against the accounts it names: each must exist in the group's enterprise and be
 * a dedicated account (shared accounts are reached through pools), and none may appear twice; pools
 * may not repeat a serviceType. Returns the account ids the group will hold exclusively.
 */
export const validateBinding = (
  enterpriseId: string,
  config: BindingConfigInput,
  accounts: readonly BindingAccountView[],
): string[] => {
  const named = namedAccountIds(config);
  const repeated = duplicates(named);
  if (repeated.length > 0) throw invalid('An account is named more than once', { accountIds: repeated });

  const pools = poolsOf(config);
  const repeatedPools = duplicates(pools.map((p) => p.serviceType));
  if (repeatedPools.length > 0)
    throw invalid('A pool serviceType is listed more than once', { serviceTypes: repeatedPools });

  const byId = new Map(accounts.map((a) => [a.id, a]));
  const unknown = named.filter((id) => byId.get(id)?.enterpriseId !== enterpriseId);
  if (unknown.length > 0) {
    throw invalid('Bindings may only name AI accounts of the group\u2019s own enterprise', {
      accountIds: unknown,
    });
  }
  const notDedicated = named.filter((id) => byId.get(id)?.accountType !== 'dedicated');
  if (notDedicated.length > 0) {
    throw invalid('Only dedicated accounts can be bound directly; shared accounts are used through pools', {
      accountIds: notDedicated,
    });
  }
  return named;
};
