import type { AccountHealthCheck, HealthRepository } from '../../ports/health';
import type { TollgateService } from './entities';

const HEALTH_RETENTION_SECONDS = 30 * 86_400;

export class DynamoHealthRepository implements HealthRepository {
  constructor(private readonly db: TollgateService) {}

  async record({ errorMessage, ...check }: AccountHealthCheck): Promise<void> {
    await this.db.entities.accountHealth
      .put({
        ...check,
        ...(errorMessage === null ? {} : { errorMessage }),
        expiresAt: Math.floor(Date.parse(check.checkedAt) / 1000) + HEALTH_RETENTION_SECONDS,
      })
      .go({ response: 'none' });
  }

  async history(accountId: string, limit: number): Promise<AccountHealthCheck[]> {
    const { data } = await this.db.entities.accountHealth.query
      .byAccount({ accountId })
      .go({ order: 'desc', count: limit });
    return data.map(({ expiresAt: _ttl, errorMessage, ...check }) => ({
      ...check,
      errorMessage: errorMessage ?? null,
    }));
  }
}
