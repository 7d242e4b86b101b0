/**
 * Every balance provider's source, and the check its configuration passes when a source is
 * created, so a bad configuration is a 400 then rather than a failed poll later. Problems name
 * fields and rules, never values (credentials are secrets).
 */
import { z } from 'zod';
import type { BalanceProvider } from '../../domain/balance/types';
import { BALANCE_PROVIDERS } from '../../domain/balance/types';
import { DomainError } from '../../domain/errors';
import type { BalanceSource } from '../../ports/balance';
import { describeIssues } from '../billing/validation';
import { AliyunBalanceSource, aliyunConfig } from './aliyun';
import { DeepSeekBalanceSource, deepseekConfig } from './deepseek';
import { HttpJsonBalanceSource, httpJsonConfig } from './http-json';
import { MoonshotBalanceSource, moonshotConfig } from './moonshot';
import { OpenRouterBalanceSource, openRouterConfig } from './openrouter';
import { SiliconFlowBalanceSource, siliconFlowConfig } from './siliconflow';
import type { BalanceConfigSchemas } from './support';
import { TencentBalanceSource, tencentConfig } from './tencent';

const configs: Record<BalanceProvider, BalanceConfigSchemas> = {
  openrouter: openRouterConfig,
  deepseek: deepseekConfig,
  moonshot: moonshotConfig,
  siliconflow: siliconFlowConfig,
  aliyun: aliyunConfig,
  tencent: tencentConfig,
  'http-json': httpJsonConfig,
};

export function balanceSources(): Record<BalanceProvider, BalanceSource> {
  return {
    openrouter: new OpenRouterBalanceSource(),
    deepseek: new DeepSeekBalanceSource(),
    moonshot: new MoonshotBalanceSource(),
    siliconflow: new SiliconFlowBalanceSource(),
    aliyun: new AliyunBalanceSource(),
    tencent: new TencentBalanceSource(),
    'http-json': new HttpJsonBalanceSource(),
  };
}

const isBalanceProvider = (value: string): value is BalanceProvider =>
  (BALANCE_PROVIDERS as readonly string[]).includes(value);

/**
 * Throws DomainError VALIDATION_ERROR with `details.problems` (e.g. `credentials.apiKey missing`,
 * `settings.balancePath is not an RFC 9535 JSONPath expression`) unless `settings` and
 * `credentials` are what `provider`'s source needs.
 */
export function validateBalanceConfig(provider: string, settings: unknown, credentials: unknown): void {
  if (!isBalanceProvider(provider)) {
    throw new DomainError('VALIDATION_ERROR', 'Unknown balance provider', { problems: ['provider unknown'] });
  }
  const schemas = configs[provider];
  const result = z
    .object({ settings: schemas.settings, credentials: schemas.credentials })
    .safeParse({ settings: settings ?? {}, credentials: credentials ?? {} });
  if (result.success) return;
  const problems = describeIssues(result.error.issues);
  throw new DomainError(
    'VALIDATION_ERROR',
    `Invalid ${provider} balance source configuration: ${problems.join(', ')}`,
    { problems },
  );
}
