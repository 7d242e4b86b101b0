/**
 * A fake Tencent Cloud Billing API (billing.tencentcloudapi.com, 2018-07-09) on 127.0.0.1 serving
 * `DescribeBillDetail`. It re-computes the TC3-HMAC-SHA256 signature of every request from its own
 * copy of the SecretKey, per the Signature v3 document (tencentcloud.com/document/product/555/30750):
 * CanonicalRequest = METHOD \n "/" \n query \n CanonicalHeaders (signed headers, key and value
 * lowercased and trimmed, sorted) \n SignedHeaders \n hex(SHA256(payload)); StringToSign =
 * "TC3-HMAC-SHA256" \n X-TC-Timestamp \n date/service/tc3_request \n hex(SHA256(CanonicalRequest));
 * key = HMAC(HMAC(HMAC("TC3"+SecretKey, date), service), "tc3_request"). The credential scope must
 * name service `billing` and the UTC date of X-TC-Timestamp, which must be within five minutes.
 * Errors come as the API sends them: HTTP 200 `{Response:{Error:{Code,Message},RequestId}}`. It
 * serves the configured records by Offset/Limit with a Context, and records every request.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { FakeResponse, RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';

export type FakeTencentMode =
  | 'ok'
  /** RequestLimitExceeded (DescribeBillDetail allows 5 requests a second). */
  | 'throttled'
  /** InternalError. */
  | 'internal_error'
  /** A bare HTTP 502 from the gateway, no API envelope. */
  | 'bad_gateway';

export interface FakeTencentOptions {
  secretId: string;
  secretKey: string;
  details?: Record<string, unknown>[];
}

export interface FakeTencent {
  url: string;
  requests: RecordedRequest[];
  setDetails(details: Record<string, unknown>[]): void;
  setMode(mode: FakeTencentMode): void;
  close(): Promise<void>;
}

const SERVICE = 'billing';
const MAX_SKEW_SECONDS = 300;

export async function startFakeTencent(options: FakeTencentOptions): Promise<FakeTencent> {
  let details = options.details ?? [];
  let mode: FakeTencentMode = 'ok';

  const server = await startRecordingServer((recorded, res) => {
    const requestId = randomUUID();
    if (mode === 'bad_gateway') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    const authError = verifySignature(recorded, options);
    if (authError) return sendError(res, authError.code, authError.message, requestId);
    if (recorded.headers['x-tc-action'] !== 'DescribeBillDetail') {
      return sendError(res, 'InvalidAction', 'The requested action does not exist.', requestId);
    }
    if (recorded.headers['x-tc-version'] !== '2018-07-09') {
      return sendError(res, 'NoSuchVersion', 'The requested version does not exist.', requestId);
    }
    if (mode === 'throttled') {
      return sendError(
        res,
        'RequestLimitExceeded',
        'Your current request times equals to `6` in a second, which exceeds the frequency limit `5` for a second. Please reduce the frequency of calls.',
        requestId,
      );
    }
    if (mode === 'internal_error') {
      return sendError(
        res,
        'InternalError',
        'An internal error has occurred. Retry your request, but if the problem persists, contact us.',
        requestId,
      );
    }

    const body = (recorded.body ?? {}) as Record<string, unknown>;
    const { Offset: offset, Limit: limit, Month: month } = body;
    if (typeof offset !== 'number' || typeof limit !== 'number' || limit < 1 || limit > 100) {
      return sendError(res, 'InvalidParameterValue', 'Offset and Limit (1 to 100) are required.', requestId);
    }
    if (typeof month !== 'string' || !/^\d{4}-\d{2}$/.test(month)) {
      return sendError(res, 'InvalidParameterValue', 'Month must be yyyy-mm.', requestId);
    }
    send(res, {
      Response: {
        DetailSet: details.slice(offset, offset + limit),
        Total: details.length,
        Context: `ctx-${offset + limit}`,
        RequestId: requestId,
      },
    });
  });

  return {
    url: server.url,
    requests: server.requests,
    setDetails: (next) => {
      details = next;
    },
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}

export function verifySignature(
  recorded: RecordedRequest,
  options: FakeTencentOptions,
): { code: string; message: string } | undefined {
  const header = String(recorded.headers.authorization ?? '');
  const match =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) {
    return {
      code: 'AuthFailure.InvalidAuthorization',
      message: 'Authorization in the request header is invalid.',
    };
  }
  const [, secretId, date = '', service = '', signedHeaderList = '', signature] = match;
  if (secretId !== options.secretId) {
    return {
      code: 'AuthFailure.SecretIdNotFound',
      message: 'The SecretId is not found, please ensure that your SecretId is correct.',
    };
  }
  const timestamp = Number(recorded.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_SKEW_SECONDS) {
    return {
      code: 'AuthFailure.SignatureExpire',
      message: 'Signature expired. Timestamp and server time cannot differ by more than five minutes.',
    };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (
    service !== SERVICE ||
    date !== new Date(timestamp * 1000).toISOString().slice(0, 10) ||
    !signedHeaders.includes('content-type') ||
    !signedHeaders.includes('host')
  ) {
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated. Please check your signature is correct.',
    };
  }
  const [path = '/', query = ''] = recorded.rawUrl.split('?');
  const canonicalHeaders = [...signedHeaders]
    .sort()
    .map(
      (name) =>
        `${name}:${String(recorded.headers[name] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const canonicalRequest = [
    recorded.method,
    path,
    query,
    canonicalHeaders,
    signedHeaders.join(';'),
    sha256Hex(recorded.rawBody),
  ].join('\n');
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${options.secretKey}`, date);
  const secretSigning = hmac(hmac(secretDate, service), 'tc3_request');
  const expected = createHmac('sha256', secretSigning).update(stringToSign).digest('hex');
  if (expected !== signature) {
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated. Please check your signature is correct.',
    };
  }
  return undefined;
}

const hmac = (key: string | Buffer, message: string): Buffer =>
  createHmac('sha256', key).update(message).digest();
const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

function send(res: FakeResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(res: FakeResponse, code: string, message: string, requestId: string): void {
  send(res, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
}
