/** The balance monitor's repository over the single table (entities in balance-entities.ts). */
import type { EntityItem } from 'electrodb';
import type { BalanceAlertState } from '../../domain/balance/alerts';
import { notFound } from '../../domain/errors';
import type { BalanceReading, BalanceSourceRecord, BalanceStore, LastReading } from '../../ports/balance';
import type { BalanceService } from './balance-entities';
import { isConditionFailure } from './errors';

type Entities = BalanceService['entities'];
type Item<K extends keyof Entities> = EntityItem<Entities[K]>;

const toSource = ({ sourceId, pollState: _poll, ...rest }: Item<'balanceSource'>): BalanceSourceRecord => ({
  ...rest,
  id: sourceId,
  settings: rest.settings as Record<string, string>,
  alert: rest.alert as BalanceAlertState,
  lastReading: rest.lastReading as LastReading | undefined,
});

const toReading = (item: Item<'balanceReading'>): BalanceReading => item as BalanceReading;

const pollState = (enabled: boolean) => (enabled ? 'ENABLED' : 'DISABLED') as 'ENABLED' | 'DISABLED';

export class DynamoBalanceStore implements BalanceStore {
  private readonly e: Entities;

  constructor(service: BalanceService) {
    this.e = service.entities;
  }

  async createSource({ id, ...rest }: BalanceSourceRecord): Promise<void> {
    await this.e.balanceSource.create({ sourceId: id, pollState: pollState(rest.enabled), ...rest }).go();
  }

  async getSource(id: string): Promise<BalanceSourceRecord | null> {
    const { data } = await this.e.balanceSource.get({ sourceId: id }).go();
    return data ? toSource(data) : null;
  }

  async listSources(enterpriseId: string): Promise<BalanceSourceRecord[]> {
    const { data } = await this.e.balanceSource.query.byEnterprise({ enterpriseId }).go({ pages: 'all' });
    return data.map(toSource);
  }

  async listEnabledSources(): Promise<BalanceSourceRecord[]> {
    const { data } = await this.e.balanceSource.query
      .byPollState({ pollState: 'ENABLED' })
      .go({ pages: 'all' });
    return data.map(toSource);
  }

  async updateSource(
    id: string,
    patch: Parameters<BalanceStore['updateSource']>[1],
  ): Promise<BalanceSourceRecord> {
    const withPollState =
      patch.enabled === undefined ? patch : { ...patch, pollState: pollState(patch.enabled) };
    try {
      const { data } = await this.e.balanceSource
        .patch({ sourceId: id })
        .set(withPollState)
        .go({ response: 'all_new' });
      return toSource(data as Item<'balanceSource'>);
    } catch (err) {
      // patch() is conditional on the item existing: a source deleted meanwhile is not recreated.
      if (isConditionFailure(err)) throw notFound('Balance source', id);
      throw err;
    }
  }

  async deleteSource(id: string): Promise<void> {
    await this.e.balanceSource.delete({ sourceId: id }).go();
  }

  async putReading(reading: BalanceReading): Promise<void> {
    await this.e.balanceReading.put(reading).go({ response: 'none' });
  }

  async readings(sourceId: string, fromIso: string, toIso: string): Promise<BalanceReading[]> {
    const { data } = await this.e.balanceReading.query
      .bySourceTime({ sourceId })
      .between({ at: fromIso }, { at: toIso })
      // A Limit per page keeps DynamoDB Local from reading the rest of the partition for each one.
      .go({ pages: 'all', limit: 1000 });
    return data.map(toReading);
  }
}
