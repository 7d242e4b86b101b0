/**
 * Alibaba Cloud bills: BSS OpenAPI (2017-12-14) `DescribeInstanceBill`, called through the official
 * SDK (@alicloud/bssopenapi20171214 4.1.1 on @alicloud/openapi-core 1.0.8).
 *
 * Wire format followed:
 * - DescribeInstanceBill reference (alibabacloud.com/help/en/boa/latest/api-bssopenapi-2017-12-14-describeinstancebill;
 *   help.aliyun.com/document_detail/209402.html) and the SDK models
 *   (node_modules/@alicloud/bssopenapi20171214/src/models/DescribeInstanceBill{Request,ResponseBody}.ts):
 *   BillingCycle `YYYY-MM` (required); Granularity=DAILY needs BillingDate `YYYY-MM-DD`;
 *   IsBillingItem=true gives one row per billable item; MaxResults default 20, at most 300; NextToken
 *   paging ("if this parameter is left empty, all the results are returned"). Response
 *   `{RequestId, Success, Code, Message, Data:{NextToken, Items:[…]}}`; an item has BillingDate,
 *   ProductCode, ProductName, CommodityCode, Region (a display name such as "China (Hangzhou)"),
 *   InstanceID, BillingItemCode, Item (SubscriptionOrder / PayAsYouGoBill / Refund / Adjustment),
 *   SubscriptionType, OwnerID, BillAccountID, Currency, PretaxAmount, PaymentAmount and
 *   Tag (`key:k value:v; key:k2 value:v2`).
 * - Amounts are JSON numbers on the wire (typed `number` in the SDK model), so the SDK's own
 *   `bodyType: 'json'` parse would turn them into floats. We call the same operation with
 *   `bodyType: 'string'` (openapi-core `callApi`) and parse the text with lossless-json, every number
 *   handed over as its literal text.
 * - Client (node_modules/@alicloud/openapi-core/dist/client.js): `new Client(Config{accessKeyId,
 *   accessKeySecret, endpoint: host[:port], protocol})`; with no signatureAlgorithm configured,
 *   `callApi` → `doRequest` signs with ACS3-HMAC-SHA256 (V3 signature,
 *   alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature). HTTP ≥ 400
 *   answers throw AlibabaCloudError (ClientError / ServerError / ThrottlingError) carrying `code`,
 *   `statusCode` and `requestId`; no retry unless retryOptions is set (the sync job retries).
 * - Endpoints: business.aliyuncs.com (China site), business.ap-southeast-1.aliyuncs.com (international).
 */
import { AlibabaCloudError } from '@alicloud/openapi-core';
import { parse } from 'lossless-json';
import { z } from 'zod';
import type { RawBillLine, RawBillPage } from '../../domain/bills/types';
import type { BillFetchRequest, BillSource } from '../../ports/billing';
import { bssClient, callBssRaw, type BssClient } from '../aliyun-bss';
import { parseOrThrow } from './validation';

const ACTION = 'DescribeInstanceBill';
const MAX_RESULTS = 300;
const DEFAULT_ENDPOINT = 'https://business.aliyuncs.com';

const required = () => z.string({ error: 'missing' }).trim().min(1, { error: 'missing' });

const credentialsSchema = z.object({ accessKeyId: required(), accessKeySecret: required() });
const settingsSchema = z.object({
  /** `https://host`, `http://host:port` or a bare host (HTTPS). */
  endpoint: z.string().trim().min(1).default(DEFAULT_ENDPOINT),
});

/** Plain decimal literal or JSON exponent form; both are read exactly below. */
const NUMBER_LITERAL = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const amountSchema = z.string().regex(NUMBER_LITERAL);
const optionalText = z.string().optional();

const itemSchema = z
  .object({
    BillingDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    ProductCode: z.string(),
    ProductName: optionalText,
    CommodityCode: optionalText,
    Region: optionalText,
    InstanceID: optionalText,
    BillingItemCode: optionalText,
    Item: optionalText,
    SubscriptionType: optionalText,
    OwnerID: optionalText,
    BillAccountID: optionalText,
    Currency: z.string().regex(/^[A-Z]{3}$/),
    PretaxAmount: amountSchema,
    Tag: optionalText,
  })
  .loose();
type Item = z.infer<typeof itemSchema>;

const bodySchema = z.object({
  RequestId: optionalText,
  Success: z.boolean().optional(),
  Code: optionalText,
  Message: optionalText,
  Data: z.object({ NextToken: z.string().nullish(), Items: z.array(z.unknown()).nullish() }).nullish(),
});

