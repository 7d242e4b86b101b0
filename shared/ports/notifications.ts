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
  /** Notifies only the first time `onceKey` is seen (e.g. a quota threshold per period). */
  notifyOnce(onceKey: string, notification: Notification): Promise<void>;
}
