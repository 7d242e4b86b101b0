/**
 * The failure contract every plain-HTTP balance adapter keeps, as one suite each adapter's test file
 * runs against its fake: 401/403 → auth, 429 → rate_limited with Retry-After, 500 and a refused
 * connection → upstream, a 200 in another shape or not JSON → invalid_response, an abort → timeout,
 * and no credential in any error.
 */
import { describe, expect, it } from 'vitest';
import type { BalanceFetchRequest, BalanceSource } from '../../../shared/ports/balance';
import { startRecordingServer } from '../fake-upstream';
import { abortAfter, balanceFailure, expectNoSecrets } from './expect';
import type { FakeBalanceApi } from './http-api';
import { RETRY_AFTER_SECONDS } from './http-api';

export interface HttpFailureSuite {
  source: BalanceSource;
  fake: () => FakeBalanceApi;
  request: (over?: Partial<BalanceFetchRequest>) => BalanceFetchRequest;
  /** Settings aimed at another base URL; default: the `endpoint` setting. */
  pointAt?: (settings: Record<string, string>, url: string) => Record<string, string>;
  /** Credentials whose values are refused by the fake. */
  wrongCredentials: Record<string, string>;
  /** Every credential value the errors must not quote. */
  secrets: readonly string[];
}

export function describeHttpFailures(suite: HttpFailureSuite): void {
  const { source } = suite;
  const pointAt = suite.pointAt ?? ((settings, url) => ({ ...settings, endpoint: url }));
  const fetchBalance = (over?: Partial<BalanceFetchRequest>) => source.fetchBalance(suite.request(over));

  describe('failures', () => {
    it('maps a refused key (401) to auth, quoting no credential', async () => {
      const error = await balanceFailure(fetchBalance({ credentials: suite.wrongCredentials }));
      expect(error).toMatchObject({ kind: 'auth', options: { status: 401 } });
      expect(error.retryable).toBe(false);
      expectNoSecrets(error, [...suite.secrets, ...Object.values(suite.wrongCredentials)]);
    });

    it('maps 403 to auth', async () => {
      suite.fake().setMode('forbidden');
      expect(await balanceFailure(fetchBalance())).toMatchObject({ kind: 'auth', options: { status: 403 } });
    });

    it('maps 429 to rate_limited with Retry-After in milliseconds', async () => {
      suite.fake().setMode('rate_limited');
      const error = await balanceFailure(fetchBalance());
      expect(error).toMatchObject({
        kind: 'rate_limited',
        options: { status: 429, retryAfterMs: RETRY_AFTER_SECONDS * 1000 },
      });
      expect(error.retryable).toBe(true);
    });

    it('maps 500 to upstream', async () => {
      suite.fake().setMode('server_error');
      const error = await balanceFailure(fetchBalance());
      expect(error).toMatchObject({ kind: 'upstream', options: { status: 500 } });
      expectNoSecrets(error, suite.secrets);
    });

    it('maps a refused connection to upstream', async () => {
      const gone = await startRecordingServer(() => undefined);
      await gone.close();
      const request = suite.request();
      const error = await balanceFailure(
        source.fetchBalance({ ...request, settings: pointAt(request.settings, gone.url) }),
      );
      expect(error.kind).toBe('upstream');
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('maps a 200 in another shape, or not JSON, to invalid_response', async () => {
      suite.fake().setMode('malformed');
      expect((await balanceFailure(fetchBalance())).kind).toBe('invalid_response');
      suite.fake().setMode('ok');
      suite.fake().setBody('<html>maintenance</html>');
      expect((await balanceFailure(fetchBalance())).kind).toBe('invalid_response');
    });

    it('maps an abort (the per-call timeout) to timeout', async () => {
      suite.fake().setMode('hang');
      const started = Date.now();
      const error = await balanceFailure(fetchBalance({ signal: abortAfter(100) }));
      expect(error.kind).toBe('timeout');
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('refuses credentials that lost a key before calling', async () => {
      const error = await balanceFailure(fetchBalance({ credentials: {} }));
      expect(error.kind).toBe('auth');
      expect(error.message).toMatch(/credentials: \w+ missing/);
      expect(suite.fake().requests).toHaveLength(0);
    });
  });
}
