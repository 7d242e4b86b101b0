/**
 * The scheduled health check of AI accounts: a one-token call to each enabled account (cheap,
 * and it exercises the same path real calls take), a health record per probe, and a status change
 * with a notification when an account fails or recovers.
 */
import type { Clock } from '../ports/clock';
import { everyPage } from './pages';
import type { AccountHealthCheck, HealthRepository } from '../ports/health';
import { ProviderError, type ModelProvider } from '../ports/model-provider';
import type { Notifier } from '../ports/notifications';
import type { SecretStore } from '../ports/secrets';
import type { AiAccount, AiAccountRepository, EnterpriseRepository } from '../ports/tenancy';

export interface AccountHealthDeps {
  enterprises: EnterpriseRepository;
  aiAccounts: AiAccountRepository;
  secrets: SecretStore;
  providerFor(serviceType: string): ModelProvider;
  health: HealthRepository;
  notifier: Notifier;
  clock: Clock;
  timeoutMs: number;
  /** Probes in flight at once. */
  concurrency: number;
}

/** Runs `work` over `items` with at most `limit` in flight. */
const inPool = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
};

const probe = async (deps: AccountHealthDeps, account: AiAccount): Promise<AccountHealthCheck> => {
  const started = deps.clock.now();
  let error: string | null = null;
  try {
    await deps.providerFor(account.serviceType).chat(
      {
        serviceType: account.serviceType,
        endpoint: account.endpoint,
        apiKey: await deps.secrets.get(account.credential.ref),
      },
      {
        model: account.currentModel ?? account.supportedModels[0]!,
        messages: [{ role: 'user', content: 'ping' }],
        maxTokens: 1,
      },
      AbortSignal.timeout(deps.timeoutMs),
    );
  } catch (err) {
    // A rate-limited account is alive; anything else means calls would fail now.
    if (!(err instanceof ProviderError && err.failure === 'rate_limited')) {
      error = err instanceof ProviderError ? `${err.failure}: ${err.message}` : 'probe failed';
    }
  }
  return {
    accountId: account.id,
    enterpriseId: account.enterpriseId,
    checkedAt: started.toISOString(),
    isHealthy: error === null,
    responseTimeMs: deps.clock.now().getTime() - started.getTime(),
    errorMessage: error,
  };
};

export const checkAccountHealth = async (deps: AccountHealthDeps) => {
  const enterprises = await everyPage((page) => deps.enterprises.list(page));
  const accounts = (
    await Promise.all(enterprises.map((e) => everyPage((page) => deps.aiAccounts.list(e.id, {}, page))))
  )
    .flat()
    .filter((a) => a.isEnabled && a.status !== 'inactive');
  const outcome = { checked: 0, unhealthy: 0, recovered: 0 };

  await inPool(accounts, deps.concurrency, async (account) => {
    const check = await probe(deps, account);
    await deps.health.record(check);
    outcome.checked += 1;
    const updatedAt = deps.clock.now().toISOString();
    if (!check.isHealthy && account.status === 'active') {
      outcome.unhealthy += 1;
      await deps.aiAccounts.update(account.id, { status: 'error', updatedAt });
      await deps.notifier.notify({
        enterpriseId: account.enterpriseId,
        kind: 'ai-account.unhealthy',
        severity: 'critical',
        subject: `ai-account:${account.id}`,
        message: `AI account "${account.name}" failed its health check (${check.errorMessage}); the gateway skips it until it recovers.`,
      });
    } else if (check.isHealthy && account.status === 'error') {
      outcome.recovered += 1;
      await deps.aiAccounts.update(account.id, { status: 'active', updatedAt });
      await deps.notifier.notify({
        enterpriseId: account.enterpriseId,
        kind: 'ai-account.recovered',
        severity: 'info',
        subject: `ai-account:${account.id}`,
        message: `AI account "${account.name}" passed its health check again and is back in rotation.`,
      });
    }
  });
  return outcome;
};
