/** The AI gateway: OpenAI-compatible routes, authenticated by group API keys. */
import {
  gatewayRoutes as r,
  type ChatCompletionRequest,
  type MessagesRequest,
} from '../../shared/contracts/gateway';
import { DynamoCircuitStore } from '../../shared/adapters/dynamo/circuit-store';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { routingNotifier } from '../../shared/composition/notifications';
import { DynamoQuotaLeaseStore } from '../../shared/adapters/dynamo/quota-lease-store';
import { tenancyRepositories } from '../../shared/adapters/dynamo/repositories';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { BufferedUsageSink } from '../../shared/adapters/dynamo/usage-sink';
import { CachedCircuitStore } from '../../shared/adapters/cached-circuit-store';
import { providerFor } from '../../shared/adapters/providers/registry';
import { secretStore } from '../../shared/adapters/secrets/secret-store';
import { defaultCircuitSettings } from '../../shared/domain/gateway/circuit';
import { forbidden, notFound } from '../../shared/domain/errors';
import { newId } from '../../shared/domain/ids';
import { systemClock } from '../../shared/ports/clock';
import type { ChatRequest } from '../../shared/ports/model-provider';
import { env, required } from '../../shared/runtime/env';
import { logger } from '../../shared/runtime/logger';
import { EventStreamBody, httpRoute, routeTable, streamingDispatch } from '../../shared/runtime/http';
import {
  defaultGatewaySettings,
  Gateway,
  type GatewayCaller,
  type GatewayStreamEvent,
} from '../../shared/usecases/gateway';
import { QuotaGate } from '../../shared/usecases/quota-gate';

const config = env();
const tableName = required('TABLE_NAME');
const db = buildEntities(dynamoDocumentClient(), tableName);
const repositories = tenancyRepositories(tableName, db);
// Metering is written after the response, in batches; a crash loses at most the queued records.
const usageStore = new DynamoUsageStore(exactNumbersDocumentClient(), tableName);
const metering = new BufferedUsageSink(
  usageStore,
  (err, requestIds) => logger.error('usage records could not be stored', { requestIds, error: err as Error }),
  // Larger batches share more aggregate updates; records wait at most GATEWAY_METERING_DELAY_MS.
  { maxBatch: 60, maxDelayMs: config.GATEWAY_METERING_DELAY_MS },
);
// One instance id per Lambda sandbox (or local process): leases are held per instance.
const quota = new QuotaGate(
  new DynamoQuotaLeaseStore(db, {
    maxLease: config.GATEWAY_MAX_LEASE,
    leaseTtlMs: config.GATEWAY_LEASE_TTL_MS,
  }),
  newId(new Date()),
  systemClock,
);
const gateway = new Gateway({
  ...repositories,
  secrets: secretStore(),
  // Every instance sees another's opened circuit within a second, and its own at once.
  circuits: new CachedCircuitStore(
    new DynamoCircuitStore(db, { ...defaultCircuitSettings, cooldownMs: config.GATEWAY_CIRCUIT_COOLDOWN_MS }),
  ),
  metering,
  usageTotals: usageStore,
  quota,
  providerFor,
  notifier: routingNotifier(),
  clock: systemClock,
  settings: {
    ...defaultGatewaySettings,
    attemptTimeoutMs: config.GATEWAY_ATTEMPT_TIMEOUT_MS,
    cacheTtlMs: config.GATEWAY_CACHE_TTL_MS,
  },
});

const bearer = (headers: Record<string, string | undefined>): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(headers['authorization'] ?? '')?.[1] ?? headers['x-api-key'];

/** Lambda's synchronous invocation payload limit: long prompts must fit, larger bodies cannot arrive anyway. */
const MAX_GATEWAY_BODY_BYTES = 6 * 1024 * 1024;

const options = {
  authenticateGateway: (headers: Record<string, string | undefined>) => gateway.authenticate(bearer(headers)),
  envelope: false,
  errors: 'openai',
  maxBodyBytes: MAX_GATEWAY_BODY_BYTES,
} as const;

const anthropicOptions = { ...options, errors: 'anthropic' } as const;
const seedOptions = {
  authenticateGateway: options.authenticateGateway,
  maxBodyBytes: MAX_GATEWAY_BODY_BYTES,
} as const;

/** One server-sent event. */
const sse = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const openAiUsage = (usage: {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
}) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
});

/**
 * OpenAI's chat.completion.chunk stream: a role chunk, content deltas, a finish chunk, then
 * `[DONE]`. The finish chunk carries the usage; with `stream_options.include_usage` a last chunk
 * with empty `choices` carries it instead, exactly as OpenAI sends it. A provider failure after the
 * first byte arrives as `{"error": ...}`, which the official clients raise.
 */
