import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorEnvelope, successEnvelope } from '../contracts/common';
import type { RouteContract } from '../contracts/route';

type RequestParts = NonNullable<Parameters<OpenAPIRegistry['registerPath']>[0]['request']>;

/** The OpenAPI 3.1 document of the given routes, generated from their zod contracts. */
export const buildOpenApiDocument = (routes: readonly RouteContract[], version: string) => {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A management JWT or a scoped admin API key (tgadm_…)',
  });
  const errorResponse = {
    description: 'Error envelope',
    content: { 'application/json': { schema: ErrorEnvelope } },
  };

  for (const route of routes) {
    const request: RequestParts = {};
    if (route.params) request.params = route.params as RequestParts['params'];
    if (route.query) request.query = route.query as RequestParts['query'];
    if (route.body) request.body = { content: { 'application/json': { schema: route.body as z.ZodType } } };
    const status = route.successStatus ?? 200;
    registry.registerPath({
      operationId: route.id,
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'admin' ? { security: [{ [bearer.name]: [] }] } : {}),
      request,
      responses: {
        [status]: {
          description: route.summary,
          content: { 'application/json': { schema: successEnvelope(route.response) } },
        },
        400: errorResponse,
        ...(route.auth === 'public' ? {} : { 401: errorResponse, 403: errorResponse }),
        404: errorResponse,
        409: errorResponse,
      },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tollgate API',
      version,
      description: 'AI gateway, cloud bills, balances and virtual P&L',
    },
  });
};
