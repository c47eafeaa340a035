// Migration 25: OIDC back-channel logout for dashboard sessions (OpenID Connect Back-Channel Logout
// 1.0; docs/api.md "Dashboard").
// - dashboard_sessions.sid: the issuer's session id (the ID token's `sid` claim) of an SSO sign-in,
//   so a logout token naming that sid ends exactly the sessions it began.
// - dashboard_logout_tokens: the `jti` of every logout token accepted, kept until its expiry, so a
//   replayed token is refused by every server process on the store.
import { type Kysely, sql } from 'kysely';

export const version = 25;
export const name = 'session-sid';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
alter table dashboard_sessions add column sid text;   -- the issuer's session (SSO sign-ins only)
create index dashboard_sessions_sid on dashboard_sessions (sid) where sid is not null;
create index dashboard_sessions_subject on dashboard_sessions (subject) where via = 'oidc';
create table dashboard_logout_tokens (
  jti        text primary key,                          -- the logout token's id
  expires_at timestamptz not null                       -- kept until then (replays refused)
);
`;
