import * as z from 'zod';
import { defineRoute } from './route';

export const Health = z.object({ status: z.literal('ok'), version: z.string(), time: z.string() });

export const systemRoutes = {
  health: defineRoute({
    id: 'health',
    method: 'GET',
    path: '/health',
    auth: 'public',
    tag: 'system',
    summary: 'Liveness',
    response: Health,
  }),
  openapi: defineRoute({
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    auth: 'public',
    tag: 'system',
    summary: 'This API as an OpenAPI 3.1 document',
    response: z.record(z.string(), z.unknown()),
  }),
} as const;
