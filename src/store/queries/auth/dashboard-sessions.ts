// Dashboard session rows (docs/api.md "Dashboard"): create, find by the hash of the session id
// (with the state of the API token it was signed in with), note the last use, delete one, sweep
// ended ones, and end the SSO sessions a back-channel logout names (refusing a replayed logout token).
// SSO sessions with a refresh token (migration 27, ADR 0023): take the lease of a due refresh and
// finish it with the claims it gave. Hashing, expiry rules, encryption and cookies live in
// src/server/dashboard/sessions.ts; this file reads and writes rows.
import { sql } from 'kysely';
import type { Role } from '../../../core/access.js';
import type { Store } from '../../open-store.js';

export interface NewDashboardSession {
  idHash: string;
  csrfHash: string;
  subject: string;
  role: Role;
  /** `KIND=VALUE` items (src/core/access.ts formatScope); empty = unrestricted. */
  scopes: string[];
  via: 'token' | 'oidc';
  tokenId: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** The issuer's session id of an SSO sign-in (the ID token's `sid`), for back-channel logout. */
  sid?: string | null | undefined;
  /** Migration 27: the issuer's refresh token, already encrypted (never plaintext), or null. */
  refreshToken?: string | null | undefined;
  /** When the session's claims are next refreshed with the issuer; null: never. */
  refreshDueAt?: Date | null | undefined;
}

export interface DashboardSessionRow extends NewDashboardSession {
  lastSeenAt: Date;
  /** The API token's revocation and expiry, when the session was signed in with one. */
  tokenRevokedAt: Date | null;
  tokenExpiresAt: Date | null;
  /** False when the session names a token that no longer exists (cannot happen with the cascade). */
  tokenFound: boolean;
  /** When the issuer last confirmed the session (sign-in or refresh); null for other sessions. */
  checkedAt: Date | null;
}

export async function createDashboardSession(store: Store, s: NewDashboardSession): Promise<void> {
  await store.db
    .insertInto('dashboard_sessions')
    .values({
      id_hash: s.idHash,
      csrf_hash: s.csrfHash,
      subject: s.subject,
      role: s.role,
      scopes: s.scopes,
      via: s.via,
      token_id: s.tokenId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      last_seen_at: s.createdAt,
      sid: s.sid ?? null,
      refresh_token: s.refreshToken ?? null,
      refresh_due_at: s.refreshDueAt ?? null,
      checked_at: s.refreshDueAt ? s.createdAt : null,
    })
    .execute();
}

