import { namedAccountIds, poolsOf } from '../domain/binding';
import type { AiAccount, AiAccountRepository, GroupBinding } from '../ports/tenancy';

/** Every account a binding can reach: the accounts it names and the shared pools it draws on. */
export const reachableAccounts = async (
  aiAccounts: AiAccountRepository,
  binding: Pick<GroupBinding, 'enterpriseId' | 'bindingConfig'>,
): Promise<AiAccount[]> => {
  const config = binding.bindingConfig;
  const pools = poolsOf(config);
  const [named, ...pooled] = await Promise.all([
    aiAccounts.getMany(namedAccountIds(config)),
    ...pools.map((p) => aiAccounts.pool(binding.enterpriseId, p.serviceType, 'shared')),
  ]);
  return [...(named ?? []), ...pooled.flat()].filter((a) => a.enterpriseId === binding.enterpriseId);
};
