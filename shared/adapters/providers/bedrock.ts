/**
 * Amazon Bedrock Converse and ConverseStream, through @aws-sdk/client-bedrock-runtime.
 *
 * Wire format followed:
 * - The SDK's own model (client-bedrock-runtime 3.1164 `dist-types/models/models_0.d.ts`,
 *   `enums.d.ts`, `errors.d.ts`, `dist-es/schemas/schemas_0.js`): ConverseRequest `messages[{role,
 *   content:[{text}]}]`, `system:[{text}]`, `inferenceConfig{maxTokens,temperature,topP,stopSequences}`;
 *   ConverseResponse `output.message.content[].text`, `stopReason` (end_turn, tool_use, max_tokens,
 *   stop_sequence, guardrail_intervened, content_filtered, malformed_model_output, malformed_tool_use,
 *   model_context_window_exceeded), `usage{inputTokens,outputTokens,totalTokens,cacheReadInputTokens,
 *   cacheWriteInputTokens}`; ConverseStreamOutput members messageStart, contentBlockStart,
 *   contentBlockDelta, contentBlockStop, messageStop, metadata and the modelled stream exceptions;
 *   error shapes and their HTTP statuses (AccessDenied 403, Validation 400, ServiceQuotaExceeded 400,
 *   ResourceNotFound 404, Throttling 429, ModelNotReady 429, ModelTimeout 408, ModelError 424,
 *   ModelStreamError 424, InternalServer 500, ServiceUnavailable 503).
 * - Bedrock API reference, TokenUsage (docs.aws.amazon.com/bedrock/latest/APIReference/
 *   API_runtime_TokenUsage.html) and the prompt-caching guide (docs.aws.amazon.com/bedrock/latest/
 *   userguide/prompt-caching.html): with caching, `inputTokens` counts only the tokens neither read
 *   from nor written to the cache; total input = inputTokens + cacheReadInputTokens +
 *   cacheWriteInputTokens.
 * Converse has no embeddings operation (Titan/Cohere embeddings go through InvokeModel with
 * model-specific bodies), so embed() is refused.
 */
import type {
  BedrockRuntimeClientConfig,
  ConverseStreamOutput,
  TokenUsage as WireUsage,
} from '@aws-sdk/client-bedrock-runtime';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  ModelProvider,
  ProviderFailure,
  ProviderTarget,
  TokenUsage,
} from '../../ports/model-provider';
import { ProviderError } from '../../ports/model-provider';
import { failureForStatus, redactSecrets, retryAfterSecondsMs } from './http';

const DEFAULT_REGION = 'us-east-1';

/** Speaks Bedrock's Converse API with SigV4 credentials (static ones from the target, else the Lambda role). */
export class BedrockProvider implements ModelProvider {
  private readonly clients = new Map<string, BedrockRuntimeClient>();

  async chat(target: ProviderTarget, request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    try {
      const command = new ConverseCommand({ modelId: request.model, ...toWire(request) });
      const out = await this.client(target).send(command, { abortSignal: signal });
      return {
        // Converse returns no response id; the request id is the closest stable identifier.
        id: out.$metadata.requestId ?? '',
        model: request.model,
        content: (out.output?.message?.content ?? []).map((block) => block.text ?? '').join(''),
        finishReason: finishReason(out.stopReason),
        usage: toUsage(out.usage),
      };
    } catch (err) {
      throw toProviderError(err, signal, target);
    }
  }

