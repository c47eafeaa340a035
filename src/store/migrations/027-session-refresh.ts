// Migration 27: dashboard SSO sessions re-checked with the issuer's refresh token (ADR 0023;
// docs/api.md "Dashboard").
// - refresh_token: the issuer's refresh token, AES-256-GCM under a key derived from
//   server.sessionSecret (never plaintext; null when no key is configured: the token then lives in
//   the process's memory only, or when the issuer granted none).
// - refresh_due_at: when the session's claims are next refreshed (null: never, no refresh token).
// - checked_at: the last time the issuer confirmed the session (sign-in or a refresh); an issuer
//   unreachable for longer than the grace ends the session.
// - refresh_lease_until: a refresh in progress by some process; others do not start a second one
//   (issuers rotate refresh tokens: a second use of a rotated token fails).
import { type Kysely, sql } from 'kysely';

export const version = 27;
export const name = 'session-refresh';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
alter table dashboard_sessions add column refresh_token text;                 -- encrypted (v1:iv:ciphertext:tag)
alter table dashboard_sessions add column refresh_due_at timestamptz;         -- next re-check with the issuer
alter table dashboard_sessions add column checked_at timestamptz;             -- the issuer's last confirmation
alter table dashboard_sessions add column refresh_lease_until timestamptz;    -- a refresh in progress
`;
