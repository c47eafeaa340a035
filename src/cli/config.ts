// The Runsight config file (YAML), validated with zod: an unknown or invalid key is an error that
// names the key. Each section belongs to one stage; docs/configuration.md documents every key.
// A file that holds credentials and that group or others may read or write is loaded with a warning.
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** A duration like `15m`, `24h`, `7d`, `30s`. */
const duration = z.string().regex(/^\d+(s|m|h|d)$/, 'expected a duration such as 30s, 15m, 24h or 7d');

const registryAuth = z.strictObject({
  username: z.string().optional(),
  password: z.string().optional(),
  /** A bearer token used as is (e.g. a registry access token). */
  token: z.string().optional(),
  insecure: z.boolean().optional(),
});

/** One advisory feed's location (http(s), file:// or a local path), switch and pinned SHA-256. */
const advisoryFeed = z.strictObject({
  url: z.string().optional(),
  enabled: z.boolean().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
    .optional(),
});

/** A webhook destination: the body is signed with HMAC-SHA256 when a secret is given. */
const webhook = z.strictObject({
  url: z.string(),
  secret: z.string().optional(),
});

/** A scope in config: `{cluster: prod, namespace: [shop, cart]}` (a value or a list per kind). */
const configScope = z.strictObject({
  cluster: z.union([z.string(), z.array(z.string())]).optional(),
  namespace: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.string(), z.array(z.string())]).optional(),
  owner: z.union([z.string(), z.array(z.string())]).optional(),
});

const scheduledReport = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected letters, digits, ".", "_" or "-" (at most 64)'),
  scope: configScope.optional(),
  by: z.enum(['cluster', 'environment', 'namespace', 'workload', 'owner']).optional(),
  format: z.enum(['html', 'csv', 'json']).optional(),
  /** How often (e.g. 7d). */
  cadence: duration,
  /** Write each report into this directory … */
  directory: z.string().optional(),
  /** … and/or POST it to this webhook. */
  webhook: webhook.optional(),
});

const notificationRule = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected letters, digits, ".", "_" or "-" (at most 64)'),
  on: z
    .array(z.enum(['new-kev', 'new-critical', 'resolved', 'rescored', 'stale', 'validation-failed']))
    .min(1),
  scope: configScope.optional(),
  /** The severity new-critical and rescored compare against (default critical). */
  severity: z.enum(['critical', 'high', 'medium', 'low']).optional(),
  /** Generic JSON webhook, signed with X-Runsight-Signature: t=TIMESTAMP,v1=HEX. */
  webhook: webhook.optional(),
  /** Slack-compatible incoming webhook. */
  slack: z.strictObject({ url: z.string() }).optional(),
});

