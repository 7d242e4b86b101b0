/**
 * Tencent Cloud bills: Billing API (2018-07-09) `DescribeBillDetail`, called through the official
 * `CommonClient` of tencentcloud-sdk-nodejs-common 4.1.220, signed TC3-HMAC-SHA256.
 *
 * Wire format followed:
 * - DescribeBillDetail reference (tencentcloud.com/document/api/555/30756) and the SDK model
 *   (TencentCloud/tencentcloud-sdk-nodejs src/services/billing/v20180709/billing_models.ts):
 *   Offset (Offset=100 is the second page of Limit=100), Limit at most 100, Month `yyyy-mm` (or
 *   BeginTime+EndTime, same month only, still answering the whole month), PeriodType
 *   byUsedTime / byPayTime (must match the account's bill statistics setting), Context (the previous
 *   answer's Context, speeds up paging for months ≥ 2023-05). Response `Response{DetailSet[], Total,
 *   Context, RequestId}`; Total is cached for 24 hours and "may be less than the actual total", so
 *   paging stops on a short page instead. BillDetail: BusinessCodeName, ProductCodeName, RegionName,
 *   ResourceId, BillId (settlement id), FeeBeginTime/FeeEndTime, PayTime, OwnerUin, PayerUin,
 *   Tags[{TagKey,TagValue}], ComponentSet[BillDetailComponent{ComponentCode(Name), ItemCode(Name),
 *   Cost (list price total), RealCost (total after discounts), CashPayAmount, VoucherPayAmount, …}].
 *   All amounts are decimal strings; they stay strings here.
 * - Signature v3 (tencentcloud.com/document/product/555/30750) as implemented by the SDK
 *   (node_modules/tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js, http/http_connection.js):
 *   POST JSON body, canonical headers `content-type;host`, credential scope `date/service/tc3_request`
 *   where the SDK takes `service` from the endpoint's first label and the canonical host from the
 *   endpoint hostname. Pointing the endpoint at 127.0.0.1 would therefore sign service "127"; a
 *   test instead keeps the real endpoint and hands the client an http.Agent that dials its fake
 *   (`connectTo`), so the wire format is exactly the production one.
 * - Errors (the common error codes every Tencent Cloud API lists, e.g.
 *   tencentcloud.com/document/api/1131/45350): the API answers HTTP 200 with
 *   `Response.Error{Code,Message}` and RequestId (AuthFailure.SignatureFailure,
 *   AuthFailure.SecretIdNotFound, RequestLimitExceeded, InternalError, …); the SDK throws them with
 *   `code` and `requestId`, and a non-200 status with `httpCode`. The SDK parses the body with
 *   JSON.parse: safe here because every amount is a JSON string; the schema below refuses numbers.
 * - Currency: the bill carries none. We assume CNY for the China site and USD for the international
 *   one (billing.intl.tencentcloudapi.com); the account's `currency` setting overrides that.
 */
import { Agent } from 'node:http';
import type { ClientRequestArgs } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { z } from 'zod';
import type { RawBillLine, RawBillPage } from '../../domain/bills/types';
import type { BillFetchRequest, BillSource } from '../../ports/billing';
import { parseOrThrow } from './validation';

const ACTION = 'DescribeBillDetail';
const LIMIT = 100;

const required = () => z.string({ error: 'missing' }).trim().min(1, { error: 'missing' });

const credentialsSchema = z.object({ secretId: required(), secretKey: required() });
const settingsSchema = z.object({
  endpoint: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i)
    .default('billing.tencentcloudapi.com'),
  periodType: z.enum(['byUsedTime', 'byPayTime']).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);
const optionalText = z.string().nullish();

const componentSchema = z
  .object({
    ComponentCode: optionalText,
    ComponentCodeName: optionalText,
    ItemCode: optionalText,
    ItemCodeName: optionalText,
    RealCost: decimalString,
  })
  .loose();

const detailSchema = z
  .object({
    BillId: optionalText,
    BusinessCode: optionalText,
    BusinessCodeName: z.string(),
    RegionName: optionalText,
    ResourceId: optionalText,
    FeeBeginTime: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
    OwnerUin: optionalText,
    Tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string().nullish() })).nullish(),
    ComponentSet: z.array(z.unknown()).nullish(),
  })
  .loose();
type Detail = z.infer<typeof detailSchema>;

const responseSchema = z.object({
  DetailSet: z.array(z.unknown()).nullish(),
  Context: z.string().nullish(),
  RequestId: optionalText,
});

export interface TencentBillSourceOptions {
  /**
   * `http://host:port` to dial instead of the endpoint host, keeping the endpoint as the signed
   * Host (tests point it at a fake on 127.0.0.1).
   */
  connectTo?: string;
}

export class TencentBillSource implements BillSource {
  private readonly agent?: Agent;

  constructor(options: TencentBillSourceOptions = {}) {
    if (options.connectTo) {
      const target = new URL(options.connectTo);
      if (target.protocol !== 'http:') throw new Error('tencent connectTo: only http:// is supported');
      this.agent = new FixedAddressAgent(target.hostname, Number(target.port || 80));
    }
  }

