// A notification rule as evaluation uses it: its access scope, its severity threshold (default
// critical) on the one severity scale, the events it sends, and a fingerprint of the parts that
// decide its set — a rule whose fingerprint changed starts again from a new baseline.
import { createHash } from 'node:crypto';
import { type AccessScope, scopeFromConfig } from '../../core/access.js';
import { severityRank } from '../../core/severity.js';
import type { Severity } from '../../core/types.js';
import type { NotificationEvent, NotificationRuleConfig } from '../config.js';

export interface Rule {
  name: string;
  on: ReadonlySet<NotificationEvent>;
  scope: AccessScope;
  /** Severity threshold of new-critical and rescored. */
  severity: Severity;
  minRank: number;
  config: NotificationRuleConfig;
  fingerprint: string;
}

export function ruleOf(config: NotificationRuleConfig): Rule {
  const severity = (config.severity ?? 'critical').toUpperCase() as Severity;
  const scope = scopeFromConfig(config.scope);
  const sorted: Record<string, string[]> = {};
  for (const k of Object.keys(scope).sort()) sorted[k] = [...(scope[k as keyof AccessScope] ?? [])].sort();
  const on = new Set(config.on);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ scope: sorted, severity, on: [...on].sort() }))
    .digest('hex')
    .slice(0, 32);
  return { name: config.name, on, scope, severity, minRank: severityRank(severity), config, fingerprint };
}

/** The rule's scope as the body reports it: each restricted kind with its values. */
export function scopeBody(rule: Rule): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (rule.scope.clusters?.length) out.cluster = rule.scope.clusters;
  if (rule.scope.namespaces?.length) out.namespace = rule.scope.namespaces;
  if (rule.scope.environments?.length) out.environment = rule.scope.environments;
  if (rule.scope.owners?.length) out.owner = rule.scope.owners;
  return out;
}
