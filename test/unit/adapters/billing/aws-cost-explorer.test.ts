/** AwsCostExplorerBillSource against a mocked CostExplorerClient: exact requests, paging, mapping. */
import type { GetCostAndUsageCommandOutput, Group, ResultByTime } from '@aws-sdk/client-cost-explorer';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  LimitExceededException,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCostExplorerBillSource } from '../../../../shared/adapters/billing/aws-cost-explorer';
import type { RawBillPage } from '../../../../shared/domain/bills/types';
import type { BillFetchRequest } from '../../../../shared/ports/billing';

const client = new CostExplorerClient({ region: 'us-east-1' });
const ce = mockClient(client);
// A fixed "today" in November 2026, so past and current months are both testable.
const NOW = new Date('2026-11-24T22:00:00Z');
const source = new AwsCostExplorerBillSource(client, () => NOW);

const request = (over: Partial<BillFetchRequest> = {}): BillFetchRequest => ({
  provider: 'aws',
  accountId: '111122223333',
  periodMonth: '2026-10',
  credentials: {},
  settings: {},
  ...over,
});

const group = (keys: string[], unblended: string, amortized = unblended): Group => ({
  Keys: keys,
  Metrics: {
    UnblendedCost: { Amount: unblended, Unit: 'USD' },
    AmortizedCost: { Amount: amortized, Unit: 'USD' },
  },
});

const day = (start: string, end: string, groups: Group[], estimated = false): ResultByTime => ({
  TimePeriod: { Start: start, End: end },
  Total: {},
  Groups: groups,
  Estimated: estimated,
});

const response = (results: ResultByTime[], next?: string): GetCostAndUsageCommandOutput => ({
  $metadata: {},
  ResultsByTime: results,
  ...(next ? { NextPageToken: next } : {}),
});

const collect = async (req: BillFetchRequest): Promise<RawBillPage[]> => {
  const pages: RawBillPage[] = [];
  for await (const page of source.fetchPages(req)) pages.push(page);
  return pages;
};

const inputs = () => ce.commandCalls(GetCostAndUsageCommand).map((call) => call.args[0].input);

beforeEach(() => ce.reset());

