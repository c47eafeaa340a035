// Where a rule's notifications go: its generic webhook and/or its Slack webhook, each named in the
// log by its host[:port] only (a webhook's path often holds its secret).
import type { NotificationRuleConfig } from '../config.js';

export interface Destination {
  kind: 'webhook' | 'slack';
  url: string;
  secret?: string | undefined;
  host: string;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host || '?';
  } catch {
    return '(invalid URL)';
  }
}

export function destinationsOf(rule: NotificationRuleConfig): Destination[] {
  const out: Destination[] = [];
  if (rule.webhook)
    out.push({
      kind: 'webhook',
      url: rule.webhook.url,
      secret: rule.webhook.secret,
      host: hostOf(rule.webhook.url),
    });
  if (rule.slack) out.push({ kind: 'slack', url: rule.slack.url, host: hostOf(rule.slack.url) });
  return out;
}
