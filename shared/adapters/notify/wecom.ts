/**
 * WeCom (企业微信) group robot ("群机器人"): one markdown message per notification.
 *
 * Wire format followed: the official "群机器人配置说明" (work.weixin.qq.com/api/doc/90000/90136/91770,
 * now developer.work.weixin.qq.com/document/path/91770) and WeCom's global return codes ("全局错误码",
 * as mirrored on kancloud.cn/dabashan/qiwei/2376083):
 * - POST JSON to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>`; the key is the only
 *   credential (no signature scheme).
 * - Body: `{msgtype: "markdown", markdown: {content}}`; content at most 4096 bytes of UTF-8; the
 *   markdown subset has headings, bold, links, quotes and three font colours:
 *   `<font color="info">` (green), `"comment"` (grey), `"warning"` (orange-red).
 * - Answers `{errcode, errmsg}`: 0 "ok"; 93000 "invalid webhook url" (bad key or robot removed);
 *   40008 invalid msgtype; -1 system busy; 45009 "api freq out of limit" (a robot may send 20
 *   messages a minute).
 */
import { z } from 'zod';
import type { ChannelMessage, MessageTone } from '../../domain/notifications/types';
import type { ChannelSender, ChannelTarget, DeliveryReceipt } from '../../ports/notifications';
import type { ResultCodes, UrlPolicy } from './webhook';
import {
  chatSettingsSchema,
  parseSecret,
  postJson,
  readCodedReply,
  truncateUtf8,
  urlSecrets,
  webhookUrlSchema,
} from './webhook';

export const WECOM_HOSTS = ['qyapi.weixin.qq.com'] as const;

export const wecomSchemas = (policy: UrlPolicy = {}) => ({
  settings: chatSettingsSchema,
  secret: z.object({ webhookUrl: webhookUrlSchema(WECOM_HOSTS, policy) }),
});

const WECOM_CODES: ResultCodes = {
  codeField: 'errcode',
  messageField: 'errmsg',
  rateLimited: [45009],
  busy: [-1],
};

const MAX_CONTENT_BYTES = 4096;

const TITLE_COLOUR: Record<MessageTone, 'warning' | 'info' | 'comment'> = {
  alert: 'warning',
  reminder: 'warning',
  recovery: 'info',
  info: 'comment',
};

export function wecomMarkdown(message: ChannelMessage): string {
  const lines = [`## <font color="${TITLE_COLOUR[message.tone]}">${message.title}</font>`];
  if (message.text) lines.push(message.text);
  lines.push(...message.fields.map(([label, value]) => `> ${label}: **${value}**`));
  lines.push(`<font color="comment">${message.kind} · ${message.occurredAt}</font>`);
  return truncateUtf8(lines.join('\n'), MAX_CONTENT_BYTES);
}

export class WeComSender implements ChannelSender {
  private readonly schemas: ReturnType<typeof wecomSchemas>;

  constructor(policy: UrlPolicy = {}) {
    this.schemas = wecomSchemas(policy);
  }

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const { webhookUrl } = parseSecret('WeCom', this.schemas.secret, target);
    const body = { msgtype: 'markdown', markdown: { content: wecomMarkdown(message) } };
    const reply = await postJson('WeCom', webhookUrl, JSON.stringify(body), signal);
    return readCodedReply('WeCom', reply, WECOM_CODES, urlSecrets(webhookUrl));
  }
}
