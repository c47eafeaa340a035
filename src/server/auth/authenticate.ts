// Who is calling: the `Authorization: Bearer …` header of an API request turned into a Principal,
// or a failure that says which HTTP status to answer (docs/api.md "Authentication and roles").
// `rs_…` is a Runsight API token (token-verifier.ts); a JWT (three dot-separated base64url parts)
// is an OIDC identity (oidc.ts). Messages never repeat the token.
//
// 401: no token, a malformed one, or one that is unknown, expired, revoked or fails verification.
// 403: a valid OIDC identity that no `server.oidc.mappings` entry gives a role.
// 503: an OIDC token that could not be checked because the issuer could not be reached.
import type { Principal } from '../../core/access.js';
import type { OidcVerifier } from './oidc.js';
import { isRunsightToken } from './token-format.js';
import type { TokenVerifier } from './token-verifier.js';

export interface AuthDeps {
  tokens?: TokenVerifier | undefined;
  /** Absent when `server.oidc` is not configured: JWTs are then refused. */
  oidc?: OidcVerifier | undefined;
}

export interface AuthFailure {
  status: 401 | 403 | 503;
  /** Safe to send to the caller and to log: never the token. */
  message: string;
  /** The identity, when it was valid (403): what the audit log records. */
  subject?: string | undefined;
}

/** The value for a 401 answer's `WWW-Authenticate` header (RFC 6750). */
export const WWW_AUTHENTICATE = 'Bearer realm="runsight"';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Longest Authorization header considered (a JWT with many groups stays far below). */
const MAX_HEADER = 16 * 1024;

export function isAuthFailure(r: Principal | AuthFailure): r is AuthFailure {
  return 'status' in r;
}

export async function authenticate(
  deps: AuthDeps,
  authorizationHeader: string | null | undefined,
): Promise<Principal | AuthFailure> {
  if (!authorizationHeader) return unauthorized('an API token is required: Authorization: Bearer <token>');
  if (authorizationHeader.length > MAX_HEADER) return unauthorized('the Authorization header is too long');
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorizationHeader);
  if (!m) return unauthorized('expected Authorization: Bearer <token>');
  const token = m[1]!;
  if (isRunsightToken(token)) {
    if (!deps.tokens) return unauthorized('API tokens are not accepted by this server');
    const principal = await deps.tokens.verify(token);
    return principal ?? unauthorized('the API token is unknown, revoked or expired');
  }
  if (JWT.test(token)) {
    if (!deps.oidc) return unauthorized('OIDC sign-in is not configured on this server (server.oidc)');
    const r = await deps.oidc.verify(token);
    switch (r.kind) {
      case 'ok':
        return r.principal;
      case 'unmapped':
        return { status: 403, message: r.reason, subject: r.subject };
      case 'unavailable':
        return { status: 503, message: r.reason };
      case 'invalid':
        return unauthorized(r.reason);
    }
  }
  return unauthorized('the bearer token is neither a Runsight API token (rs_…) nor a JWT');
}

function unauthorized(message: string): AuthFailure {
  return { status: 401, message };
}
