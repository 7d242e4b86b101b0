/**
 * AWS bills through Cost Explorer `GetCostAndUsage` (@aws-sdk/client-cost-explorer), daily, one
 * account-month per fetch. The client is injected (us-east-1, credentials from the Lambda role).
 *
 * Followed:
 * - GetCostAndUsage API reference (docs.aws.amazon.com/aws-cost-management/latest/APIReference/
 *   API_GetCostAndUsage.html, and the SDK's GetCostAndUsageRequest/Response types): `TimePeriod`
 *   Start is inclusive and End exclusive ("2017-01-01 to 2017-05-01 retrieves up to and including
 *   2017-04-30"); Start must not be later than today; `Granularity` DAILY; `Metrics` UnblendedCost and
 *   AmortizedCost (metric names in CamelCase); `GroupBy` "up to two different groups, either
 *   dimensions, tag keys, cost categories"; grouping by a TAG key returns every value, empty strings
 *   included; `NextPageToken` is set while more results remain.
 * - Response: `ResultsByTime[]{TimePeriod{Start,End}, Groups[]{Keys[], Metrics{<name>{Amount,Unit}}},
 *   Estimated}`; `Amount` is a decimal string; a TAG group key reads `<tagKey>$<value>` (`team$` for
 *   untagged usage).
 * - Expression `Dimensions{Key:'LINKED_ACCOUNT', Values}` to restrict to one member account
 *   (MatchOptions default EQUALS).
 */
import type {
  CostExplorerClient,
  Group,
  GroupDefinition,
  GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import type { RawBillLine, RawBillPage } from '../../domain/bills/types';
import type { BillFetchRequest, BillSource } from '../../ports/billing';

type SecondGroup =
  | { kind: 'REGION'; definition: GroupDefinition }
  | { kind: 'LINKED_ACCOUNT'; definition: GroupDefinition }
  | { kind: 'TAG'; tagKey: string; definition: GroupDefinition };

/** `settings.groupBy`: 'REGION' (default), 'LINKED_ACCOUNT' or 'TAG:<cost allocation tag key>'. */
const secondGroup = (groupBy = 'REGION'): SecondGroup => {
  if (groupBy === 'REGION' || groupBy === 'LINKED_ACCOUNT') {
    return { kind: groupBy, definition: { Type: 'DIMENSION', Key: groupBy } };
  }
  if (groupBy.startsWith('TAG:') && groupBy.length > 'TAG:'.length) {
    const tagKey = groupBy.slice('TAG:'.length);
    return { kind: 'TAG', tagKey, definition: { Type: 'TAG', Key: tagKey } };
  }
  throw new Error(`Cost Explorer groupBy "${groupBy}" is not REGION, LINKED_ACCOUNT or TAG:<key>`);
};

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * [Start, End) for the month, End being the first day of the next month, or tomorrow while the
 * month is running (today's partial, estimated costs included). Undefined for a month not begun.
 */
const costExplorerPeriod = (periodMonth: string, now: Date): { Start: string; End: string } | undefined => {
  const m = PERIOD.exec(periodMonth);
  if (!m) throw new Error(`Period "${periodMonth}" is not YYYY-MM`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const start = `${periodMonth}-01`;
  const today = isoDate(now);
  if (start > today) return undefined;
  const nextMonth = isoDate(new Date(Date.UTC(year, month, 1)));
  const tomorrow = isoDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)));
  return { Start: start, End: nextMonth < tomorrow ? nextMonth : tomorrow };
};

export class AwsCostExplorerBillSource implements BillSource {
  constructor(
    private readonly client: CostExplorerClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async *fetchPages(request: BillFetchRequest): AsyncGenerator<RawBillPage> {
    const timePeriod = costExplorerPeriod(request.periodMonth, this.now());
    // Cost Explorer rejects a Start after today; a month not begun has no costs yet.
    if (!timePeriod) return;
    const second = secondGroup(request.settings.groupBy);
    const { linkedAccount } = request.settings;
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: timePeriod,
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }, second.definition],
      ...(linkedAccount
        ? { Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [linkedAccount] } } }
        : {}),
    };
    let nextPageToken: string | undefined;
    do {
      const response = await this.client.send(
        new GetCostAndUsageCommand({ ...input, ...(nextPageToken ? { NextPageToken: nextPageToken } : {}) }),
        { abortSignal: request.signal },
      );
      const lines: RawBillLine[] = [];
      for (const result of response.ResultsByTime ?? []) {
        const billingDate = result.TimePeriod?.Start;
        if (!billingDate) throw new Error('Cost Explorer result without TimePeriod.Start');
        for (const group of result.Groups ?? []) {
          lines.push(toLine(group, billingDate, result.Estimated, second, linkedAccount));
        }
      }
      yield { lines };
      nextPageToken = response.NextPageToken;
    } while (nextPageToken);
  }
}

/**
 * Every group becomes a line, zero amounts included: a day's estimate can later settle to 0, and only
 * a line with the same sourceKey overwrites the earlier, non-zero item.
 */
const toLine = (
  group: Group,
  billingDate: string,
  estimated: boolean | undefined,
  second: SecondGroup,
  linkedAccount: string | undefined,
): RawBillLine => {
  const [service, secondKey] = group.Keys ?? [];
  const unblended = group.Metrics?.UnblendedCost;
  if (service === undefined || secondKey === undefined || !unblended?.Amount || !unblended.Unit) {
    throw new Error(
      `Cost Explorer group on ${billingDate} lacks keys or UnblendedCost: ${JSON.stringify(group)}`,
    );
  }
  const secondLabel = second.kind === 'TAG' ? `TAG:${second.tagKey}` : second.kind;
  const line: RawBillLine = {
    // Only the last part can be free text (a tag value), so a '|' inside it cannot make keys collide.
    sourceKey: [billingDate, service, secondLabel, secondKey].join('|'),
    billingDate,
    originalServiceName: service,
    currency: unblended.Unit,
    amount: unblended.Amount,
    tags: {},
    // The group as sent, plus its period's Estimated flag (Cost Explorer sets it per day, not per group).
    rawPayload: { ...group, Estimated: estimated ?? false },
  };
  const amortized = group.Metrics?.AmortizedCost?.Amount;
  if (amortized) line.amortizedAmount = amortized;
  if (linkedAccount) line.usageAccountId = linkedAccount;
  if (second.kind === 'REGION') line.region = secondKey;
  else if (second.kind === 'LINKED_ACCOUNT') line.usageAccountId = secondKey;
  else {
    // `<key>$<value>`, cut after the key we asked for; an empty value is usage without the tag.
    const prefix = `${second.tagKey}$`;
    const value = secondKey.startsWith(prefix) ? secondKey.slice(prefix.length) : secondKey;
    if (value !== '') line.tags = { [second.tagKey]: value };
  }
  return line;
};
