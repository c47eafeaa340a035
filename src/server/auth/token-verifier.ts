// Checking a presented API token: parse `rs_<id>_<secret>`, find the row by id, refuse it when
// revoked or expired, check the secret against the scrypt hash, and answer the caller's Principal.
//
// scrypt is slow on purpose (token-hash.ts), so a successful check is cached in memory for a short
// time (60 s by default), keyed by a SHA-256 of the whole token (never the token itself), and
// checks of the same token already running are shared: 200 concurrent requests cost one scrypt.
// The cost: a token revoked by another process (the CLI, another server) is accepted by this one
// until its cache entry ends — at most the TTL. A cache entry never outlives the token's expiry.
// Failures are not cached. The last use is written at most once a minute per token.
import { createHash } from 'node:crypto';
import { type Principal, parseScope } from '../../core/access.js';
import { findApiToken, type Store, touchApiToken } from '../../store/index.js';
import { parseToken } from './token-format.js';
import { verifySecret } from './token-hash.js';

export interface TokenVerifierOptions {
  /** How long a successful check is reused (default 60 000 ms; 0 turns the cache off). */
  cacheTtlMs?: number | undefined;
  /** Most cached tokens (default 10 000): the oldest entry goes first. */
  maxEntries?: number | undefined;
  /** Least time between two writes of a token's last use (default 60 000 ms). */
  touchIntervalMs?: number | undefined;
  /** The clock, in ms (tests). */
  now?: (() => number) | undefined;
  /** Told when writing the last use failed (a read-only store, say); the request is not. */
  onTouchError?: ((err: unknown) => void) | undefined;
}

export interface TokenVerifier {
  /** The caller a token stands for; null when it is unknown, malformed, revoked, expired or wrong. */
  verify(token: string): Promise<Principal | null>;
  /** Drops cached checks of this token id (after revoking it through this process), or of all. */
  forget(tokenId?: string): void;
  /** Resolves when the last-use writes started so far have ended (tests, shutdown). */
  flush(): Promise<void>;
}

interface Checked {
  principal: Principal;
  /** The token's expiry in ms (Infinity: none). */
  expiry: number;
}

interface Cached {
  principal: Principal;
  until: number;
}

export function createTokenVerifier(store: Store, opts: TokenVerifierOptions = {}): TokenVerifier {
  const ttl = opts.cacheTtlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const touchInterval = opts.touchIntervalMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Cached>();
  const running = new Map<string, Promise<Checked | null>>();
  const touched = new Map<string, number>();
  const touches = new Set<Promise<void>>();

  function touch(id: string): void {
    const t = now();
    const last = touched.get(id);
    if (last !== undefined && t - last < touchInterval) return;
    touched.set(id, t);
    const p = touchApiToken(store, id, new Date(t))
      .then(() => {})
      .catch((err) => opts.onTouchError?.(err))
      .finally(() => touches.delete(p));
    touches.add(p);
  }

  async function check(token: string): Promise<Checked | null> {
    const parts = parseToken(token);
    if (!parts) return null;
    const row = await findApiToken(store, parts.id);
    if (!row || row.revokedAt) return null;
    const expiry = row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    if (expiry <= now()) return null;
    if (!(await verifySecret(parts.secret, row.hash))) return null;
    let principal: Principal;
    try {
      principal = {
        subject: `token:${row.name}`,
        role: row.role,
        scope: parseScope(row.scopes),
        via: 'token',
        tokenId: row.id,
      };
    } catch {
      return null; // a stored scope that no longer parses grants nothing
    }
    return { principal, expiry };
  }

  function remember(key: string, checked: Checked): void {
    if (ttl <= 0) return;
    if (cache.size >= maxEntries) {
      const t = now();
      for (const [k, v] of cache) if (v.until <= t) cache.delete(k);
      while (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, { principal: checked.principal, until: Math.min(now() + ttl, checked.expiry) });
  }

  return {
    async verify(token) {
      const key = createHash('sha256').update(token).digest('hex');
      const hit = cache.get(key);
      if (hit) {
        if (hit.until > now()) {
          touch(hit.principal.tokenId!);
          return hit.principal;
        }
        cache.delete(key);
      }
      let pending = running.get(key);
      if (!pending) {
        pending = check(token).finally(() => running.delete(key));
        running.set(key, pending);
      }
      const checked = await pending;
      if (!checked || checked.expiry <= now()) return null;
      remember(key, checked);
      touch(checked.principal.tokenId!);
      return checked.principal;
    },
    forget(tokenId) {
      for (const [k, v] of cache)
        if (tokenId === undefined || v.principal.tokenId === tokenId) cache.delete(k);
    },
    async flush() {
      await Promise.all([...touches]);
    },
  };
}
