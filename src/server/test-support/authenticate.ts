// Test support: an `authenticate` for createApp that maps `Authorization: Bearer NAME` to
// `principals[NAME]`, no header to a 401 and any other header to a 401 (the real authenticator's two
// messages, shortened) — for in-process route tests that need callers of
// several roles and scopes without real tokens (the token and OIDC paths have their own tests).
import type { Principal } from '../../core/access.js';
import type { AuthFailure } from '../auth/index.js';

export function authenticateAs(
  principals: Record<string, Principal>,
  missing = 'an API token is required',
): (header: string | undefined) => Promise<Principal | AuthFailure> {
  return async (header) => {
    if (!header) return { status: 401, message: missing };
    const name = /^Bearer (\S+)$/.exec(header)?.[1];
    const p = name ? principals[name] : undefined;
    return p ?? { status: 401, message: 'the API token is unknown, revoked or expired' };
  };
}