export const configSchema = z.strictObject({
  store: z
    .strictObject({
      dataDir: z.string().optional(),
      databaseUrl: z.string().optional(),
    })
    .optional(),
  /** Credentials per registry host[:port]. */
  registries: z.record(z.string(), registryAuth).optional(),
  /** Registries reached over plain HTTP. */
  insecureRegistries: z.array(z.string()).optional(),
  inventory: z
    .strictObject({
      ownerKeys: z.array(z.string()).optional(),
      environmentKeys: z.array(z.string()).optional(),
      /** Clusters the inventory jobs of `serve`/`worker` collect (besides --kubernetes/--kube-context). */
      kubernetes: z
        .array(
          z.strictObject({
            kubeconfig: z.string().optional(),
            context: z.string().optional(),
            /** The cluster's name in Runsight (default: the kubeconfig's cluster name). */
            clusterName: z.string().optional(),
            namespaces: z.array(z.string()).optional(),
          }),
        )
        .optional(),
      /** Docker/Podman Engines the inventory jobs collect (besides --docker-host). */
      docker: z.array(z.strictObject({ host: z.string(), name: z.string().optional() })).optional(),
    })
    .optional(),
  /** How often each job runs: what `validate` checks as operationalised. */
  cadence: z
    .strictObject({
      scan: duration.optional(),
      advisories: duration.optional(),
      inventory: duration.optional(),
      /** Watched-directory and trivy-operator imports (default 1m when `imports` is configured). */
      imports: duration.optional(),
    })
    .optional(),
  /** Reports imported on `cadence.imports` by `serve`/`worker` (docs/operations.md "Imports"). */
  imports: z
    .strictObject({
      /** Every report file dropped here is imported, then moved to `imported/` or `failed/`. */
      directory: z
        .strictObject({
          path: z.string().min(1),
          /** As `runsight import FORMAT` (default auto: detected per file). */
          format: z.enum(['trivy', 'grype', 'cyclonedx', 'trivy-operator', 'osv-scanner', 'auto']).optional(),
        })
        .optional(),
      /** Clusters whose trivy-operator VulnerabilityReports are imported (as `import trivy-operator --from-cluster`). */
      trivyOperator: z
        .array(
          z.strictObject({
            kubeconfig: z.string().optional(),
            context: z.string().optional(),
            /** The job's key (default: the context, else `default`). */
            clusterName: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  /** Maximum ages before a view marks a row stale. */
  sla: z
    .strictObject({
      scanAge: duration.optional(),
      advisoryAge: duration.optional(),
      inventoryAge: duration.optional(),
    })
    .optional(),
  posture: z
    .strictObject({
      /** Which findings source is authoritative when several cover one digest. */
      authoritativeSource: z.string().optional(),
    })
    .optional(),
  /** How long a registry blob may take: a deadline of blobTimeout + size / minThroughput, and at
   *  least minThroughput bytes/s over every throughputWindow (docs/identity.md). */
  registry: z
    .strictObject({
      blobTimeout: duration.optional(),
      /** Bytes per second. */
      minThroughput: z.number().int().positive().optional(),
      throughputWindow: duration.optional(),
    })
    .optional(),
  /** Built-in scanner limits (bytes) and what it reports. */
  scan: z
    .strictObject({
      /** Largest file an extractor may read (default 128 MiB). */
      maxFileBytes: z.number().int().positive().optional(),
      /** Total decompressed layer bytes per image before the scan stops as partial (default 32 GiB). */
      maxTotalBytes: z.number().int().positive().optional(),
      /** Also report language packages whose files an OS package owns (default false; docs/scan.md). */
      includeOsOwned: z.boolean().optional(),
    })
    .optional(),
  /** `runsight serve`: where it listens, TLS, limits, CORS and OIDC sign-in (docs/api.md). */
  server: z
    .strictObject({
      /** host:port (default 127.0.0.1:8080). */
      listen: z.string().optional(),
      /** PEM files: serve HTTPS when both are given. */
      tlsCert: z.string().optional(),
      tlsKey: z.string().optional(),
      /** Origins allowed by CORS; none unless listed. */
      corsOrigins: z.array(z.string()).optional(),
      /** Largest request body in bytes (reports are streamed up to it; default 256 MiB). */
      maxBodyBytes: z.number().int().positive().optional(),
      /** Longest a request may take (default 5m). */
      requestTimeout: duration.optional(),
      /** OpenID Connect: JWTs from this issuer are accepted as Bearer tokens. */
      oidc: z
        .strictObject({
          issuer: z.string(),
          audience: z.string(),
          /** Tolerated clock difference for exp/nbf/iat (default 60s). */
          clockSkew: duration.optional(),
          /** The claim holding the caller's groups (default `groups`). */
          groupsClaim: z.string().optional(),
          /** Ordered: the first mapping whose group the caller has gives role and scopes; none → 403. */
          mappings: z.array(
            z.strictObject({
              group: z.string(),
              role: z.enum(['viewer', 'operator', 'admin']),
              /** `KIND=VALUE` like `--scope` of `token create`; none = unrestricted. */
              scopes: z.array(z.string()).optional(),
            }),
          ),
          /** Dashboard SSO: the client id registered at the issuer (ID tokens' audience). */
          clientId: z.string().optional(),
          /** The client's secret; absent for a public client (PKCE alone). */
          clientSecret: z.string().optional(),
          /** The registered redirect URI, ending in `/login/oidc/callback`. */
          redirectUrl: z.url().optional(),
          /** Dashboard SSO: also request `offline_access` (some issuers grant a refresh token only then). */
          offlineAccess: z.boolean().optional(),
          /** Dashboard SSO: longest time between re-checks of a session with the issuer (default 300; ADR 0023). */
          refreshSeconds: z.number().int().positive().optional(),
          /** Dashboard SSO: longest a session outlives an unreachable issuer since its last confirmation (default 900). */
          refreshGraceSeconds: z.number().int().positive().optional(),
        })
        .optional(),
      /** Encrypts SSO refresh tokens at rest (AES-256-GCM; ≥ 32 characters; or RUNSIGHT_SESSION_SECRET). */
      sessionSecret: z.string().min(32).optional(),
    })
    .optional(),
  /** Advisory feeds `db update` fetches without --source (docs/advisories.md "Default feeds"). */
  advisories: z
    .strictObject({
      feeds: z
        .strictObject({
          /** Base URL or local directory holding `<Ecosystem>/all.zip`; ecosystems default to those in use. */
          osv: z
            .strictObject({
              url: z.string().optional(),
              ecosystems: z.array(z.string()).optional(),
              enabled: z.boolean().optional(),
            })
            .optional(),
          kev: advisoryFeed.optional(),
          epss: advisoryFeed.optional(),
          cve: advisoryFeed.optional(),
        })
        .optional(),
      /** Largest file a feed may download, in bytes (default 4 GiB). */
      maxDownloadBytes: z.number().int().positive().optional(),
    })
    .optional(),
  /** Images scanned as base images, for "update base image X" remediation. */
  baseImages: z.array(z.string()).optional(),
  /** Scheduled reports, run by the scheduler (docs/reports.md). */
  reports: z.array(scheduledReport).optional(),
  /** Notification rules: which posture transitions reach which webhook (docs/notifications.md). */
  notifications: z.array(notificationRule).optional(),
  /** Prometheus metrics (`GET /metrics`, `--metrics-listen`; docs/metrics.md). */
  metrics: z
    .strictObject({
      /** Extra posture labels beyond cluster, environment, severity, kev, fixable (off by default). */
      labels: z.array(z.enum(['namespace', 'owner'])).optional(),
      /** Most distinct values of each extra label; the rest are reported as `other` (default 50). */
      labelCap: z.number().int().positive().optional(),
      /** Require a token for /metrics (default true); false serves it unauthenticated, unscoped. */
      requireToken: z.boolean().optional(),
    })
    .optional(),
  /** How long history is kept (docs/operations.md "Retention"); unset keys keep it for ever. */
  retention: z
    .strictObject({
      jobHistory: duration.optional(),
      inventoryRuns: duration.optional(),
      removedContainers: duration.optional(),
      exposures: duration.optional(),
      postureSnapshots: duration.optional(),
      postureSnapshotsDaily: duration.optional(),
      auditLog: duration.optional(),
      notificationLog: duration.optional(),
      reportRuns: duration.optional(),
      findingChanges: duration.optional(),
    })
    .optional(),
  /** Where Runsight's own outbound requests (webhooks, report delivery) may go (SSRF guard). */
  outbound: z
    .strictObject({
      /** Allow private, loopback, link-local and metadata addresses (default false). */
      allowPrivateAddresses: z.boolean().optional(),
      /** Hosts (or host:port) allowed even when private, e.g. an in-cluster receiver. */
      allowHosts: z.array(z.string()).optional(),
    })
    .optional(),
});

export type RunsightConfig = z.infer<typeof configSchema>;

export function parseConfig(text: string, origin: string): RunsightConfig {
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError('', `${origin} is not valid YAML: ${(err as Error).message}`);
  }
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let path = issue.path.map(String).join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      path = [...issue.path.map(String), issue.keys[0]].filter(Boolean).join('.');
      message = `unknown key (in ${origin}); see docs/configuration.md for the keys Runsight reads`;
    } else {
      message = `${message} (in ${origin})`;
    }
    throw new ConfigError(path, message);
  }
  return result.data;
}

/**
 * Reads and validates the config file. `warn` is told when the file holds credentials (a registry
 * password or token, a database URL with a password) and its mode lets group or others in: the file
 * is still used — a Kubernetes Secret is mounted 0644 by default, in a container no one else shares —
 * but on a shared machine it should be `chmod 600`.
 */
export function loadConfig(
  file: string | undefined,
  warn: (message: string) => void = () => {},
): RunsightConfig {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      '',
      `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const config = parseConfig(text, file);
  const mode = process.platform === 'win32' ? 0 : statSync(file).mode & 0o777;
  if (mode & 0o077 && holdsCredentials(config)) {
    warn(
      `config file ${file} holds credentials and group or others may read it (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}`,
    );
  }
  return config;
}

/** True when the config carries a secret: a registry password or token, a webhook secret, server.oidc.clientSecret, server.sessionSecret, or a password in store.databaseUrl. */
export function holdsCredentials(config: RunsightConfig): boolean {
  if (Object.values(config.registries ?? {}).some((r) => r.password || r.token)) return true;
  if ([...(config.reports ?? []), ...(config.notifications ?? [])].some((r) => r.webhook?.secret))
    return true;
  if (config.server?.oidc?.clientSecret || config.server?.sessionSecret) return true;
  const url = config.store?.databaseUrl;
  if (!url) return false;
  try {
    return new URL(url).password !== '';
  } catch {
    return /:[^@/]*@/.test(url);
  }
}
