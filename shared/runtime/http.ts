/**
 * The HTTP handler wrapper every route uses: one middy stack (header normalisation, CORS, security
 * headers, body size limit, JSON parsing, the error envelope), zod validation of path, query and
 * body from the route contract, authentication by the route's auth kind, and a response validated
 * (and stripped of undeclared fields) by the contract's response schema.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Caller } from '../domain/access';
import { DomainError } from '../domain/errors';
import { routeKey, type RouteContract } from '../contracts/route';
import { env } from './env';
import { toErrorResponse, zodDetails, type ErrorBody } from './errors';
import { logger } from './logger';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type LambdaHttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/**
 * What a route returns to answer with server-sent events instead of one JSON body. Each chunk is
 * written as it is produced; when the client goes away the iterator is closed (`return()`), so its
 * `finally` blocks run. Only a function served with response streaming can send it.
 */
export class EventStreamBody {
  constructor(readonly chunks: AsyncIterable<string>) {}
}

/** What a route returns to answer with a file (a download) instead of the JSON envelope. */
export class FileBody {
  constructor(
    readonly contentType: string,
    readonly filename: string,
    readonly body: string,
  ) {}
}

/** Resolves the caller of an `admin` route from the request headers, or throws UNAUTHORIZED/FORBIDDEN. */
export type Authenticate = (headers: Record<string, string | undefined>) => Promise<Caller>;

type Infer<T> = NonNullable<T> extends z.ZodType ? z.output<NonNullable<T>> : undefined;

export interface RouteInput<R extends RouteContract> {
  params: Infer<R['params']>;
  query: Infer<R['query']>;
  body: Infer<R['body']>;
  caller: R['auth'] extends 'admin' ? Caller : R['auth'] extends 'gateway' ? unknown : undefined;
  requestId: string;
  headers: Record<string, string | undefined>;
}

export interface RouteOptions {
  /** Admin routes: resolves the management caller. */
  authenticate?: Authenticate;
  /** Gateway routes: resolves the group key's caller (passed to the route as `caller`). */
  authenticateGateway?: (headers: Record<string, string | undefined>) => Promise<unknown>;
  /** false for documents that must be served as they are (the OpenAPI JSON, OpenAI-shaped bodies). */
  envelope?: boolean;
  /** `openai` / `anthropic`: errors in that API's own shape, for its compatible routes. */
  errors?: 'envelope' | 'openai' | 'anthropic';
  /** Overrides MAX_BODY_BYTES, e.g. for the gateway's long prompts. */
  maxBodyBytes?: number;
}

const openAiErrorType = (status: number): string =>
  status === 401
    ? 'authentication_error'
    : status === 403
      ? 'permission_error'
      : status === 404
        ? 'not_found_error'
        : status === 429
          ? 'rate_limit_error'
          : status >= 500
            ? 'api_error'
            : 'invalid_request_error';

/** OpenAI's error object; `code` keeps Tollgate's stable code. */
const asOpenAiError = (status: number, body: ErrorBody) => ({
  error: {
    message: body.error.message,
    type: body.error.code === 'QUOTA_EXCEEDED' ? 'insufficient_quota' : openAiErrorType(status),
    param: null,
    code: body.error.code,
  },
});

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/**
 * A GET answer with an ETag of what it carries (`tagged`: the data, not the per-request meta); 304
 * without a body when the client's If-None-Match holds that tag.
 */
const conditional = (event: HttpEvent, result: HttpResult, tagged: string): HttpResult => {
  const etag = `"${createHash('sha256').update(tagged).digest('base64url').slice(0, 27)}"`;
  const match = (event.headers['if-none-match'] ?? '')
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''));
  if (match.includes(etag) || match.includes('*'))
    return { statusCode: 304, headers: { etag, 'x-request-id': result.headers?.['x-request-id'] ?? '' } };
  return { ...result, headers: { ...result.headers, etag } };
};

const parsePart = <S extends z.ZodType | undefined>(part: string, schema: S, value: unknown): Infer<S> => {
  if (!schema) return undefined as Infer<S>;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DomainError('VALIDATION_ERROR', `Invalid request ${part}`, zodDetails(part, result.error));
  }
  return result.data as Infer<S>;
};

const bodyByteLength = (event: HttpEvent): number =>
  event.body ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : 0;

/** Rejects bodies over the limit (MAX_BODY_BYTES unless the route says otherwise) before anything parses them. */
const bodySizeLimit = (maxBodyBytes?: number): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  before: ({ event }) => {
    const limit = maxBodyBytes ?? env().MAX_BODY_BYTES;
    if (bodyByteLength(event) > limit) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `The request body exceeds ${limit} bytes`);
    }
  },
});

/** Turns any error into the envelope; logs unexpected ones with their stack, expected ones briefly. */
const anthropicErrorType = (status: number): string =>
  status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : openAiErrorType(status);

/** Anthropic's error object (`type: "error"`); Tollgate's stable code rides along as `code`. */
const asAnthropicError = (status: number, body: ErrorBody) => ({
  type: 'error',
  error: { type: anthropicErrorType(status), message: body.error.message, code: body.error.code },
});

const errorBodies = {
  envelope: (_status: number, body: ErrorBody) => body,
  openai: asOpenAiError,
  anthropic: asAnthropicError,
};