describe('AwsCostExplorerBillSource', () => {
  it('asks for the whole past month, daily, both metrics, by SERVICE and REGION', async () => {
    ce.on(GetCostAndUsageCommand).resolves(response([]));
    expect(await collect(request())).toEqual([{ lines: [] }]);
    expect(inputs()).toEqual([
      {
        TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost', 'AmortizedCost'],
        GroupBy: [
          { Type: 'DIMENSION', Key: 'SERVICE' },
          { Type: 'DIMENSION', Key: 'REGION' },
        ],
      },
    ]);
  });

  it('ends the current month at tomorrow (End is exclusive) and December at January 1st', async () => {
    ce.on(GetCostAndUsageCommand).resolves(response([]));
    await collect(request({ periodMonth: '2026-11' }));
    await collect(request({ periodMonth: '2025-12' }));
    expect(inputs().map((input) => input.TimePeriod)).toEqual([
      { Start: '2026-11-01', End: '2026-11-25' },
      { Start: '2025-12-01', End: '2026-01-01' },
    ]);
  });

  it('makes no call for a month that has not begun and refuses a malformed period', async () => {
    expect(await collect(request({ periodMonth: '2026-12' }))).toEqual([]);
    expect(inputs()).toEqual([]);
    await expect(collect(request({ periodMonth: '2026-13' }))).rejects.toThrow(/not YYYY-MM/);
  });

  it('follows NextPageToken over three pages, one RawBillPage each', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce(
        response([day('2026-10-01', '2026-10-02', [group(['AWS Lambda', 'us-east-1'], '1.5')])], 'token-2'),
      )
      .resolvesOnce(
        response([day('2026-10-02', '2026-10-03', [group(['AWS Lambda', 'us-east-1'], '2.5')])], 'token-3'),
      )
      .resolvesOnce(response([day('2026-10-03', '2026-10-04', [group(['AWS Lambda', 'us-east-1'], '3.5')])]));

    const pages = await collect(request());
    expect(pages.map((page) => page.lines.map((line) => line.amount))).toEqual([['1.5'], ['2.5'], ['3.5']]);
    const base = inputs()[0];
    expect(inputs()).toEqual([
      base,
      { ...base, NextPageToken: 'token-2' },
      { ...base, NextPageToken: 'token-3' },
    ]);
    expect(base).not.toHaveProperty('NextPageToken');
  });

  it('maps a REGION group to a line with exact amounts, currency and the Estimated flag', async () => {
    const ec2 = group(
      ['Amazon Elastic Compute Cloud - Compute', 'eu-west-1'],
      '12.3456789012345678',
      '10.0000000001',
    );
    ce.on(GetCostAndUsageCommand).resolves(response([day('2026-10-07', '2026-10-08', [ec2], true)]));

    const [page] = await collect(request());
    expect(page?.lines).toEqual([
      {
        sourceKey: '2026-10-07|Amazon Elastic Compute Cloud - Compute|REGION|eu-west-1',
        billingDate: '2026-10-07',
        originalServiceName: 'Amazon Elastic Compute Cloud - Compute',
        region: 'eu-west-1',
        currency: 'USD',
        amount: '12.3456789012345678',
        amortizedAmount: '10.0000000001',
        tags: {},
        rawPayload: { ...ec2, Estimated: true },
      },
    ]);
  });

  it('keeps zero and tiny negative amounts as sent', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      response([
        day('2026-10-01', '2026-10-02', [
          group(['Amazon Simple Storage Service', 'us-east-1'], '0'),
          group(['Tax', 'NoRegion'], '-0.0000000289'),
        ]),
      ]),
    );
    const [page] = await collect(request());
    expect(page?.lines.map((line) => [line.amount, line.region])).toEqual([
      ['0', 'us-east-1'],
      ['-0.0000000289', 'NoRegion'],
    ]);
  });

  it('groups by LINKED_ACCOUNT into usageAccountId', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      response([day('2026-10-01', '2026-10-02', [group(['AWS Lambda', '444455556666'], '4.2')])]),
    );
    const [page] = await collect(request({ settings: { groupBy: 'LINKED_ACCOUNT' } }));
    expect(inputs()[0]?.GroupBy).toEqual([
      { Type: 'DIMENSION', Key: 'SERVICE' },
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
    ]);
    expect(page?.lines[0]).toMatchObject({
      sourceKey: '2026-10-01|AWS Lambda|LINKED_ACCOUNT|444455556666',
      usageAccountId: '444455556666',
      tags: {},
    });
    expect(page?.lines[0]).not.toHaveProperty('region');
  });

  it('groups by a cost allocation tag and parses `key$value` keys, empty value = untagged', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      response([
        day('2026-10-01', '2026-10-02', [
          group(['Amazon Bedrock', 'cost-center$ml:research/2026'], '7.01'),
          group(['Amazon Bedrock', 'cost-center$'], '0.99'),
          group(['Amazon Bedrock', 'cost-center$a$b|c'], '0.01'),
        ]),
      ]),
    );
    const [page] = await collect(request({ settings: { groupBy: 'TAG:cost-center' } }));
    expect(inputs()[0]?.GroupBy).toEqual([
      { Type: 'DIMENSION', Key: 'SERVICE' },
      { Type: 'TAG', Key: 'cost-center' },
    ]);
    expect(page?.lines.map((line) => [line.sourceKey, line.tags])).toEqual([
      [
        '2026-10-01|Amazon Bedrock|TAG:cost-center|cost-center$ml:research/2026',
        { 'cost-center': 'ml:research/2026' },
      ],
      ['2026-10-01|Amazon Bedrock|TAG:cost-center|cost-center$', {}],
      ['2026-10-01|Amazon Bedrock|TAG:cost-center|cost-center$a$b|c', { 'cost-center': 'a$b|c' }],
    ]);
  });

  it('filters to settings.linkedAccount and attributes the lines to it', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      response([day('2026-10-01', '2026-10-02', [group(['AWS Lambda', 'us-east-1'], '1')])]),
    );
    const [page] = await collect(request({ settings: { linkedAccount: '444455556666' } }));
    expect(inputs()[0]).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'AmortizedCost'],
      GroupBy: [
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'REGION' },
      ],
      Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['444455556666'] } },
    });
    expect(page?.lines[0]?.usageAccountId).toBe('444455556666');
  });

  it('refuses an unknown groupBy before calling AWS', async () => {
    await expect(collect(request({ settings: { groupBy: 'AZ' } }))).rejects.toThrow(/not REGION/);
    await expect(collect(request({ settings: { groupBy: 'TAG:' } }))).rejects.toThrow(/not REGION/);
    expect(inputs()).toEqual([]);
  });

  it('propagates API errors, also after a first page', async () => {
    const throttled = new LimitExceededException({ message: 'Rate exceeded', $metadata: {} });
    ce.on(GetCostAndUsageCommand).rejects(throttled);
    await expect(collect(request())).rejects.toBe(throttled);

    ce.reset();
    ce.on(GetCostAndUsageCommand).resolvesOnce(response([], 'token-2')).rejectsOnce(throttled);
    const pages: RawBillPage[] = [];
    await expect(
      (async () => {
        for await (const page of source.fetchPages(request())) pages.push(page);
      })(),
    ).rejects.toBe(throttled);
    expect(pages).toEqual([{ lines: [] }]);
  });

  it('fails loudly on a group without UnblendedCost', async () => {
    ce.on(GetCostAndUsageCommand).resolves(
      response([day('2026-10-01', '2026-10-02', [{ Keys: ['AWS Lambda', 'us-east-1'], Metrics: {} }])]),
    );
    await expect(collect(request())).rejects.toThrow(/lacks keys or UnblendedCost/);
  });
});