  async *chatStream(
    target: ProviderTarget,
    request: ChatRequest,
    signal: AbortSignal,
  ): AsyncIterable<ChatStreamEvent> {
    let id = '';
    let events: AsyncIterable<ConverseStreamOutput>;
    try {
      const command = new ConverseStreamCommand({ modelId: request.model, ...toWire(request) });
      const out = await this.client(target).send(command, { abortSignal: signal });
      if (!out.stream) throw new ProviderError('network', 'Bedrock ConverseStream returned no stream');
      id = out.$metadata.requestId ?? '';
      events = out.stream;
    } catch (err) {
      throw toProviderError(err, signal, target);
    }
    let stopReason: string | undefined;
    let usage: WireUsage | undefined;
    const iterator = events[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<ConverseStreamOutput>;
        try {
          next = await iterator.next();
        } catch (err) {
          throw toProviderError(err, signal, target);
        }
        if (next.done) break;
        const event = next.value;
        const text = event.contentBlockDelta?.delta?.text;
        if (text) yield { type: 'delta', text };
        if (event.messageStop) stopReason = event.messageStop.stopReason;
        if (event.metadata) usage = event.metadata.usage;
      }
    } finally {
      // Closes the HTTP stream when the consumer stops early.
      await iterator.return?.().catch(() => undefined);
    }
    // metadata (usage) follows messageStop; a stream without messageStop was cut off.
    if (stopReason === undefined) {
      throw new ProviderError('network', 'Bedrock stream ended before messageStop');
    }
    yield {
      type: 'done',
      id,
      model: request.model,
      finishReason: finishReason(stopReason),
      usage: toUsage(usage),
    };
  }

  embed(_target: ProviderTarget, _request: EmbeddingRequest, _signal: AbortSignal): Promise<EmbeddingResult> {
    return Promise.reject(
      new ProviderError(
        'bad_request',
        'Bedrock Converse has no embeddings API (embedding models use InvokeModel)',
      ),
    );
  }

  /** One client per (region, endpoint, access key): clients hold connection pools and credential caches. */
  private client(target: ProviderTarget): BedrockRuntimeClient {
    const region = target.options?.region ?? DEFAULT_REGION;
    const accessKeyId = target.options?.accessKeyId;
    const secretAccessKey = target.options?.secretAccessKey;
    const key = `${region}|${target.endpoint ?? ''}|${accessKeyId ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const config: BedrockRuntimeClientConfig = {
        region,
        // The router fails over to another account itself; SDK retries would only add latency.
        maxAttempts: 1,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        ...(accessKeyId && secretAccessKey
          ? {
              credentials: {
                accessKeyId,
                secretAccessKey,
                ...(target.options?.sessionToken ? { sessionToken: target.options.sessionToken } : {}),
              },
            }
          : {}),
      };
      client = new BedrockRuntimeClient(config);
      this.clients.set(key, client);
    }
    return client;
  }
}

function toWire(request: ChatRequest) {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
  const inferenceConfig = {
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.stop?.length ? { stopSequences: request.stop } : {}),
  };
  return {
    messages: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({
        role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
        content: [{ text: m.content }],
      })),
    ...(system.length ? { system } : {}),
    ...(Object.keys(inferenceConfig).length ? { inferenceConfig } : {}),
  };
}

/**
 * Bedrock's inputTokens excludes cache reads and writes, reported beside it; the canonical
 * promptTokens is every input token and cachedPromptTokens the cache reads.
 */
function toUsage(usage: WireUsage | undefined): TokenUsage | null {
  if (!usage || typeof usage.inputTokens !== 'number') return null;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  return {
    promptTokens: usage.inputTokens + cacheRead + (usage.cacheWriteInputTokens ?? 0),
    completionTokens: usage.outputTokens ?? 0,
    cachedPromptTokens: cacheRead,
  };
}

function finishReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'content_filtered':
    case 'guardrail_intervened':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** By exception name first (unmodelled ones such as UnrecognizedClientException included), then status. */
const FAILURE_BY_NAME: Record<string, ProviderFailure> = {
  ThrottlingException: 'rate_limited',
  // "Your request exceeds the service quota for your account ... resubmit later": account-scoped.
  ServiceQuotaExceededException: 'rate_limited',
  ModelNotReadyException: 'server_error',
  InternalServerException: 'server_error',
  ServiceUnavailableException: 'server_error',
  ModelErrorException: 'server_error',
  ModelStreamErrorException: 'server_error',
  ModelTimeoutException: 'timeout',
  AccessDeniedException: 'auth',
  UnrecognizedClientException: 'auth',
  InvalidSignatureException: 'auth',
  ExpiredTokenException: 'auth',
  CredentialsProviderError: 'auth',
  ValidationException: 'bad_request',
  ConflictException: 'bad_request',
  ResourceNotFoundException: 'not_found',
};

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

function toProviderError(err: unknown, signal: AbortSignal, target: ProviderTarget): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted) return new ProviderError('timeout', 'Bedrock request aborted before completion');
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const failure: ProviderFailure | undefined =
    FAILURE_BY_NAME[name] ??
    (status !== undefined && status >= 400 ? failureForStatus(status) : undefined) ??
    (e.$fault === 'server' ? 'server_error' : undefined);
  const message = redactSecrets(`Bedrock ${name}: ${e.message ?? ''}`, [
    target.apiKey,
    target.options?.secretAccessKey,
    target.options?.sessionToken,
  ]);
  if (!failure)
    return new ProviderError('network', `Bedrock connection failed: ${e.code ?? e.message ?? name}`);
  const retryAfter =
    failure === 'rate_limited' ? retryAfterSecondsMs(e.$response?.headers?.['retry-after']) : undefined;
  return new ProviderError(failure, message, status, retryAfter);
}
