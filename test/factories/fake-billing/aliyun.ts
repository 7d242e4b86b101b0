/**
 * A fake Alibaba Cloud BSS OpenAPI on 127.0.0.1 serving `DescribeInstanceBill` (2017-12-14). It
 * re-computes the ACS3-HMAC-SHA256 (V3) signature of every request from its own copy of the
 * AccessKey secret, per alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature:
 * CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString (names sorted, RFC 3986
 * encoded) \n CanonicalHeaders (signed headers, lowercase name:trimmed value, sorted) \n
 * SignedHeaders \n hex(SHA256(body)); StringToSign = "ACS3-HMAC-SHA256\n" + hex(SHA256(CanonicalRequest));
 * Signature = hex(HMAC-SHA256(secret, StringToSign)). It serves the configured items for the
 * requested BillingDate in NextToken pages, writes amounts as JSON numbers exactly as configured
 * (as the real API does), answers errors in the POP shape `{RequestId, HostId, Code, Message,
 * Recommend}`, and records every request.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { FakeResponse, RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';

export type FakeAliyunMode =
  | 'ok'
  /** 400 Throttling.User, as BSS answers over its 10 requests a second. */
  | 'throttled'
  /** 500 InternalError. */
  | 'server_error'
  /** HTTP 200 with Success=false, as BSS reports some business errors. */
  | 'not_success';

/** One DescribeInstanceBill item; amount fields are decimal strings written as JSON numbers. */
export type FakeAliyunItem = Record<string, string> & { BillingDate: string };

export interface FakeAliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  items?: FakeAliyunItem[];
  /** Items per page at most (the request's MaxResults also caps it); default 2. */
  pageSize?: number;
}

export interface FakeAliyun {
  url: string;
  requests: RecordedRequest[];
  /** The DescribeInstanceBill query parameters of each request, decoded. */
  calls(): Record<string, string>[];
  setItems(items: FakeAliyunItem[]): void;
  setMode(mode: FakeAliyunMode): void;
  /** From this BillingDate on (null: never), answer 500 InternalError: a sync that dies mid-month. */
  failFrom(billingDate: string | null): void;
  close(): Promise<void>;
}

const AMOUNT_FIELDS = new Set([
  'AdjustAmount',
  'AfterDiscountAmount',
  'CashAmount',
  'DeductedByCashCoupons',
  'DeductedByCoupons',
  'DeductedByPrepaidCard',
  'InvoiceDiscount',
  'OutstandingAmount',
  'PaymentAmount',
  'PretaxAmount',
  'PretaxGrossAmount',
]);
const NUMBER_MARK = '\u0000num:';

const send = (res: FakeResponse, status: number, body: unknown) => sendBss(res, status, body, AMOUNT_FIELDS);

export async function startFakeAliyun(options: FakeAliyunOptions): Promise<FakeAliyun> {
  let items = options.items ?? [];
  let mode: FakeAliyunMode = 'ok';
  let failFromDate: string | null = null;
  const pageSize = options.pageSize ?? 2;

  const server = await startRecordingServer((recorded, res) => {
    const requestId = randomUUID().toUpperCase();
    const query = rawQuery(recorded.rawUrl);
    const auth = verifySignature(recorded, query, options);
    if (auth) return sendBssError(res, auth.status, auth.code, auth.message, requestId);
    if (recorded.headers['x-acs-action'] !== 'DescribeInstanceBill') {
      return sendBssError(
        res,
        404,
        'InvalidAction.NotFound',
        'Specified api is not found, please check your url and method.',
        requestId,
      );
    }
    if (recorded.headers['x-acs-version'] !== '2017-12-14') {
      return sendBssError(res, 400, 'InvalidVersion', 'Specified parameter Version is not valid.', requestId);
    }
    if (mode === 'throttled') {
      return sendBssError(
        res,
        400,
        'Throttling.User',
        'Request was denied due to user flow control.',
        requestId,
      );
    }
    const billingDate = query.find(([name]) => name === 'BillingDate')?.[1] ?? null;
    if (
      mode === 'server_error' ||
      (failFromDate !== null && billingDate !== null && billingDate >= failFromDate)
    ) {
      return sendBssError(
        res,
        500,
        'InternalError',
        'The request processing has failed due to some unknown error, exception or failure.',
        requestId,
      );
    }
    if (mode === 'not_success') {
      return send(res, 200, {
        Code: 'InvalidParameter',
        Message: 'The specified parameter BillingCycle is not valid.',
        RequestId: requestId,
        Success: false,
      });
    }

    const params = Object.fromEntries(query);
    if (!params.BillingCycle || params.Granularity !== 'DAILY' || !params.BillingDate) {
      return sendBssError(
        res,
        400,
        'MissingParameter',
        'BillingCycle, Granularity=DAILY and BillingDate are required.',
        requestId,
      );
    }
    const maxResults = Number(params.MaxResults ?? '20');
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 300) {
      return sendBssError(
        res,
        400,
        'InvalidParameter',
        'The specified parameter MaxResults is not valid.',
        requestId,
      );
    }
    const day = items.filter((item) => item.BillingDate === params.BillingDate);
    const offset = params.NextToken ? readToken(params.NextToken, params.BillingDate) : 0;
    if (offset === undefined) {
      return sendBssError(
        res,
        400,
        'InvalidParameter',
        'The specified parameter NextToken is not valid.',
        requestId,
      );
    }
    const size = Math.min(maxResults, pageSize);
    const page = day.slice(offset, offset + size);
    const next = offset + size < day.length ? token(params.BillingDate, offset + size) : '';
    return send(res, 200, {
      Code: 'Success',
      Message: 'Successful!',
      RequestId: requestId,
      Success: true,
      Data: {
        AccountID: '1234567890123456',
        AccountName: 'billing@example.com',
        BillingCycle: params.BillingCycle,
        MaxResults: maxResults,
        NextToken: next,
        TotalCount: day.length,
        Items: page,
      },
    });
  });

  return {
    url: server.url,
    requests: server.requests,
    calls: () => server.requests.map((r) => Object.fromEntries(rawQuery(r.rawUrl))),
    setItems: (next) => {
      items = next;
    },
    failFrom: (date) => {
      failFromDate = date;
    },
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}