export class AliyunBillSource implements BillSource {
  async *fetchPages(request: BillFetchRequest): AsyncIterable<RawBillPage> {
    const credentials = parseOrThrow(credentialsSchema, request.credentials, 'aliyun credentials');
    const settings = parseOrThrow(settingsSchema, request.settings, 'aliyun settings');
    const client = bssClient(credentials, settings.endpoint, 60_000);

    for (const billingDate of daysToFetch(request.periodMonth)) {
      // A key seen twice in one day gets an ordinal, so distinct rows never overwrite each other.
      const seen = new Map<string, number>();
      let nextToken: string | undefined;
      do {
        request.signal?.throwIfAborted();
        const body = await describeInstanceBill(client, {
          BillingCycle: request.periodMonth,
          Granularity: 'DAILY',
          BillingDate: billingDate,
          IsBillingItem: 'true',
          MaxResults: String(MAX_RESULTS),
          ...(nextToken ? { NextToken: nextToken } : {}),
        });
        const lines = (body.Data?.Items ?? []).map((raw, index) =>
          toLine(parseItem(raw, billingDate, index), raw, seen),
        );
        if (lines.length > 0) yield { lines };
        nextToken = body.Data?.NextToken || undefined;
      } while (nextToken);
    }
  }
}

async function describeInstanceBill(
  client: BssClient,
  query: Record<string, string>,
): Promise<z.infer<typeof bodySchema>> {
  let text: string;
  try {
    text = await callBssRaw(client, ACTION, query);
  } catch (err) {
    throw toProviderError(err);
  }
  let parsed: unknown;
  try {
    parsed = parse(text, null, (literal) => literal);
  } catch {
    throw new Error(`aliyun ${ACTION}: response is not JSON`);
  }
  const body = bodySchema.safeParse(parsed);
  if (!body.success) throw new Error(`aliyun ${ACTION}: unexpected response shape`);
  // BSS answers some business errors with HTTP 200 and Success=false.
  if (body.data.Success === false) {
    throw new Error(
      `aliyun ${ACTION} failed: ${body.data.Code ?? 'unknown'} (request id ${body.data.RequestId ?? 'none'}): ${body.data.Message ?? ''}`,
    );
  }
  return body.data;
}

function toProviderError(err: unknown): Error {
  if (err instanceof AlibabaCloudError) {
    const status = err.statusCode ? `HTTP ${err.statusCode}, ` : '';
    return new Error(
      `aliyun ${ACTION} failed: ${err.code} (${status}request id ${err.requestId ?? 'none'}): ${err.message}`,
    );
  }
  return new Error(`aliyun ${ACTION} failed: ${err instanceof Error ? err.message : String(err)}`);
}

function parseItem(raw: unknown, billingDate: string, index: number): Item {
  const item = itemSchema.safeParse(raw);
  if (!item.success) {
    const fields = item.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`aliyun ${ACTION}: item ${index} of ${billingDate} has invalid ${fields}`);
  }
  return item.data;
}

function toLine(item: Item, raw: unknown, seen: Map<string, number>): RawBillLine {
  const key = [
    item.BillingDate,
    item.OwnerID,
    item.ProductCode,
    item.CommodityCode,
    item.InstanceID,
    item.BillingItemCode,
    item.Item,
    item.SubscriptionType,
  ]
    .map((part) => part ?? '')
    .join('|');
  const count = (seen.get(key) ?? 0) + 1;
  seen.set(key, count);
  return {
    sourceKey: count === 1 ? key : `${key}#${count}`,
    billingDate: item.BillingDate,
    originalServiceName: item.ProductName || item.ProductCode,
    region: item.Region || undefined,
    resourceId: item.InstanceID || undefined,
    usageAccountId: item.OwnerID || item.BillAccountID || undefined,
    currency: item.Currency,
    amount: plainDecimal(item.PretaxAmount),
    tags: parseTags(item.Tag),
    rawPayload: raw,
  };
}

/** `key:env value:prod; key:team value:ml` → `{env:'prod', team:'ml'}`. */
function parseTags(tag: string | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of (tag ?? '').split(';')) {
    const match = /^\s*key:(.*?) value:(.*?)\s*$/.exec(pair);
    if (match?.[1]) tags[match[1]] = match[2] ?? '';
  }
  return tags;
}

/** Every day of the month up to today (UTC): later days have no bill yet. */
function daysToFetch(periodMonth: string): string[] {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(periodMonth)) {
    throw new Error(`aliyun: periodMonth "${periodMonth}" is not YYYY-MM`);
  }
  const [year, month] = periodMonth.split('-').map(Number) as [number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const today = new Date().toISOString().slice(0, 10);
  const days: string[] = [];
  for (let day = 1; day <= daysInMonth; day++) {
    const date = `${periodMonth}-${String(day).padStart(2, '0')}`;
    if (date > today) break;
    days.push(date);
  }
  return days;
}

/** Rewrites an exponent literal (`1.5E-4`) as a plain decimal string, digit for digit. */
function plainDecimal(literal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!match?.[4]) return literal;
  const [, sign, whole = '', fraction = '', exponent] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const padded =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  const trimmed = padded.replace(/^0+(?=\d)/, '');
  return `${sign}${trimmed}`;
}
