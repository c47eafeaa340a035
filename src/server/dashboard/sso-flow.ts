// The SSO flow and the session refresher of a server's config, built once per config object:
// sso.ts signs people in with the flow; sessions.ts re-checks their sessions with the issuer through
// the refresher (ADR 0023): the flow's refresh grant, the interval, the grace for an unreachable
// issuer and the box that encrypts refresh tokens at rest (none without server.sessionSecret).
import type { Logger } from '../../core/logger.js';
import {
  createOidcLogin,
  createSecretBox,
  type OidcConfig,
  type OidcLogin,
  type SecretBox,
  sessionSecretOf,
} from '../auth/index.js';
import type { AppConfig } from '../config.js';

/** Default longest time between two re-checks of an SSO session with its refresh token. */
export const DEFAULT_REFRESH_SECONDS = 300;
/** Default longest time a session outlives an unreachable issuer since the issuer last confirmed it. */
export const DEFAULT_REFRESH_GRACE_SECONDS = 900;

export interface SessionRefresher {
  flow: OidcLogin;
  /** Longest time between two refreshes (ms); a shorter access token lifetime shortens it. */
  intervalMs: number;
  /** Longest time a session goes on while the issuer cannot be reached (ms). */
  graceMs: number;
  /** Encrypts refresh tokens for the store; undefined: they stay in this process's memory only. */
  box: SecretBox | undefined;
  /** Without a box: the refresh tokens of this server's sessions, session id hash → token (never stored). */
  memory: Map<string, { token: string; expiresAt: number }>;
  logger: Logger;
}

const flows = new WeakMap<OidcConfig, OidcLogin | undefined>();

/** The SSO flow of this config (built once per config object), or undefined when not configured. */
export function ssoFor(config: OidcConfig | undefined): OidcLogin | undefined {
  if (!config) return undefined;
  if (!flows.has(config)) flows.set(config, createOidcLogin(config));
  return flows.get(config);
}

const refreshers = new WeakMap<AppConfig, SessionRefresher | undefined>();

/** The refresher of this config, or undefined when SSO is not configured (a misconfiguration throws). */
export function refresherFor(config: AppConfig, logger: Logger): SessionRefresher | undefined {
  if (refreshers.has(config)) return refreshers.get(config);
  const oidc = config.server?.oidc;
  const flow = ssoFor(oidc);
  let refresher: SessionRefresher | undefined;
  if (oidc && flow) {
    const secret = sessionSecretOf(config.server?.sessionSecret);
    refresher = {
      flow,
      intervalMs: (oidc.refreshSeconds ?? DEFAULT_REFRESH_SECONDS) * 1000,
      graceMs: (oidc.refreshGraceSeconds ?? DEFAULT_REFRESH_GRACE_SECONDS) * 1000,
      box: secret === undefined ? undefined : createSecretBox(secret, 'dashboard refresh token'),
      memory: new Map(),
      logger,
    };
    if (!refresher.box)
      logger.info(
        'dashboard SSO: no server.sessionSecret (or RUNSIGHT_SESSION_SECRET): refresh tokens are kept in this process only; a restart or another process ends SSO sessions at their next re-check',
      );
  }
  refreshers.set(config, refresher);
  return refresher;
}
