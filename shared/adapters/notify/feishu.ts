/**
 * Feishu / Lark group custom bot ("自定义机器人"): one interactive card per message.
 *
 * Wire format followed: the official custom bot guide, open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 * (same page on open.larksuite.com):
 * - POST JSON to the webhook `https://open.feishu.cn/open-apis/bot/v2/hook/<token>`; body at most 20 KB.
 * - Signature (when the bot has "签名校验" on): string_to_sign = `${timestamp}\n${secret}` used as the
 *   HMAC-SHA256 *key* over an empty message, then Base64; `timestamp` in seconds, within one hour
 *   of Feishu's clock; both go in the body as `timestamp` (string) and `sign`.
 * - Card: `{msg_type: "interactive", card: {...}}` (the `card` object replaces `content`); card
 *   JSON 1.0 as in the guide's FAQ: `header.title` (plain_text), `header.template` (a colour name:
 *   red, yellow, green, blue here), `elements` of `div` blocks whose `text` / `fields[].text` are
 *   `lark_md`, `fields[].is_short` for two columns. `<`, `>` and `&` are written as entities so
 *   text cannot smuggle `<at id=all>` or tags into lark_md.
 * - Answers are HTTP 200 with `{code, msg, data}`: `code: 0` success; 19021 "sign match fail or
 *   timestamp is not within one hour from current time"; 19022 "Ip Not Allowed"; 19024 "Key Words
 *   Not Found"; 9499 "Bad Request" (malformed body); 19001 (bad token). Frequency limit: 100 a
 *   minute and 5 a second per bot; over it, code 11232 ("frequency limited").
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { ChannelMessage, MessageTone } from '../../domain/notifications/types';
import type { ChannelSender, ChannelTarget, DeliveryReceipt } from '../../ports/notifications';
import type { ResultCodes, UrlPolicy } from './webhook';
import {
  chatSettingsSchema,
  parseSecret,
  postJson,
  readCodedReply,
  requiredText,
  urlSecrets,
  webhookUrlSchema,
} from './webhook';

export const FEISHU_HOSTS = ['open.feishu.cn', 'open.larksuite.com'] as const;

export const feishuSchemas = (policy: UrlPolicy = {}) => ({
  settings: chatSettingsSchema,
  secret: z.object({
    webhookUrl: webhookUrlSchema(FEISHU_HOSTS, policy),
    /** Only when the bot has signature verification on. */
    signingSecret: requiredText().optional(),
  }),
});

const FEISHU_CODES: ResultCodes = { codeField: 'code', messageField: 'msg', rateLimited: [11232], busy: [] };

const HEADER_TEMPLATE: Record<MessageTone, string> = {
  alert: 'red',
  reminder: 'yellow',
  recovery: 'green',
  info: 'blue',
};

/** The `timestamp` and `sign` body fields for a bot with signature verification on. */
export function feishuSignature(secret: string, at: Date): { timestamp: string; sign: string } {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { timestamp, sign };
}

const larkMd = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const markdownDiv = (content: string) => ({ tag: 'div', text: { tag: 'lark_md', content } });

export function feishuCard(message: ChannelMessage) {
  const elements: object[] = [];
  if (message.text) elements.push(markdownDiv(larkMd(message.text)));
  if (message.fields.length > 0) {
    elements.push({
      tag: 'div',
      fields: message.fields.map(([label, value]) => ({
        is_short: true,
        text: { tag: 'lark_md', content: `**${larkMd(label)}**\n${larkMd(value)}` },
      })),
    });
  }
  elements.push(markdownDiv(larkMd(`${message.kind} · ${message.occurredAt}`)));
  return {
    config: { wide_screen_mode: true },
    header: {
      template: HEADER_TEMPLATE[message.tone],
      title: { tag: 'plain_text', content: message.title },
    },
    elements,
  };
}

export class FeishuSender implements ChannelSender {
  private readonly schemas: ReturnType<typeof feishuSchemas>;

  constructor(
    policy: UrlPolicy = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.schemas = feishuSchemas(policy);
  }

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const { webhookUrl, signingSecret } = parseSecret('Feishu', this.schemas.secret, target);
    const body = {
      ...(signingSecret ? feishuSignature(signingSecret, this.now()) : {}),
      msg_type: 'interactive',
      card: feishuCard(message),
    };
    const reply = await postJson('Feishu', webhookUrl, JSON.stringify(body), signal);
    return readCodedReply('Feishu', reply, FEISHU_CODES, [...urlSecrets(webhookUrl), signingSecret]);
  }
}
