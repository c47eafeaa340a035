// What `authenticate` needs, built once when the server starts: the API token verifier over the
// store and, when `server.oidc` is configured, the OIDC verifier (a bad mapping is a ConfigError
// here, at startup). The server keeps the result for its lifetime and calls `tokens.flush()`
// before closing the store.
import type { Store } from '../../store/index.js';
import type { AuthDeps } from './authenticate.js';
import { createOidcVerifier, type OidcConfig, type OidcVerifierOptions } from './oidc.js';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';

export interface ServerAuth extends AuthDeps {
  tokens: TokenVerifier;
}

export function createAuthDeps(
  store: Store,
  oidc: OidcConfig | undefined,
  opts: { tokens?: TokenVerifierOptions; oidc?: OidcVerifierOptions } = {},
): ServerAuth {
  return {
    tokens: createTokenVerifier(store, opts.tokens),
    oidc: oidc ? createOidcVerifier(oidc, opts.oidc) : undefined,
  };
}
