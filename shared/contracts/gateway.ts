/**
 * The OpenAI-compatible surface of the gateway: request schemas accept what OpenAI's SDKs send
 * (unknown fields are ignored, as OpenAI-compatible servers do, so new SDK fields never break
 * callers) and errors use OpenAI's own error object.
 */
import { z } from 'zod';
import { defineRoute } from './route';

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

export const ChatCompletionRequest = z.object({
  model: z.string().min(1).max(200),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant']),
        content: z.union([z.string(), z.array(TextPart)]),
      }),
    )
    .min(1)
    .max(1000),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
  max_completion_tokens: z.number().int().positive().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  user: z.string().max(256).optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** OpenAI's error object; `code` carries Tollgate's stable error code. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string };
}

export const gatewayRoutes = {
  chatCompletions: defineRoute({
    id: 'chatCompletions',
    method: 'POST',
    path: '/v1/chat/completions',
    auth: 'gateway',
    tag: 'gateway',
    summary: 'OpenAI-compatible chat completion, routed by the group binding',
    body: ChatCompletionRequest,
    response: z.record(z.string(), z.unknown()),
  }),
  models: defineRoute({
    id: 'models',
    method: 'GET',
    path: '/v1/models',
    auth: 'gateway',
    tag: 'gateway',
    summary: 'The models the caller\u2019s group can reach',
    response: z.record(z.string(), z.unknown()),
  }),
} as const;