const errorEnvelope = (format: RouteOptions['errors']): middy.MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const { status, body, expected } = toErrorResponse(request.error);
    if (expected) logger.info('request rejected', { status, code: body.error.code });
    else logger.error('request failed', request.error as Error);
    // A rate-limited caller learns when to come back (RFC 9110 Retry-After, in seconds).
    const retryAfter = (body.error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    request.response = json(status, errorBodies[format ?? 'envelope'](status, body), {
      'x-request-id': request.event.requestContext?.requestId ?? '',
      ...(status === 429 && retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    });
  },
});

export const httpRoute = <R extends RouteContract>(
  route: R,
  options: RouteOptions,
  impl: (input: RouteInput<R>) => Promise<unknown>,
): LambdaHttpHandler => {
  const handler = async (event: HttpEvent): Promise<HttpResult> => {
    const requestId = event.requestContext.requestId;
    // Keys of the previous invocation must not leak into this one.
    logger.resetKeys();
    logger.appendKeys({ requestId, route: routeKey(route) });
    const headers = event.headers as Record<string, string | undefined>;
    // Bodies are never logged (they carry provider keys); headers pass the logger's redaction.
    logger.debug('request', { headers, query: event.queryStringParameters });
    let caller: unknown;
    if (route.auth === 'admin') {
      if (!options.authenticate) throw new Error(`Route ${route.id} needs an authenticator`);
      const admin = await options.authenticate(headers);
      logger.appendKeys({ caller: admin.subject });
      caller = admin;
    } else if (route.auth === 'gateway') {
      if (!options.authenticateGateway) throw new Error(`Route ${route.id} needs a gateway authenticator`);
      caller = await options.authenticateGateway(headers);
    }
    const input = {
      params: parsePart('path', route.params, event.pathParameters ?? {}),
      query: parsePart('query', route.query, event.queryStringParameters ?? {}),
      body: parsePart('body', route.body, event.body),
      caller,
      requestId,
      headers,
    } as RouteInput<R>;
    const result = await impl(input);
    if (result instanceof EventStreamBody) {
      // Middy's streaming mode pipes a Readable body after the status and headers.
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-request-id': requestId,
        },
        body: Readable.from(result.chunks, { objectMode: false }) as unknown as string,
      };
    }
    if (result instanceof FileBody) {
      const file = {
        statusCode: 200,
        headers: {
          'content-type': result.contentType,
          'content-disposition': `attachment; filename="${result.filename}"`,
          'x-request-id': requestId,
        },
        body: result.body,
      };
      return conditional(event, file, result.body);
    }
    if (options.envelope === false) return json(200, result);
    const status = route.successStatus ?? 200;
    if (status === 204) return { statusCode: 204, headers: { 'x-request-id': requestId } };
    const data = route.response.parse(result);
    const response = json(
      status,
      { success: true, data, meta: { requestId } },
      { 'x-request-id': requestId },
    );
    return route.method === 'GET' ? conditional(event, response, JSON.stringify(data)) : response;
  };

  const stack = middy<HttpEvent, HttpResult>()
    .use(httpHeaderNormalizer())
    .use(
      httpCors({
        origin: env().CORS_ORIGIN,
        headers: 'authorization,content-type,x-api-key',
        methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
        exposeHeaders: 'x-request-id,etag',
      }),
    )
    .use(httpSecurityHeaders())
    .use(errorEnvelope(options.errors))
    .use(bodySizeLimit(options.maxBodyBytes));
  // GET/DELETE routes have no body schema: a stray body is ignored, not parsed.
  if (route.body) stack.use(httpJsonBodyParser({ disableContentTypeError: false }));
  return stack.handler(handler) as unknown as LambdaHttpHandler;
};

/**
 * A function's entry point for many routes: dispatches on API Gateway's `routeKey`
 * (`METHOD /path/{param}`), which both API Gateway and the local runtime set. A Function URL sends
 * `$default` instead, so its (static) paths are matched as `METHOD /raw/path`.
 */
export const dispatch =
  (routes: Record<string, LambdaHttpHandler>): LambdaHttpHandler =>
  async (event, context) => {
    const route = routes[event.routeKey] ?? routes[`${event.requestContext.http.method} ${event.rawPath}`];
    if (route) return route(event, context);
    return json(404, {
      success: false,
      error: {
        code: 'NOT_FOUND',
        message: `No route for ${event.requestContext.http.method} ${event.rawPath}`,
      },
    });
  };

/**
 * The same behind Lambda response streaming (`awslambda.streamifyResponse`): results are written to
 * the response stream as status and headers (the HTTP integration prelude) and then the body, which
 * an {@link EventStreamBody} delivers chunk by chunk. `afterResponse` runs once the body is out.
 */
export const streamingDispatch = (
  routes: Record<string, LambdaHttpHandler>,
  afterResponse?: () => Promise<void>,
): unknown =>
  middy<HttpEvent, HttpResult>({
    executionMode: executionModeStreamifyResponse,
    ...(afterResponse && { requestEnd: afterResponse }),
  }).handler(dispatch(routes));

/** Builds the dispatch table from contracts and their implementations, keyed by route key. */
export const routeTable = (
  entries: readonly (readonly [RouteContract, LambdaHttpHandler])[],
): Record<string, LambdaHttpHandler> =>
  Object.fromEntries(entries.map(([route, handler]) => [routeKey(route), handler]));
