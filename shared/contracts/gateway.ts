/**
 * The OpenAI-compatible surface of the gateway: request schemas accept what OpenAI's SDKs send
 * (unknown fields are ignored, as OpenAI-compatible servers do, so new SDK fields never break
 * callers) and errors use OpenAI's own error object.
 */
import * as z from 'zod';
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
  /**
   * Structured output, passed to OpenAI-compatible upstreams as sent; other providers have no
   * equivalent and answer as usual (callers validate what comes back).
   */
  response_format: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({
          name: z.string().min(1).max(64),
          description: z.string().max(2000).optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        }),
      }),
    ])
    .optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const EmbeddingsRequest = z.object({
  model: z.string().min(1).max(200),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2048)]),
  /** The official SDKs ask for base64 (little-endian float32) by default. */
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().max(256).optional(),
});
export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequest>;

/** OpenAI's error object; `code` carries Tollgate's stable error code. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string };
}

const AnthropicText = z.object({ type: z.literal('text'), text: z.string() });

/** Anthropic's Messages request (text content); unknown fields are ignored like Anthropic-compatible servers do. */
export const MessagesRequest = z.object({
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().positive().max(1_000_000),
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(AnthropicText)]),
      }),
    )
    .min(1)
    .max(1000),
  system: z.union([z.string(), z.array(AnthropicText)]).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).max(16).optional(),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

/** The seed's own chat call: `POST /api/ai/chat`. */
export const AiChatRequest = z.strictObject({
  groupId: z.string().min(1).max(64),
  messages: z
    .array(z.strictObject({ role: z.enum(['user', 'assistant', 'system']), content: z.string() }))
    .min(1)
    .max(1000),
  serviceType: z.string().max(40).optional(),
  model: z.string().min(1).max(200).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  stream: z.boolean().optional(),
});

export const AiChatResponse = z.object({
  message: z.object({ role: z.literal('assistant'), content: z.string() }),
  usage: z.object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    totalTokens: z.number().int(),
  }),
  /** Exact decimal string (money is never a float), in `currency`. */
  cost: z.string(),
  currency: z.string(),
  accountUsed: z.object({ id: z.string(), name: z.string(), serviceType: z.string() }),
});

/** Every gateway route, served by the router function. */
export const gatewayRoutes = {
  embeddings: defineRoute({
    id: 'embeddings',
    method: 'POST',
    path: '/v1/embeddings',
    auth: 'gateway',
    tag: 'gateway',
    summary: 'OpenAI-compatible embeddings, routed by the group binding',
    body: EmbeddingsRequest,
    response: z.record(z.string(), z.unknown()),
  }),
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
  messages: defineRoute({
    id: 'messages',
    method: 'POST',
    path: '/v1/messages',
    auth: 'gateway',
    tag: 'gateway',
    summary: 'Anthropic-compatible Messages call, routed by the group binding',
    body: MessagesRequest,
    response: z.record(z.string(), z.unknown()),
  }),
  aiChat: defineRoute({
    id: 'aiChat',
    method: 'POST',
    path: '/api/ai/chat',
    auth: 'gateway',
    tag: 'gateway',
    summary: 'The seed\u2019s chat call: routed like the others, answered in the Tollgate envelope',
    body: AiChatRequest,
    response: AiChatResponse,
  }),
} as const;
