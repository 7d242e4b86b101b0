/**
 * Every channel type's sender, and the one check a channel's settings and secret pass before they
 * are saved. Both use the senders' own schemas, so what is accepted on save is what sends.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { DomainError } from '../../domain/errors';
import type { ChannelType } from '../../domain/notifications/types';
import { CHANNEL_TYPES } from '../../domain/notifications/types';
import type { ChannelSender } from '../../ports/notifications';
import { DingTalkSender, dingtalkSchemas } from './dingtalk';
import { SesEmailSender, emailSchemas } from './email';
import { FeishuSender, feishuSchemas } from './feishu';
import { SlackSender, slackSchemas } from './slack';
import type { ChannelConfigSchemas, UrlPolicy } from './webhook';
import { WebhookSender, configProblems, webhookSchemas } from './webhook';
import { WeComSender, wecomSchemas } from './wecom';

export type { UrlPolicy } from './webhook';

/**
 * The senders, one per channel type. `policy.allowLoopbackHttp` lets webhooks reach
 * http://127.0.0.1 (local runs, tests); deployed stacks leave it off.
 */
export function channelSenders(
  ses: { client: SESv2Client; from: string },
  policy: UrlPolicy = {},
): Record<ChannelType, ChannelSender> {
  return {
    feishu: new FeishuSender(policy),
    dingtalk: new DingTalkSender(policy),
    wecom: new WeComSender(policy),
    slack: new SlackSender(policy),
    webhook: new WebhookSender(policy),
    email: new SesEmailSender(ses),
  };
}

const SCHEMAS: Record<ChannelType, (policy: UrlPolicy) => ChannelConfigSchemas> = {
  feishu: feishuSchemas,
  dingtalk: dingtalkSchemas,
  wecom: wecomSchemas,
  slack: slackSchemas,
  webhook: webhookSchemas,
  email: emailSchemas,
};

const isChannelType = (type: string): type is ChannelType =>
  (CHANNEL_TYPES as readonly string[]).includes(type);

/**
 * Checks a channel's settings and secret for its type and returns them normalised (trimmed).
 * Throws VALIDATION_ERROR with `details.problems`, each naming a field and a rule, never a value.
 */
export function validateChannelConfig(
  type: string,
  settings: unknown,
  secret: unknown,
  policy: UrlPolicy = {},
): { type: ChannelType; settings: Record<string, string>; secret: Record<string, string> } {
  if (!isChannelType(type)) {
    const problems = [`type must be one of ${CHANNEL_TYPES.join(', ')}`];
    throw new DomainError('VALIDATION_ERROR', 'Unknown notification channel type', { problems });
  }
  const schemas = SCHEMAS[type](policy);
  const parsedSettings = schemas.settings.safeParse(settings);
  const parsedSecret = schemas.secret.safeParse(secret);
  const problems = [
    ...(parsedSettings.success ? [] : configProblems('settings', parsedSettings.error)),
    ...(parsedSecret.success ? [] : configProblems('secret', parsedSecret.error)),
  ];
  if (!parsedSettings.success || !parsedSecret.success) {
    throw new DomainError('VALIDATION_ERROR', `Invalid ${type} channel: ${problems.join(', ')}`, {
      problems,
    });
  }
  return { type, settings: defined(parsedSettings.data), secret: defined(parsedSecret.data) };
}

/** Drops the optional fields that were left out. */
const defined = (record: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
