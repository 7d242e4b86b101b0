/**
 * DingTalk group custom robot ("自定义机器人"): one markdown message per notification.
 *
 * Wire format followed: DingTalk's custom robot guide (open.dingtalk.com/document/robots/custom-robot-access,
 * "安全设置 / 加签", as mirrored on apifox.com/apidoc/docs-site/467052) and message types
 * (open.dingtalk.com/document/orgapp/message-type, markdown):
 * - POST JSON, UTF-8, to `https://oapi.dingtalk.com/robot/send?access_token=<token>`.
 * - Signature (when "加签" is on): string_to_sign = `${timestamp}\n${secret}`, HMAC-SHA256 keyed
 *   with the `SEC…` secret, Base64, then URL-encoded; `timestamp` in *milliseconds*, within one
 *   hour of DingTalk's clock; both appended to the webhook URL as `&timestamp=…&sign=…`.
 * - Body: `{msgtype: "markdown", markdown: {title, text}}`; `title` is what the conversation list
 *   shows, `text` a markdown subset (headings, bold, lists, quotes, links).
 * - Answers `{errcode, errmsg}`: 0 "ok"; 310000 security check failed ("sign not match",
 *   "keywords not in content", "ip … not in whitelist"); 300001 "token is not exist"; -1 system
 *   busy. Limit: 20 messages a minute per robot; over it 130101 "send too fast, exceed 20 times
 *   per minute" (Alibaba Cloud error table), 410100 "发送速度太快而限流" in the API reference.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { ChannelMessage } from '../../domain/notifications/types';
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

export const DINGTALK_HOSTS = ['oapi.dingtalk.com'] as const;

export const dingtalkSchemas = (policy: UrlPolicy = {}) => ({
  settings: chatSettingsSchema,
  secret: z.object({
    webhookUrl: webhookUrlSchema(DINGTALK_HOSTS, policy),
    /** Only when the robot has "加签" on. */
    signingSecret: requiredText().optional(),
  }),
});

const DINGTALK_CODES: ResultCodes = {
  codeField: 'errcode',
  messageField: 'errmsg',
  rateLimited: [130101, 410100],
  busy: [-1],
};

/** The webhook URL with `timestamp` and `sign` added, for a robot with "加签" on. */
export function dingtalkSignedUrl(webhookUrl: string, secret: string, at: Date): string {
  const timestamp = String(at.getTime());
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const url = new URL(webhookUrl);
  // URLSearchParams form-encodes the Base64 (+, /, =), as the guide's urlEncode step does.
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('sign', sign);
  return url.toString();
}

export function dingtalkMarkdown(message: ChannelMessage): { title: string; text: string } {
  const lines = [`### ${message.title}`];
  if (message.text) lines.push('', message.text);
  if (message.fields.length > 0) {
    lines.push('', ...message.fields.map(([label, value]) => `- **${label}**: ${value}`));
  }
  lines.push('', `${message.kind} · ${message.occurredAt}`);
  // Two trailing spaces keep DingTalk's single line breaks inside a paragraph.
  return { title: message.title, text: lines.join('  \n') };
}

export class DingTalkSender implements ChannelSender {
  private readonly schemas: ReturnType<typeof dingtalkSchemas>;

  constructor(
    policy: UrlPolicy = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.schemas = dingtalkSchemas(policy);
  }

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const { webhookUrl, signingSecret } = parseSecret('DingTalk', this.schemas.secret, target);
    const url = signingSecret ? dingtalkSignedUrl(webhookUrl, signingSecret, this.now()) : webhookUrl;
    const body = { msgtype: 'markdown', markdown: dingtalkMarkdown(message) };
    const reply = await postJson('DingTalk', url, JSON.stringify(body), signal);
    return readCodedReply('DingTalk', reply, DINGTALK_CODES, [...urlSecrets(webhookUrl), signingSecret]);
  }
}