export interface AuthFailure {
  status: number;
  code: string;
  message: string;
}

export function verifySignature(
  recorded: RecordedRequest,
  query: [string, string][],
  options: FakeAliyunOptions,
): AuthFailure | undefined {
  const header = String(recorded.headers.authorization ?? '');
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
    header,
  );
  if (!match) {
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'The request signature does not conform to Aliyun standards.',
    };
  }
  const [, accessKeyId, signedHeaderList = '', signature] = match;
  if (accessKeyId !== options.accessKeyId) {
    return {
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
      message: 'Specified access key is not found.',
    };
  }
  const signedHeaders = signedHeaderList.split(';');
  const mustSign = [
    'host',
    'x-acs-action',
    'x-acs-content-sha256',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-version',
  ];
  const unsignedAcs = Object.keys(recorded.headers).filter(
    (name) => name.startsWith('x-acs-') && !signedHeaders.includes(name),
  );
  if (mustSign.some((name) => !signedHeaders.includes(name)) || unsignedAcs.length > 0) {
    return {
      status: 400,
      code: 'IncompleteSignature',
      message: 'The request signature does not conform to Aliyun standards.',
    };
  }
  const payloadHash = sha256Hex(recorded.rawBody);
  if (recorded.headers['x-acs-content-sha256'] !== payloadHash) {
    return {
      status: 400,
      code: 'SignatureDoesNotMatch',
      message: 'The x-acs-content-sha256 header does not match the request body.',
    };
  }
  const canonicalQuery = [...query]
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = [...signedHeaders]
    .sort()
    .map((name) => `${name}:${String(recorded.headers[name] ?? '').trim()}\n`)
    .join('');
  const canonicalRequest = [
    recorded.method,
    recorded.rawUrl.split('?')[0] || '/',
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  const expected = createHmac('sha256', options.accessKeySecret).update(stringToSign).digest('hex');
  if (expected !== signature) {
    return {
      status: 400,
      code: 'SignatureDoesNotMatch',
      message: `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    };
  }
  return undefined;
}

/** The query string's pairs, percent-decoded (the SDK encodes spaces as %20, never `+`). */
export function rawQuery(rawUrl: string): [string, string][] {
  const search = rawUrl.split('?')[1] ?? '';
  if (!search) return [];
  return search.split('&').map((pair) => {
    const [name = '', value = ''] = pair.split('=');
    return [decodeURIComponent(name), decodeURIComponent(value)];
  });
}

/** RFC 3986 percent-encoding, as the V3 signature spec asks. */
const encode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

const token = (day: string, offset: number): string => Buffer.from(`${day}:${offset}`).toString('base64');

function readToken(value: string, day: string): number | undefined {
  const [tokenDay, offset] = Buffer.from(value, 'base64').toString('utf8').split(':');
  return tokenDay === day && offset && /^\d+$/.test(offset) ? Number(offset) : undefined;
}

/** Writes the fields named in `asNumbers` as bare JSON number literals with the configured digits. */
export function sendBss(
  res: FakeResponse,
  status: number,
  body: unknown,
  asNumbers: ReadonlySet<string> = new Set(),
): void {
  const json = JSON.stringify(body, (key, value: unknown) =>
    asNumbers.has(key) && typeof value === 'string' ? `${NUMBER_MARK}${value}` : value,
  ).replace(/"\\u0000num:([^"]*)"/g, '$1');
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(json);
}

/** An error in the POP shape BSS answers with. */
export function sendBssError(
  res: FakeResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
): void {
  sendBss(res, status, {
    RequestId: requestId,
    HostId: 'business.aliyuncs.com',
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${code}&product=BssOpenApi`,
  });
}
