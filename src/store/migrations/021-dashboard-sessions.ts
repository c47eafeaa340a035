// Migration 21: dashboard sessions in the store (docs/api.md "Dashboard"), so a restart keeps
// people signed in and several server processes on one PostgreSQL share them.
// - id_hash: SHA-256 (hex) of the random session id the cookie carries; the id itself is never
//   stored. csrf_hash: SHA-256 of the session's CSRF token (derived from the id, never stored).
// - The principal (subject, role, scopes as KIND=VALUE items, how it signed in). token_id names the
//   API token a token sign-in used: a revoked or expired token ends its sessions (the page check
//   joins api_tokens); deleting the token row deletes them.
// - expires_at is the absolute end (capped by a pasted ID token's own expiry); last_seen_at drives
//   the idle end (written at most once a minute).
import { type Kysely, sql } from 'kysely';

export const version = 21;
export const name = 'dashboard-sessions';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
create table dashboard_sessions (
  id_hash      text primary key,                -- sha256 hex of the cookie's session id
  csrf_hash    text not null,                   -- sha256 hex of the session's CSRF token
  subject      text not null,                   -- token:NAME or oidc:SUB
  role         text not null check (role in ('viewer', 'operator', 'admin')),
  scopes       text[] not null default '{}',    -- KIND=VALUE items; none = unrestricted
  via          text not null check (via in ('token', 'oidc')),   -- oidc: a pasted ID token or SSO
  token_id     text references api_tokens (id) on delete cascade,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  last_seen_at timestamptz not null default now()
);
create index dashboard_sessions_expires on dashboard_sessions (expires_at);
create index dashboard_sessions_token on dashboard_sessions (token_id) where token_id is not null;
`;
