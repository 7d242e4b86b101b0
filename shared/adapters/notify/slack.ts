/**
 * Slack incoming webhook: Block Kit blocks plus a plain `text` fallback (used by notifications
 * and clients that cannot show blocks).
 *
 * Wire format followed:
 * - Incoming webhooks (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks; the
 *   official SDK guide docs.slack.dev/tools/python-slack-sdk/webhook): POST JSON `{text, blocks}` to
 *   `https://hooks.slack.com/services/T…/B…/…`; success is HTTP 200 with the body `ok`; errors are
 *   4xx statuses with a plain-text code in the body (`invalid_payload`, `no_service`,
 *   `channel_is_archived`, `action_prohibited`, …).
 * - Rate limits (slackhq/slack-api-docs page_rate_limits.md, docs.slack.dev/apis/web-api/rate-limits):
 *   about one message a second; past it HTTP 429 with `Retry-After` in seconds.
 * - Block Kit (docs.slack.dev/reference/block-kit/blocks): header = plain_text, at most 150
 *   characters; section `text` at most 3000 characters, `fields` at most 10 items of at most 2000
 *   characters each; context at most 10 elements. In mrkdwn, `&`, `<` and `>` must be escaped as
 *   `&amp;`, `&lt;`, `&gt;` (they would otherwise start links and mentions such as `<!channel>`).
 */
import { z } from 'zod';
import type { ChannelMessage, MessageTone } from '../../domain/notifications/types';
import type { ChannelSender, ChannelTarget, DeliveryReceipt } from '../../ports/notifications';
import type { UrlPolicy } from './webhook';
import {
  chatSettingsSchema,
  detail,
  parseSecret,
  postJson,
  statusFailure,
  urlSecrets,
  webhookUrlSchema,
} from './webhook';

export const SLACK_HOSTS = ['hooks.slack.com'] as const;

export const slackSchemas = (policy: UrlPolicy = {}) => ({
  settings: chatSettingsSchema,
  secret: z.object({ webhookUrl: webhookUrlSchema(SLACK_HOSTS, policy) }),
});

const MAX_HEADER_CHARS = 150;
const MAX_SECTION_CHARS = 3000;
const MAX_FIELD_CHARS = 2000;
const MAX_FIELDS_PER_SECTION = 10;

/** Blocks carry no colour; the emoji matches the tone's colour on the other channels. */
const TONE_EMOJI: Record<MessageTone, string> = {
  alert: '🔴',
  reminder: '🟡',
  recovery: '🟢',
  info: '🔵',
};

const mrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackPayload(message: ChannelMessage) {
  const blocks: object[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: cut(`${TONE_EMOJI[message.tone]} ${message.title}`, MAX_HEADER_CHARS),
      },
    },
  ];
  if (message.text) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: cut(mrkdwn(message.text), MAX_SECTION_CHARS) },
    });
  }
  for (let start = 0; start < message.fields.length; start += MAX_FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: message.fields.slice(start, start + MAX_FIELDS_PER_SECTION).map(([label, value]) => ({
        type: 'mrkdwn',
        text: cut(`*${mrkdwn(label)}*\n${mrkdwn(value)}`, MAX_FIELD_CHARS),
      })),
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: mrkdwn(`${message.severity} · ${message.kind} · ${message.occurredAt}`) },
    ],
  });
  const fallback = [message.title, message.text].filter(Boolean).join('\n');
  return { text: mrkdwn(fallback), blocks };
}

export class SlackSender implements ChannelSender {
  private readonly schemas: ReturnType<typeof slackSchemas>;

  constructor(policy: UrlPolicy = {}) {
    this.schemas = slackSchemas(policy);
  }

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const { webhookUrl } = parseSecret('Slack', this.schemas.secret, target);
    const reply = await postJson('Slack', webhookUrl, JSON.stringify(slackPayload(message)), signal);
    if (reply.status === 200) return { status: 200 };
    throw statusFailure('Slack', reply, detail(reply.text, urlSecrets(webhookUrl)));
  }
}
