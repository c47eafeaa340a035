// Managing API tokens: create (the secret is returned once and only its hash stored), list
// (never a secret) and revoke. The CLI's `runsight token …` and the API's admin routes call these.
// Checking a presented token is token-verifier.ts.
import { type AccessScope, formatScope, parseScope, ROLES, type Role } from '../../core/access.js';
import { durationToMs } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import {
  type ApiTokenRow,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  type Store,
  TokenNameTakenError,
} from '../../store/index.js';
import { newToken } from './token-format.js';
import { hashSecret } from './token-hash.js';

export interface CreateTokenInput {
  name: string;
  role: string;
  /** `KIND=VALUE` items (`namespace=shop`); none = unrestricted. */
  scopes?: readonly string[] | undefined;
  /** A duration (`90d`, `12h`) or milliseconds; none = never expires. */
  expiresIn?: string | number | undefined;
  now?: Date | undefined;
}

export interface CreatedToken {
  id: string;
  name: string;
  role: Role;
  /** As `["cluster=prod", "namespace=shop"]`. */
  scopes: string[];
  expiresAt: string | null;
  /** The full token: shown this once, never stored. */
  token: string;
}

/** What `token list` shows of a token: everything but its hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/** A token name: a letter or digit, then up to 99 of letters, digits and `. _ @ -`. */
export function checkTokenName(name: string): string {
  if (!NAME.test(name))
    throw new UsageError(
      `token name ${JSON.stringify(name)} is not accepted: expected 1–100 letters, digits, ".", "_", "@" or "-", starting with a letter or digit (e.g. ci-import)`,
    );
  return name;
}

export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`);
  return role as Role;
}

const MAX_EXPIRY_MS = 100 * 365 * 86_400_000;

/** Milliseconds of a positive duration (`90d`, `12h`, `30m`, `45s`; at most 100 years) or of ms. */
export function checkExpiresIn(value: string | number): number {
  const ms = typeof value === 'number' ? value : durationToMs(value);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > MAX_EXPIRY_MS)
    throw new UsageError(
      `expiry ${JSON.stringify(String(value))} is not a positive duration up to 36500d, such as 90d, 12h, 30m or 45s`,
    );
  return ms;
}

/** The input checked and normalised (UsageError when not acceptable), before any store is opened. */
export function checkTokenInput(input: CreateTokenInput): {
  name: string;
  role: Role;
  scopes: string[];
  expiresAt: Date | null;
} {
  const name = checkTokenName(input.name);
  const role = checkRole(input.role);
  const scope: AccessScope = parseScope(input.scopes ?? []);
  const now = input.now ?? new Date();
  const expiresAt =
    input.expiresIn === undefined ? null : new Date(now.getTime() + checkExpiresIn(input.expiresIn));
  return { name, role, scopes: formatScope(scope), expiresAt };
}

export async function createToken(store: Store, input: CreateTokenInput): Promise<CreatedToken> {
  const { name, role, scopes, expiresAt } = checkTokenInput(input);
  const { id, secret, token } = newToken();
  const hash = await hashSecret(secret);
  try {
    await createApiToken(store, { id, name, role, scopes, hash, expiresAt });
  } catch (err) {
    if (err instanceof TokenNameTakenError)
      throw new UsageError(
        `a token named "${name}" already exists and is not revoked: revoke it first (runsight token revoke ${name}) or choose another name`,
      );
    throw err;
  }
  return { id, name, role, scopes, expiresAt: expiresAt?.toISOString() ?? null, token };
}

export async function listTokens(store: Store): Promise<TokenInfo[]> {
  return (await listApiTokens(store)).map(tokenInfo);
}

function tokenInfo(t: ApiTokenRow): TokenInfo {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Revokes the unrevoked token with this id, else with this name. A process that verified the
 * token in the last minute may accept it until its cache entry ends (token-verifier.ts: at most
 * the cache TTL, 60 s by default). None matching → UsageError.
 */
export async function revokeToken(store: Store, idOrName: string): Promise<TokenInfo> {
  const row = await revokeApiToken(store, idOrName);
  if (!row)
    throw new UsageError(
      `no unrevoked token has the id or name ${JSON.stringify(idOrName)} (runsight token list shows them)`,
    );
  return tokenInfo(row);
}
