// What the config file says about posture leaving Runsight: scheduled reports, notification rules,
// Prometheus metrics and the outbound (SSRF) guard. Validated by the CLI's config schema
// (src/cli/config.ts); declared here as types so that reports, jobs and the server share them.
import type { ConfigScope } from '../core/access.js';

export interface WebhookConfig {
  url: string;
  secret?: string | undefined;
}

export type NotificationEvent =
  | 'new-kev'
  | 'new-critical'
  | 'resolved'
  | 'rescored'
  | 'stale'
  | 'validation-failed';

export interface NotificationRuleConfig {
  name: string;
  on: NotificationEvent[];
  scope?: ConfigScope | undefined;
  severity?: 'critical' | 'high' | 'medium' | 'low' | undefined;
  webhook?: WebhookConfig | undefined;
  slack?: { url: string } | undefined;
}

export interface ScheduledReportConfig {
  name: string;
  scope?: ConfigScope | undefined;
  by?: 'cluster' | 'environment' | 'namespace' | 'workload' | 'owner' | undefined;
  format?: 'html' | 'csv' | 'json' | undefined;
  cadence: string;
  directory?: string | undefined;
  webhook?: WebhookConfig | undefined;
}

export interface MetricsConfig {
  labels?: ('namespace' | 'owner')[] | undefined;
  labelCap?: number | undefined;
  requireToken?: boolean | undefined;
}

export interface OutboundConfig {
  allowPrivateAddresses?: boolean | undefined;
  allowHosts?: string[] | undefined;
}
