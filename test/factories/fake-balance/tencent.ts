/**
 * A fake Tencent Cloud Billing API (billing.tencentcloudapi.com, 2018-07-09) on 127.0.0.1 serving
 * `DescribeAccountBalance` (cloud.tencent.com/document/api/555/20253). It verifies every request's
 * TC3-HMAC-SHA256 signature with the bill fake's verifier (test/factories/fake-billing/tencent.ts),
 * answers `{Response:{Balance, Uin, RealBalance, CashAccountBalance, …, RequestId}}` with the
 * configured amounts written as bare JSON number literals in cents, errors as the API sends them
 * (HTTP 200 `{Response:{Error:{Code, Message}, RequestId}}`), and records every request.
 */
import { randomUUID } from 'node:crypto';
import type { FakeResponse, RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';
import { verifySignature } from '../fake-billing/tencent';

export type FakeTencentBalanceMode =
  | 'ok'
  /** AuthFailure.UnauthorizedOperation: the CAM user may not read the balance. */
  | 'unauthorized'
  /** RequestLimitExceeded (20 requests a second). */
  | 'throttled'
  | 'internal_error'
  /** A bare HTTP 502 from the gateway, no API envelope. */
  | 'bad_gateway'
  | 'hang'
  /** 200 whose Response carries neither RealBalance nor Balance. */
  | 'malformed';

export interface FakeTencentBalanceOptions {
  secretId: string;
  secretKey: string;
}

export interface FakeTencentBalance {
  url: string;
  requests: RecordedRequest[];
  /** Response fields in cents; each value is written as a bare JSON number literal. */
  setAmounts(amounts: Record<string, string>): void;
  setMode(mode: FakeTencentBalanceMode): void;
  close(): Promise<void>;
}

export const DEFAULT_TENCENT_AMOUNTS = {
  Balance: '9647442',
  RealBalance: '9647442',
  CashAccountBalance: '1299806668',
  IncomeIntoAccountBalance: '0',
  PresentAccountBalance: '209512',
  FreezeAmount: '1290368738',
  OweAmount: '0',
  CreditAmount: '0',
  CreditBalance: '0',
  RealCreditBalance: '0',
};

export async function startFakeTencentBalance(
  options: FakeTencentBalanceOptions,
): Promise<FakeTencentBalance> {
  let amounts: Record<string, string> = DEFAULT_TENCENT_AMOUNTS;
  let mode: FakeTencentBalanceMode = 'ok';

  const server = await startRecordingServer((recorded, res) => {
    if (mode === 'hang') return;
    if (mode === 'bad_gateway') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    const requestId = randomUUID();
    const authError = verifySignature(recorded, options);
    if (authError) return sendError(res, authError.code, authError.message, requestId);
    if (recorded.headers['x-tc-action'] !== 'DescribeAccountBalance') {
      return sendError(res, 'InvalidAction', 'The requested action does not exist.', requestId);
    }
    if (recorded.headers['x-tc-version'] !== '2018-07-09') {
      return sendError(res, 'NoSuchVersion', 'The requested version does not exist.', requestId);
    }
    if (mode === 'unauthorized') {
      return sendError(res, 'AuthFailure.UnauthorizedOperation', 'The request is not authorized.', requestId);
    }
    if (mode === 'throttled') {
      return sendError(
        res,
        'RequestLimitExceeded',
        'Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.',
        requestId,
      );
    }
    if (mode === 'internal_error') {
      return sendError(res, 'InternalError', 'An internal error has occurred.', requestId);
    }
    const fields = mode === 'malformed' ? { Uin: '100000000001' } : { Uin: '100000000001', ...amounts };
    const numbers = Object.entries(fields).map(([name, literal]) => `"${name}":${literal}`);
    const json = `{"Response":{${[...numbers, '"IsAllowArrears":false', '"IsCreditLimited":false', `"RequestId":"${requestId}"`].join(',')}}}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(json);
  });

  return {
    url: server.url,
    requests: server.requests,
    setAmounts: (next) => {
      amounts = next;
    },
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}

function sendError(res: FakeResponse, code: string, message: string, requestId: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: requestId } }));
}