async function* openAiChunks(
  id: string,
  model: string,
  events: AsyncIterable<GatewayStreamEvent>,
  includeUsage: boolean,
): AsyncGenerator<string> {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], usage: unknown = null) =>
    sse({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, usage });
  yield chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  for await (const event of events) {
    if (event.type === 'delta') {
      yield chunk([{ index: 0, delta: { content: event.text }, logprobs: null, finish_reason: null }]);
    } else if (event.type === 'done') {
      const usage = openAiUsage(event.usage);
      const finish = event.finishReason === 'other' ? 'stop' : event.finishReason;
      yield chunk(
        [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }],
        includeUsage ? null : usage,
      );
      if (includeUsage) yield chunk([], usage);
    } else {
      yield sse({
        error: { message: event.message, type: 'api_error', param: null, code: 'UPSTREAM_ERROR' },
      });
    }
  }
  yield sse('[DONE]');
}

/**
 * The seed's `/api/ai/chat` with `stream: true`: `{type:"delta", content}` events, then one
 * `{type:"done", success:true, data}` carrying the same data as the unstreamed answer (or one
 * `{type:"error", success:false, error}` if the provider breaks mid-answer).
 */
async function* seedEvents(
  account: { id: string; name: string; serviceType: string },
  events: AsyncIterable<GatewayStreamEvent>,
): AsyncGenerator<string> {
  let content = '';
  for await (const event of events) {
    if (event.type === 'delta') {
      content += event.text;
      yield sse({ type: 'delta', content: event.text });
    } else if (event.type === 'done') {
      const { usage } = event;
      yield sse({
        type: 'done',
        success: true,
        data: {
          message: { role: 'assistant', content },
          usage: {
            promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens,
            totalTokens: usage.promptTokens + usage.completionTokens,
          },
          cost: event.cost,
          currency: event.currency,
          accountUsed: account,
        },
      });
    } else {
      yield sse({ type: 'error', success: false, error: { code: 'UPSTREAM_ERROR', message: event.message } });
    }
  }
}

/** Anthropic's Messages stream events; input tokens are known only at the end, so message_delta carries them. */
async function* anthropicEvents(
  id: string,
  model: string,
  events: AsyncIterable<GatewayStreamEvent>,
): AsyncGenerator<string> {
  yield sse(
    {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    },
    'message_start',
  );
  yield sse(
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  );
  yield sse({ type: 'ping' }, 'ping');
  for await (const event of events) {
    if (event.type === 'delta') {
      yield sse(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: event.text } },
        'content_block_delta',
      );
    } else if (event.type === 'done') {
      const { usage } = event;
      yield sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
      yield sse(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReasons[event.finishReason], stop_sequence: null },
          usage: {
            input_tokens: usage.promptTokens - usage.cachedPromptTokens,
            output_tokens: usage.completionTokens,
            cache_read_input_tokens: usage.cachedPromptTokens,
            cache_creation_input_tokens: 0,
          },
        },
        'message_delta',
      );
      yield sse({ type: 'message_stop' }, 'message_stop');
    } else {
      yield sse({ type: 'error', error: { type: 'api_error', message: event.message } }, 'error');
    }
  }
}

const anthropicText = (content: string | { text: string }[]): string =>
  typeof content === 'string' ? content : content.map((part) => part.text).join('');

const fromMessagesRequest = (body: MessagesRequest): ChatRequest => ({
  model: body.model,
  messages: [
    ...(body.system ? [{ role: 'system' as const, content: anthropicText(body.system) }] : []),
    ...body.messages.map((m) => ({ role: m.role, content: anthropicText(m.content) })),
  ],
  maxTokens: body.max_tokens,
  temperature: body.temperature,
  topP: body.top_p,
  stop: body.stop_sequences,
});

const stopReasons = {
  stop: 'end_turn',
  length: 'max_tokens',
  content_filter: 'refusal',
  tool_calls: 'tool_use',
  other: 'end_turn',
} as const;

const toChatRequest = (body: ChatCompletionRequest): ChatRequest => ({
  model: body.model,
  messages: body.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join(''),
  })),
  maxTokens: body.max_completion_tokens ?? body.max_tokens,
  temperature: body.temperature,
  topP: body.top_p,
  stop: typeof body.stop === 'string' ? [body.stop] : body.stop,
  responseFormat: body.response_format,
});

