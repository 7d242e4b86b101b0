/**
 * Which channels an alert goes to (per enterprise routing rules), and how an alert reads on a
 * channel. Rules match event kinds by exact name or by a `prefix.*` pattern, from a minimum
 * severity; an enterprise without rules sends every alert to every enabled channel.
 */
import type { ChannelMessage, MessageTone } from './types';

export type Severity = 'info' | 'warning' | 'critical';

export interface RoutingRule {
  /** Event kinds: exact (`balance.low`), a prefix pattern (`bills.*`) or `*` for all. */
  kinds: string[];
  minSeverity: Severity;
  channelIds: string[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export const KIND_PATTERN = /^(\*|[a-z0-9-]+(\.[a-z0-9_-]+)*(\.\*)?)$/;

export const kindMatches = (pattern: string, kind: string): boolean =>
  pattern === '*' || pattern === kind || (pattern.endsWith('.*') && kind.startsWith(pattern.slice(0, -1)));

/** Ids of the channels an alert of `kind` and `severity` goes to, among the enabled ones. */
export const routeAlert = (
  rules: readonly RoutingRule[],
  enabledChannelIds: readonly string[],
  kind: string,
  severity: Severity,
): string[] => {
  if (rules.length === 0) return [...enabledChannelIds];
  const enabled = new Set(enabledChannelIds);
  const chosen = new Set<string>();
  for (const rule of rules) {
    if (SEVERITY_RANK[severity] < SEVERITY_RANK[rule.minSeverity]) continue;
    if (!rule.kinds.some((pattern) => kindMatches(pattern, kind))) continue;
    for (const id of rule.channelIds) if (enabled.has(id)) chosen.add(id);
  }
  return [...chosen];
};

/** Titles of the kinds Tollgate raises; others read as their kind. */
const TITLES: Record<string, string> = {
  'balance.low': 'Balance below threshold',
  'balance.recovered': 'Balance recovered',
  'subscription.renewal': 'Subscription renewal coming up',
  'ai-account.unhealthy': 'AI account unhealthy',
  'ai-account.recovered': 'AI account recovered',
  'notification.test': 'Test notification from Tollgate',
};

const toneOf = (kind: string, severity: Severity): MessageTone =>
  kind.endsWith('.recovered')
    ? 'recovery'
    : kind.startsWith('subscription.')
      ? 'reminder'
      : severity === 'info'
        ? 'info'
        : 'alert';

/** The channel-neutral message for an alert (each channel renders it in its own format). */
export const alertMessage = (alert: {
  enterpriseId: string;
  kind: string;
  severity: Severity;
  subject: string;
  message: string;
  at: string;
}): ChannelMessage => ({
  kind: alert.kind,
  tone: toneOf(alert.kind, alert.severity),
  severity: alert.severity,
  title: TITLES[alert.kind] ?? alert.kind,
  text: alert.message,
  fields: [
    ['Severity', alert.severity],
    ['About', alert.subject],
  ],
  subject: alert.subject,
  enterpriseId: alert.enterpriseId,
  occurredAt: alert.at,
});
