import type { ChannelMessage, ChannelType } from '../domain/notifications/types';

/** Something worth telling people about, raised by any capability. */
export interface Notification {
  enterpriseId: string;
  /** Stable event name, e.g. `ai-account.unhealthy`, used by routing rules. */
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  /** What it is about, e.g. `ai-account:<id>`. */
  subject: string;
  message: string;
}

/**
 * The one notification port every capability uses. Today it records the alert and logs it; the
 * balance-monitor issue adds signed webhook and e-mail channels with routing rules behind it.
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
  /**
   * Notifies only the first time `onceKey` is seen (e.g. a quota threshold per period); true when
   * this call sent it, false when the key was seen before.
   */
  notifyOnce(onceKey: string, notification: Notification): Promise<boolean>;
}

/** A configured channel as a sender needs it: its type, non-secret settings and resolved secret. */
export interface ChannelTarget {
  type: ChannelType;
  /** Non-secret settings (e.g. e-mail recipients, a Slack channel label). */
  settings: Record<string, string>;
  /**
   * The secret behind the channel's credentialRef, parsed as a JSON object: webhook URL (it carries
   * the bot token), signing secret, ... Never logged, never returned by an API.
   */
  secret: Record<string, string>;
}

export interface DeliveryReceipt {
  /** HTTP status (webhooks) or 200 for an accepted e-mail. */
  status: number;
  /** The provider's message id, when it returns one (SES MessageId, ...). */
  providerMessageId?: string;
}

export type DeliveryFailureKind =
  /** The channel refused us (bad signature, bad token, 4xx other than 429): retrying will not help. */
  | 'rejected'
  /** 429 or the platform's rate-limit code: retry after `retryAfterMs` when given. */
  | 'rate_limited'
  /** 5xx, connection failure, the platform's "busy" code: transient. */
  | 'unavailable'
  /** The signal aborted. */
  | 'timeout';

/** Every sender failure; the message never contains the webhook URL, token or signing secret. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get retryable(): boolean {
    return this.kind !== 'rejected';
  }
}

/** Delivers one message over one channel type. One call, no retries (the dispatcher retries). */
export interface ChannelSender {
  send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt>;
}