/** Served with Lambda response streaming (a Function URL in AWS), so streamed answers leave as they arrive. */
export const handler = streamingDispatch(
  routeTable([
    [
      r.embeddings,
      httpRoute(r.embeddings, options, async ({ body, caller }) => {
        const input = typeof body.input === 'string' ? [body.input] : body.input;
        const { result, usage } = await gateway.embed(caller as unknown as GatewayCaller, {
          model: body.model,
          input,
        });
        return {
          object: 'list',
          data: result.vectors.map((vector, index) => ({
            object: 'embedding',
            index,
            embedding:
              body.encoding_format === 'base64'
                ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
                : vector,
          })),
          model: body.model,
          usage: { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens },
        };
      }),
    ],
    [
      r.messages,
      httpRoute(r.messages, anthropicOptions, async ({ body, caller }) => {
        if (body.stream) {
          const { requestId, events } = await gateway.chatStream(
            caller as unknown as GatewayCaller,
            fromMessagesRequest(body),
          );
          return new EventStreamBody(anthropicEvents(`msg_${requestId}`, body.model, events));
        }
        const { requestId, result, usage } = await gateway.chat(
          caller as unknown as GatewayCaller,
          fromMessagesRequest(body),
        );
        return {
          id: `msg_${requestId}`,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text: result.content }],
          stop_reason: stopReasons[result.finishReason],
          stop_sequence: null,
          // Anthropic counts cache reads apart from input_tokens.
          usage: {
            input_tokens: usage.promptTokens - usage.cachedPromptTokens,
            output_tokens: usage.completionTokens,
            cache_read_input_tokens: usage.cachedPromptTokens,
            cache_creation_input_tokens: 0,
          },
        };
      }),
    ],
    [
      r.aiChat,
      httpRoute(r.aiChat, seedOptions, async ({ body, caller }) => {
        const gatewayCaller = caller as unknown as GatewayCaller;
        if (body.groupId !== gatewayCaller.group.id) throw forbidden('This key belongs to another group');
        const model =
          body.model ??
          (await gateway.models(gatewayCaller)).find(
            (m) => !body.serviceType || m.ownedBy === body.serviceType,
          )?.id;
        if (!model) throw notFound('Model for serviceType', body.serviceType ?? 'any');
        const request = {
          model,
          messages: body.messages,
          maxTokens: body.maxTokens,
          temperature: body.temperature,
        };
        if (body.stream) {
          const { account, events } = await gateway.chatStream(gatewayCaller, request, body.serviceType);
          return new EventStreamBody(seedEvents(account, events));
        }
        const outcome = await gateway.chat(gatewayCaller, request, body.serviceType);
        const { usage } = outcome;
        return {
          message: { role: 'assistant', content: outcome.result.content },
          usage: {
            promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens,
            totalTokens: usage.promptTokens + usage.completionTokens,
          },
          cost: outcome.cost,
          currency: outcome.currency,
          accountUsed: outcome.account,
        };
      }),
    ],
    [
      r.chatCompletions,
      httpRoute(r.chatCompletions, options, async ({ body, caller }) => {
        if (body.stream) {
          const { requestId, events } = await gateway.chatStream(
            caller as unknown as GatewayCaller,
            toChatRequest(body),
          );
          return new EventStreamBody(
            openAiChunks(
              `chatcmpl-${requestId}`,
              body.model,
              events,
              body.stream_options?.include_usage ?? false,
            ),
          );
        }
        const outcome = await gateway.chat(caller as unknown as GatewayCaller, toChatRequest(body));
        const { result, usage } = outcome;
        return {
          id: `chatcmpl-${outcome.requestId}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: result.content },
              finish_reason: result.finishReason === 'other' ? 'stop' : result.finishReason,
              logprobs: null,
            },
          ],
          usage: openAiUsage(usage),
        };
      }),
    ],
    [
      r.models,
      httpRoute(r.models, options, async ({ caller }) => ({
        object: 'list',
        data: (await gateway.models(caller as unknown as GatewayCaller)).map((m) => ({
          id: m.id,
          object: 'model',
          created: 0,
          owned_by: m.ownedBy,
        })),
      })),
    ],
  ]),
  // In Lambda the instance may be frozen (or discarded) between invocations: once the answer is
  // out, store its usage and spend. A long-running process (the local runtime) batches on timers.
  config.GATEWAY_FLUSH_EACH_RESPONSE ? flushAfterResponse : undefined,
);

async function flushAfterResponse(): Promise<void> {
  await Promise.all([metering.flush(), quota.flush()]);
}

/** Stores queued usage and gives unspent quota back (local runtime stop; SIGTERM in Lambda). */
export async function shutdown(): Promise<void> {
  await metering.flush();
  await quota.release();
}

// Lambda sends SIGTERM before it shuts an instance down only when an extension is registered;
// without one, leases expire and are reclaimed (quota-reclaim job, or a refused request).
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  process.once('SIGTERM', () => void shutdown().finally(() => process.exit(0)));
}
