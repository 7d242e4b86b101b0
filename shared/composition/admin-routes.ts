/**
 * What every admin API function shares: callers authenticated by JWT (Cognito, or the local signing
 * key) or by a scoped admin API key, and one way to turn a route contract and a use case into a
 * routed, validated handler answering in the envelope.
 */
import { tenancyRepositories } from '../adapters/dynamo/repositories';
import type { RouteContract } from '../contracts/route';
import { systemClock } from '../ports/clock';
import { createAuthenticator, jwtSettingsFromEnv } from '../runtime/auth';
import { env, required } from '../runtime/env';
import { httpRoute, type RouteInput } from '../runtime/http';
import type { RequestContext } from '../usecases/tenancy';

/** Route factory of one admin function (build once per module). */
export const adminRoutes = (options: { maxBodyBytes?: number } = {}) => {
  const { apiKeys } = tenancyRepositories(required('TABLE_NAME'));
  const authenticate = createAuthenticator({
    jwt: jwtSettingsFromEnv(env()),
    findApiKeyByHash: (hash) => apiKeys.getByHash(hash),
    touchApiKey: (hash, at) => apiKeys.touchLastUsed(hash, at),
    now: () => systemClock.now(),
  });
  return <R extends RouteContract>(
    contract: R,
    impl: (ctx: RequestContext, input: RouteInput<R>) => Promise<unknown>,
    routeOptions: { maxBodyBytes?: number } = {},
  ) =>
    [
      contract,
      httpRoute(contract, { authenticate, ...options, ...routeOptions }, (input) =>
        impl({ caller: input.caller as RequestContext['caller'], requestId: input.requestId }, input),
      ),
    ] as const;
};
