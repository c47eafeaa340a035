// API token rows: create, find by id, list, revoke, and note the last use (docs/api.md,
// "Authentication and roles"). Only the hash of a token's secret is stored; hashing and checking
// live in src/server/auth/. The rules (names, roles, scopes, expiry) are checked there; this file
// reads and writes rows.
import { sql } from 'kysely';
import type { Role } from '../../../core/access.js';
import type { Store } from '../../open-store.js';

export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  /** `KIND=VALUE` items (src/core/access.ts formatScope); empty = unrestricted. */
  scopes: string[];
  /** `scrypt$N$r$p$salt$hash`; never shown. */
  hash: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface NewApiToken {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  hash: string;
  expiresAt: Date | null;
}

/** Raised when a token of that name exists and is not revoked (names are unique among live tokens). */
export class TokenNameTakenError extends Error {
  constructor(readonly tokenName: string) {
    super(`a token named "${tokenName}" exists and is not revoked`);
  }
}

const COLUMNS = [
  'id',
  'name',
  'role',
  'scopes',
  'hash',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

type Selected = {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  hash: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

function rowOf(r: Selected): ApiTokenRow {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    scopes: r.scopes ?? [],
    hash: r.hash,
    createdAt: new Date(r.created_at),
    expiresAt: r.expires_at ? new Date(r.expires_at) : null,
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  };
}

/** Inserts a token; a live token of the same name → TokenNameTakenError. */
export async function createApiToken(store: Store, t: NewApiToken): Promise<ApiTokenRow> {
  try {
    const row = await store.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        name: t.name,
        role: t.role,
        scopes: t.scopes,
        hash: t.hash,
        expires_at: t.expiresAt,
      })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return rowOf(row);
  } catch (err) {
    // 23505 unique_violation: api_tokens_live_name (the id is 8 random bytes: a clash is not expected).
    if ((err as { code?: string }).code === '23505') throw new TokenNameTakenError(t.name);
    throw err;
  }
}

/** The token with this id, revoked or expired included (the caller decides); undefined when none. */
export async function findApiToken(store: Store, id: string): Promise<ApiTokenRow | undefined> {
  const row = await store.db.selectFrom('api_tokens').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && rowOf(row);
}

/** Every token, newest first (revoked ones too: the list shows when they were revoked). */
export async function listApiTokens(store: Store): Promise<ApiTokenRow[]> {
  const rows = await store.db
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(rowOf);
}

/**
 * Revokes the live token whose id is `idOrName`, else the live token of that name. Returns the
 * revoked row, or undefined when no unrevoked token matches.
 */
export async function revokeApiToken(
  store: Store,
  idOrName: string,
  at: Date = new Date(),
): Promise<ApiTokenRow | undefined> {
  return store.transaction(async (tx) => {
    const byId = await tx.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', idOrName)
      .where('revoked_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    if (byId) return rowOf(byId);
    const byName = await tx.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('name', '=', idOrName)
      .where('revoked_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    return byName && rowOf(byName);
  });
}

/**
 * Records a use of the token at `at`, unless one was recorded less than a minute before: returns
 * whether the row was written. Callers also throttle in memory (src/server/auth/tokens.ts), so a
 * busy token costs one write a minute, not one per request.
 */
export async function touchApiToken(store: Store, id: string, at: Date = new Date()): Promise<boolean> {
  const r = await store.db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`${at}::timestamptz - interval '1 minute'`),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
