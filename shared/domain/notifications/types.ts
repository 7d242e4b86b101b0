/**
 * Notification channels (seed 002's webhook adapters, generalized): where alerts are delivered and
 * the channel-neutral message every channel renders in its own format.
 */

export const CHANNEL_TYPES = ['feishu', 'dingtalk', 'wecom', 'slack', 'webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * How a message should look: `alert` (balance low, budget overrun, account unhealthy: red),
 * `reminder` (subscription renewal: yellow), `recovery` (back to normal: green), `info` (blue).
 */
export type MessageTone = 'alert' | 'reminder' | 'recovery' | 'info';

/** A channel-neutral message; each channel renders it (Feishu card, DingTalk markdown, Slack blocks, ...). */
export interface ChannelMessage {
  /** Stable event name, e.g. `balance.low`, `subscription.renewal`, `bills.budget.threshold`. */
  kind: string;
  tone: MessageTone;
  severity: 'info' | 'warning' | 'critical';
  /** One line, plain text. */
  title: string;
  /** Plain text, may contain line breaks; channels that support markdown may emphasise `fields`. */
  text: string;
  /** Label/value pairs shown as a table or list, e.g. [["Balance", "12.30 USD"], ["Threshold", "50 USD"]]. */
  fields: [string, string][];
  /** What the message is about, e.g. `balance-source:<id>`. */
  subject: string;
  enterpriseId: string;
  /** ISO 8601 instant the event happened. */
  occurredAt: string;
}
