/**
 * A fake Alibaba Cloud BSS OpenAPI on 127.0.0.1 serving `QueryAccountBalance` (2017-12-14,
 * alibabacloud.com/help/en/user-center/developer-reference/api-bssopenapi-2017-12-14-queryaccountbalance).
 * It verifies every request's ACS3-HMAC-SHA256 signature with the bill fake's verifier
 * (test/factories/fake-billing/aliyun.ts), answers `{RequestId, Success, Code:"200", Message,
 * Data:{AvailableAmount, AvailableCashAmount, CreditAmount, MybankCreditAmount, Currency}}` with the
 * configured amount strings (or raw JSON text, see setData), errors in the POP shape `{RequestId,
 * HostId, Code, Message, Recommend}`, and records every request.
 */
import { randomUUID } from 'node:crypto';
import type { RecordedRequest } from '../fake-upstream';
import { startRecordingServer } from '../fake-upstream';
import { rawQuery, sendBss, sendBssError, verifySignature } from '../fake-billing/aliyun';

export type FakeAliyunBalanceMode =
  | 'ok'
  /** 400 NotAuthorized: "This API is not authorized for caller." */
  | 'not_authorized'
  /** 400 Throttling.User, BSS's flow control answer. */
  | 'throttled'
  /** 500 InternalError. */
  | 'server_error'
  /** HTTP 200 with Success=false. */
  | 'not_success'
  | 'hang'
  /** 200 with Data in an undocumented shape. */
  | 'malformed';

export interface FakeAliyunBalanceOptions {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface FakeAliyunBalance {
  url: string;
  requests: RecordedRequest[];
  /**
   * The Data object; values are sent as JSON strings, those named in `asNumbers` as bare number
   * literals with the given digits.
   */
  setData(data: Record<string, string>, asNumbers?: string[]): void;
  setMode(mode: FakeAliyunBalanceMode): void;
  close(): Promise<void>;
}

export const DEFAULT_ALIYUN_DATA = {
  AvailableAmount: '10000.00',
  AvailableCashAmount: '9000.00',
  CreditAmount: '1000.00',
  MybankCreditAmount: '0.00',
  Currency: 'CNY',
};

export async function startFakeAliyunBalance(options: FakeAliyunBalanceOptions): Promise<FakeAliyunBalance> {
  let data: Record<string, string> = DEFAULT_ALIYUN_DATA;
  let numberFields = new Set<string>();
  let mode: FakeAliyunBalanceMode = 'ok';

  const server = await startRecordingServer((recorded, res) => {
    if (mode === 'hang') return;
    const requestId = randomUUID().toUpperCase();
    const auth = verifySignature(recorded, rawQuery(recorded.rawUrl), options);
    if (auth) return sendBssError(res, auth.status, auth.code, auth.message, requestId);
    if (recorded.headers['x-acs-action'] !== 'QueryAccountBalance') {
      return sendBssError(res, 404, 'InvalidAction.NotFound', 'Specified api is not found.', requestId);
    }
    if (recorded.headers['x-acs-version'] !== '2017-12-14') {
      return sendBssError(res, 400, 'InvalidVersion', 'Specified parameter Version is not valid.', requestId);
    }
    if (mode === 'not_authorized') {
      return sendBssError(res, 400, 'NotAuthorized', 'This API is not authorized for caller.', requestId);
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
    if (mode === 'server_error') {
      return sendBssError(
        res,
        500,
        'InternalError',
        'The request processing has failed due to some unknown error.',
        requestId,
      );
    }
    if (mode === 'not_success') {
      return sendBss(res, 200, {
        Code: 'NotApplicable',
        Message: 'This API is not applicable for caller.',
        RequestId: requestId,
        Success: false,
      });
    }
    sendBss(
      res,
      200,
      {
        Code: '200',
        Message: 'success',
        RequestId: requestId,
        Success: true,
        Data: mode === 'malformed' ? { Balance: 'lots' } : data,
      },
      numberFields,
    );
  });

  return {
    url: server.url,
    requests: server.requests,
    setData: (next, asNumbers = []) => {
      data = next;
      numberFields = new Set(asNumbers);
    },
    setMode: (next) => {
      mode = next;
    },
    close: () => server.close(),
  };
}
