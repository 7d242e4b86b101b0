import { newId } from '../../domain/ids';
import type { AccountHealthCheck, HealthRepository } from '../../ports/health';
import type { Notification, Notifier } from '../../ports/notifications';
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

/** `message` is a reserved key of the structured log line: the notification's text goes in `text`. */
const logged = ({ message, ...rest }: Notification): Record<string, unknown> => ({ ...rest, text: message });

/** Records every notification as an alert item and logs it; channels come with the balance monitor. */
export class TableAndLogNotifier implements Notifier {
  constructor(
    private readonly db: TollgateService,
    private readonly log: (message: string, details: Record<string, unknown>) => void,
    private readonly now: () => Date,
  ) {}

  async notify(notification: Notification): Promise<void> {
    const at = this.now();
    await this.db.entities.alert
      .create({ alertId: newId(at), at: at.toISOString(), ...notification })
      .go({ response: 'none' });
    this.log('notification', logged(notification));
  }

  async notifyOnce(onceKey: string, notification: Notification): Promise<void> {
    const at = this.now();
    const alertId = newId(at);
    // The guard and the alert are written together: a second sender's transaction is cancelled.
    const result = await this.db.transaction
      .write(({ uniqueGuard, alert }) => [
        uniqueGuard.create({ scope: 'NOTIFIED', value: onceKey, ownerId: alertId }).commit(),
        alert.create({ alertId, at: at.toISOString(), ...notification }).commit(),
      ])
      .go();
    if (!result.canceled) this.log('notification', logged(notification));
  }
}
