/** Assertions the balance adapter tests share. */
import { expect } from 'vitest';
import { BalanceFetchError } from '../../../shared/ports/balance';

/** The BalanceFetchError `promise` rejects with (fails the test if it resolves or throws anything else). */
export async function balanceFailure(promise: Promise<unknown>): Promise<BalanceFetchError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BalanceFetchError);
  return error as BalanceFetchError;
}

/** Neither the message, the stack, the options nor a cause quotes any of `secrets`. */
export function expectNoSecrets(error: Error, secrets: readonly string[]): void {
  const text = [
    error.message,
    error.stack,
    JSON.stringify((error as { options?: unknown }).options ?? {}),
    String(error.cause ?? ''),
    JSON.stringify((error as { details?: unknown }).details ?? {}),
  ].join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** An AbortSignal that fires after `ms`, as the poller's per-call timeout does. */
export const abortAfter = (ms: number): AbortSignal => AbortSignal.timeout(ms);
