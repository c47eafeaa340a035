// The configuration the server reads: the keys of the config file (src/cli/config.ts, validated
// there) that the API and the stages it calls use, declared here as a port so that the server
// does not import the CLI (the CLI's RunsightConfig is assignable to it).
import type { OpenImageSourceOptions } from '../identity/index.js';
import type { PostureConfig } from '../propagation/index.js';
import type {
  MetricsConfig,
  NotificationRuleConfig,
  OutboundConfig,
  ScheduledReportConfig,
} from '../reports/config.js';
import type { ScanLimits } from '../scan/index.js';
import type { OidcConfig } from './auth/index.js';

export interface ServerConfig {
  /** host:port (default 127.0.0.1:8080). */
  listen?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  corsOrigins?: string[] | undefined;
  maxBodyBytes?: number | undefined;
  /** A duration such as `5m`. */
  requestTimeout?: string | undefined;
  oidc?: OidcConfig | undefined;
  /** Key material for secrets kept at rest (SSO refresh tokens, AES-256-GCM; ADR 0023). */
  sessionSecret?: string | undefined;
}

export interface AppConfig {
  reports?: ScheduledReportConfig[] | undefined;
  notifications?: NotificationRuleConfig[] | undefined;
  metrics?: MetricsConfig | undefined;
  outbound?: OutboundConfig | undefined;
  server?: ServerConfig | undefined;
  posture?: { authoritativeSource?: string | undefined } | undefined;
  sla?: PostureConfig['sla'];
  cadence?:
    | { scan?: string | undefined; advisories?: string | undefined; inventory?: string | undefined }
    | undefined;
  baseImages?: string[] | undefined;
  scan?: (Partial<ScanLimits> & { includeOsOwned?: boolean | undefined }) | undefined;
  /** Credentials per registry host[:port]; `insecure` reaches it over plain HTTP. */
  registries?:
    | Record<
        string,
        NonNullable<OpenImageSourceOptions['registriesConfig']>[string] & { insecure?: boolean | undefined }
      >
    | undefined;
  insecureRegistries?: string[] | undefined;
  registry?:
    | {
        blobTimeout?: string | undefined;
        minThroughput?: number | undefined;
        throughputWindow?: string | undefined;
      }
    | undefined;
}
