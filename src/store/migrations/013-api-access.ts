// Migration 13: who may use the API (docs/api.md, "Authentication and roles").
// - api_tokens: one row per API token. The secret itself is never stored: `hash` holds a salted
//   scrypt hash with its parameters (src/server/auth/token-hash.ts). A name is unique among tokens
//   not revoked (an expired token keeps its name until it is revoked). `scopes` holds the access
//   scope as `KIND=VALUE` items (src/core/access.ts). last_used_at is written at most once a minute.
// - audit_log: one row per audited API action (who, with which role, what, on what, how it ended),
//   read back by time range with keyset paging on id.
import { type Kysely, sql } from 'kysely';

export const version = 13;
export const name = 'api-access';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
create table api_tokens (
  id           text primary key,               -- the <id> of rs_<id>_<secret>
  name         text not null,
  role         text not null check (role in ('viewer', 'operator', 'admin')),
  scopes       text[] not null default '{}',   -- KIND=VALUE items; none = unrestricted
  hash         text not null,                  -- scrypt$N$r$p$salt$hash (base64url)
  created_at   timestamptz not null default now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
create unique index api_tokens_live_name on api_tokens (name) where revoked_at is null;
create table audit_log (
  id       bigserial primary key,
  at       timestamptz not null default now(),
  subject  text not null,                      -- token:NAME, oidc:SUB, or anonymous
  role     text,
  action   text not null,                      -- e.g. POST /api/v1/imports
  target   text,
  outcome  text not null,                      -- an HTTP status, ok or error
  detail   jsonb
);
create index audit_log_at on audit_log (at);
`;