/** The session whose id hashes to `idHash`, ended or not (the caller decides); undefined when none. */
export async function findDashboardSession(
  store: Store,
  idHash: string,
): Promise<DashboardSessionRow | undefined> {
  const r = await store.db
    .selectFrom('dashboard_sessions as s')
    .leftJoin('api_tokens as t', 't.id', 's.token_id')
    .select([
      's.id_hash',
      's.csrf_hash',
      's.subject',
      's.role',
      's.scopes',
      's.via',
      's.token_id',
      's.created_at',
      's.expires_at',
      's.last_seen_at',
      's.refresh_token',
      's.refresh_due_at',
      's.checked_at',
      't.id as t_id',
      't.revoked_at as t_revoked_at',
      't.expires_at as t_expires_at',
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    idHash: r.id_hash,
    csrfHash: r.csrf_hash,
    subject: r.subject,
    role: r.role,
    scopes: r.scopes ?? [],
    via: r.via,
    tokenId: r.token_id,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    lastSeenAt: new Date(r.last_seen_at),
    refreshToken: r.refresh_token,
    refreshDueAt: r.refresh_due_at ? new Date(r.refresh_due_at) : null,
    checkedAt: r.checked_at ? new Date(r.checked_at) : null,
    tokenFound: r.token_id === null || r.t_id !== null,
    tokenRevokedAt: r.t_revoked_at ? new Date(r.t_revoked_at) : null,
    tokenExpiresAt: r.t_expires_at ? new Date(r.t_expires_at) : null,
  };
}

/** Records a use at `at` unless one was recorded less than a minute before; returns whether it wrote. */
export async function touchDashboardSession(store: Store, idHash: string, at: Date): Promise<boolean> {
  const r = await store.db
    .updateTable('dashboard_sessions')
    .set({ last_seen_at: at })
    .where('id_hash', '=', idHash)
    .where('last_seen_at', '<', sql<Date>`${at}::timestamptz - interval '1 minute'`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteDashboardSession(store: Store, idHash: string): Promise<boolean> {
  const r = await store.db.deleteFrom('dashboard_sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Deletes sessions that ended by `at`: past their absolute end, or not seen since `idleBefore`.
 * Returns how many went.
 */
export async function deleteEndedDashboardSessions(
  store: Store,
  at: Date,
  idleBefore: Date,
): Promise<number> {
  const r = await store.db
    .deleteFrom('dashboard_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', at), eb('last_seen_at', '<', idleBefore)]))
    .executeTakeFirst();
  await store.db.deleteFrom('dashboard_logout_tokens').where('expires_at', '<=', at).execute();
  return Number(r.numDeletedRows);
}

/**
 * Notes logout token `jti` as used until `expiresAt`; false when it was already (a replay).
 */
export async function recordLogoutToken(store: Store, jti: string, expiresAt: Date): Promise<boolean> {
  const r = await store.db
    .insertInto('dashboard_logout_tokens')
    .values({ jti, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .returning('jti')
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Deletes the SSO sessions a back-channel logout names: those of issuer session `sid` (of
 * `subject` too when given), or every SSO session of `subject` when no sid is given. Returns how many.
 */
export async function deleteSsoSessions(
  store: Store,
  who: { subject?: string | undefined; sid?: string | undefined },
): Promise<number> {
  if (who.subject === undefined && who.sid === undefined) return 0;
  let q = store.db.deleteFrom('dashboard_sessions').where('via', '=', 'oidc');
  if (who.sid !== undefined) q = q.where('sid', '=', who.sid);
  if (who.subject !== undefined) q = q.where('subject', '=', who.subject);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * The state of the API token `tokenId` (for a signed session, which has no row to join): undefined
 * when no such token exists.
 */
export async function findSessionTokenState(
  store: Store,
  tokenId: string,
): Promise<{ revokedAt: Date | null; expiresAt: Date | null } | undefined> {
  const r = await store.db
    .selectFrom('api_tokens')
    .select(['revoked_at', 'expires_at'])
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    expiresAt: r.expires_at ? new Date(r.expires_at) : null,
  };
}

/**
 * Takes the refresh of session `idHash` for this caller until `leaseUntil`: only when it is due at
 * `at` and no other refresh holds a lease. Answers the stored (encrypted) refresh token, or
 * undefined when the refresh is not due or another process is doing it.
 */
export async function claimSessionRefresh(
  store: Store,
  idHash: string,
  at: Date,
  leaseUntil: Date,
): Promise<{ refreshToken: string | null } | undefined> {
  const r = await store.db
    .updateTable('dashboard_sessions')
    .set({ refresh_lease_until: leaseUntil })
    .where('id_hash', '=', idHash)
    .where('refresh_due_at', '<=', at)
    .where((eb) => eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<=', at)]))
    .returning('refresh_token')
    .executeTakeFirst();
  return r ? { refreshToken: r.refresh_token } : undefined;
}

/**
 * Ends a refresh of session `idHash` and releases its lease: `claims` (a successful refresh) sets
 * the new role and scopes, the (encrypted) rotated refresh token when one was issued, and the
 * confirmation time; every outcome sets when the next refresh is due.
 */
export async function finishSessionRefresh(
  store: Store,
  idHash: string,
  outcome: {
    dueAt: Date;
    claims?:
      | { role: Role; scopes: string[]; checkedAt: Date; refreshToken?: string | null | undefined }
      | undefined;
  },
): Promise<void> {
  const c = outcome.claims;
  await store.db
    .updateTable('dashboard_sessions')
    .set({
      refresh_due_at: outcome.dueAt,
      refresh_lease_until: null,
      ...(c
        ? {
            role: c.role,
            scopes: c.scopes,
            checked_at: c.checkedAt,
            ...(c.refreshToken !== undefined ? { refresh_token: c.refreshToken } : {}),
          }
        : {}),
    })
    .where('id_hash', '=', idHash)
    .execute();
}
