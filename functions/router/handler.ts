/** The AI gateway: OpenAI-compatible routes, authenticated by group API keys. */
import { gatewayRoutes as r, type ChatCompletionRequest } from '../../shared/contracts/gateway';
import { DynamoCircuitStore } from '../../shared/adapters/dynamo/circuit-store';
import { dynamoDocumentClient, exactNumbersDocumentClient } from '../../shared/adapters/dynamo/client';
import { buildEntities } from '../../shared/adapters/dynamo/entities';
import { DynamoQuotaLeaseStore } from '../../shared/adapters/dynamo/quota-lease-store';
import { tenancyRepositories } from '../../shared/adapters/dynamo/repositories';
import { DynamoUsageStore } from '../../shared/adapters/dynamo/usage-store';
import { providerFor } from '../../shared/adapters/providers/registry';
import { secretStore } from '../../shared/adapters/secrets/secret-store';
import { defaultCircuitSettings } from '../../shared/domain/gateway/circuit';
import { invalid } from '../../shared/domain/errors';
import { newId } from '../../shared/domain/ids';
import { systemClock } from '../../shared/ports/clock';
import type { ChatRequest } from '../../shared/ports/model-provider';
import { env, required } from '../../shared/runtime/env';
import { dispatch, httpRoute, routeTable } from '../../shared/runtime/http';
import { defaultGatewaySettings, Gateway, type GatewayCaller } from '../../shared/usecases/gateway';
import { QuotaGate } from '../../shared/usecases/quota-gate';

const config = env();
const tableName = required('TABLE_NAME');
const db = buildEntities(dynamoDocumentClient(), tableName);
const repositories = tenancyRepositories(tableName);
const gateway = new Gateway({
  ...repositories,
  secrets: secretStore(
    config.SECRET_STORE === 'secrets-manager'
      ? { kind: 'secrets-manager', prefix: config.SECRET_PREFIX }
      : { kind: 'local-file', dir: config.LOCAL_SECRETS_DIR },
  ),
  circuits: new DynamoCircuitStore(db, defaultCircuitSettings),
  usage: new DynamoUsageStore(exactNumbersDocumentClient(), tableName),
  // One instance id per Lambda sandbox (or local process): leases are held per instance.
  quota: new QuotaGate(
    new DynamoQuotaLeaseStore(db, { maxLease: 50_000, leaseTtlMs: 120_000 }),
    newId(new Date()),
    systemClock,
  ),
  providerFor,
  clock: systemClock,
  settings: defaultGatewaySettings,
});

const bearer = (headers: Record<string, string | undefined>): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(headers['authorization'] ?? '')?.[1] ?? headers['x-api-key'];

const options = {
  authenticateGateway: (headers: Record<string, string | undefined>) => gateway.authenticate(bearer(headers)),
  envelope: false,
  errors: 'openai',
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
});

export const handler = dispatch(
  routeTable([
    [
      r.chatCompletions,
      httpRoute(r.chatCompletions, options, async ({ body, caller }) => {
        if (body.stream)
          throw invalid('stream: true is not served by this gateway yet; send the request without it');
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
          usage: {
            prompt_tokens: usage.promptTokens,
            completion_tokens: usage.completionTokens,
            total_tokens: usage.promptTokens + usage.completionTokens,
            prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens },
          },
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
);
