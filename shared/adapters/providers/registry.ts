import type { ModelProvider } from '../../ports/model-provider';
import { AnthropicProvider } from './anthropic';
import { BedrockProvider } from './bedrock';
import { GeminiProvider } from './gemini';
import { OpenAiCompatibleProvider } from './openai-compatible';

const openAiCompatible = new OpenAiCompatibleProvider();
const byServiceType: Record<string, ModelProvider> = {
  claude: new AnthropicProvider(),
  gemini: new GeminiProvider(),
  bedrock: new BedrockProvider(),
};

/** The adapter that speaks an account's wire format; every other serviceType speaks OpenAI's. */
export const providerFor = (serviceType: string): ModelProvider =>
  byServiceType[serviceType] ?? openAiCompatible;
