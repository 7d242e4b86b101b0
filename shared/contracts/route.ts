import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `public`: anyone (health, OpenAPI document);
 * - `admin`: a management JWT or a scoped admin API key (`tgadm_…`);
 * - `gateway`: a group API key (`tg_…`), used by the AI gateway.
 */
export type AuthKind = 'public' | 'admin' | 'gateway';

/**
 * One HTTP route: the single source of its method, path, auth and request/response schemas.
 * The manifest mounts it (API Gateway and the local server), the handler validates with it and
 * the OpenAPI document is generated from it.
 */
export interface RouteContract<
  TParams extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TBody extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/api/groups/{groupId}`. */
  readonly path: string;
  readonly auth: AuthKind;
  readonly summary: string;
  readonly tag: string;
  readonly params?: TParams;
  readonly query?: TQuery;
  readonly body?: TBody;
  readonly response: TResponse;
  readonly successStatus?: 200 | 201 | 202 | 204;
}

export const defineRoute = <
  TParams extends z.ZodType,
  TQuery extends z.ZodType,
  TBody extends z.ZodType,
  TResponse extends z.ZodType,
>(
  route: RouteContract<TParams, TQuery, TBody, TResponse>,
) => route;

/** `GET /api/groups/{groupId}`: the key API Gateway HTTP APIs put in `event.routeKey`. */
export const routeKey = (route: Pick<RouteContract, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
