// What the HTTP app is built from (its dependencies) and what each request carries through the
// middleware chain (the authenticated principal). The server is a face over the stage functions:
// it holds the store port, the config, an authenticator and a logger, nothing else.

import type { Principal } from '../core/access.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import type { AuthFailure } from './auth/index.js';
import type { AppConfig } from './config.js';

/** The `Authorization` header (or undefined) → the caller, or why not (src/server/auth authenticate). */
export type Authenticate = (authorization: string | undefined) => Promise<Principal | AuthFailure>;

export interface AppDeps {
  store: Store;
  config: AppConfig;
  authenticate: Authenticate;
  logger: Logger;
  /** Clock for audit entries and views (tests pin it). */
  now?: (() => Date) | undefined;
  /** Fired when the server shuts down: long work (an inline scan) stops at its next check. */
  signal?: AbortSignal | undefined;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal;
    /** Fires on the request timeout, the client's disconnect or shutdown (request-signal.ts). */
    signal: AbortSignal;
    /** What an audited write names as its target (a source, an image…), set by the route. */
    auditTarget: string | undefined;
    auditDetail: Record<string, unknown> | undefined;
    /** A valid identity that was refused (403): the audit names it. */
    auditSubject: string | undefined;
  };
}