  async *fetchPages(request: BillFetchRequest): AsyncIterable<RawBillPage> {
    const credentials = parseOrThrow(credentialsSchema, request.credentials, 'tencent credentials');
    const settings = parseOrThrow(settingsSchema, request.settings, 'tencent settings');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(request.periodMonth)) {
      throw new Error(`tencent: periodMonth "${request.periodMonth}" is not YYYY-MM`);
    }
    const client = new CommonClient(settings.endpoint, '2018-07-09', {
      credential: { secretId: credentials.secretId, secretKey: credentials.secretKey },
      profile: {
        signMethod: 'TC3-HMAC-SHA256',
        httpProfile: {
          endpoint: settings.endpoint,
          protocol: this.agent ? 'http://' : 'https://',
          reqMethod: 'POST',
          reqTimeout: 60,
          ...(this.agent ? { agent: this.agent } : {}),
        },
      },
    });
    const currency = settings.currency ?? (settings.endpoint.includes('.intl.') ? 'USD' : 'CNY');
    // A key seen twice gets an ordinal, so distinct components never overwrite each other.
    const seen = new Map<string, number>();
    let offset = 0;
    let context: string | undefined;
    for (;;) {
      request.signal?.throwIfAborted();
      const response = await describeBillDetail(
        client,
        {
          Offset: offset,
          Limit: LIMIT,
          Month: request.periodMonth,
          ...(settings.periodType ? { PeriodType: settings.periodType } : {}),
          ...(context ? { Context: context } : {}),
        },
        request.signal,
      );
      const details = response.DetailSet ?? [];
      const lines = details.flatMap((raw, index) =>
        toLines(parseDetail(raw, offset + index), raw, currency, seen),
      );
      if (lines.length > 0) yield { lines };
      if (details.length < LIMIT) return;
      offset += LIMIT;
      context = response.Context ?? undefined;
    }
  }
}

async function describeBillDetail(
  client: CommonClient,
  params: Record<string, string | number>,
  signal: AbortSignal | undefined,
): Promise<z.infer<typeof responseSchema>> {
  let data: unknown;
  try {
    data = await client.request(ACTION, params, signal ? { signal } : {});
  } catch (err) {
    throw toProviderError(err);
  }
  const response = responseSchema.safeParse(data);
  if (!response.success) throw new Error(`tencent ${ACTION}: unexpected response shape`);
  return response.data;
}

function toProviderError(err: unknown): Error {
  const e = err as { message?: unknown; code?: unknown; requestId?: unknown; httpCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : e.httpCode ? `HTTP ${String(e.httpCode)}` : 'error';
  const requestId = typeof e.requestId === 'string' && e.requestId ? e.requestId : 'none';
  return new Error(
    `tencent ${ACTION} failed: ${code} (request id ${requestId}): ${String(e.message ?? err)}`,
  );
}

function parseDetail(raw: unknown, position: number): Detail {
  const detail = detailSchema.safeParse(raw);
  if (!detail.success) {
    const fields = detail.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`tencent ${ACTION}: record ${position} has invalid ${fields}`);
  }
  return detail.data;
}

/** One line per component: RealCost is the component's amount after discounts, as billed. */
function toLines(detail: Detail, raw: unknown, currency: string, seen: Map<string, number>): RawBillLine[] {
  const tags: Record<string, string> = {};
  for (const tag of detail.Tags ?? []) tags[tag.TagKey] = tag.TagValue ?? '';
  return (detail.ComponentSet ?? []).map((rawComponent, index) => {
    const component = componentSchema.safeParse(rawComponent);
    if (!component.success) {
      throw new Error(
        `tencent ${ACTION}: bill ${detail.BillId ?? '?'} component ${index} has an invalid RealCost`,
      );
    }
    const c = component.data;
    const key = [
      detail.BillId,
      detail.ResourceId,
      detail.FeeBeginTime,
      c.ComponentCode ?? c.ComponentCodeName,
      c.ItemCode ?? c.ItemCodeName,
    ]
      .map((part) => part ?? '')
      .join('|');
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return {
      sourceKey: count === 1 ? key : `${key}#${count}`,
      // The provider's own day (Beijing time on the China site), as its bill attributes it.
      billingDate: detail.FeeBeginTime.slice(0, 10),
      originalServiceName: detail.BusinessCodeName,
      region: detail.RegionName || undefined,
      resourceId: detail.ResourceId || undefined,
      usageAccountId: detail.OwnerUin || undefined,
      currency,
      amount: c.RealCost,
      tags,
      rawPayload: { ...(raw as Record<string, unknown>), ComponentSet: [rawComponent] },
    };
  });
}

/** Dials one fixed address whatever host the request names; the Host header stays as signed. */
export class FixedAddressAgent extends Agent {
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    super({ keepAlive: false });
  }

  override createConnection(_options: ClientRequestArgs): Duplex {
    return connect(this.port, this.host);
  }
}
