// The slow hash kept for an API token's secret: scrypt (RFC 7914, node:crypto) with a per-token
// random salt and the parameters written into the stored string, so they can be raised later
// without breaking tokens already issued. Checked with a constant-time comparison.
//
// Stored form: `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
// Parameters: N = 2^15, r = 8, p = 1, 16-byte salt, 32-byte hash (32 MiB and tens of milliseconds
// per check — src/server/auth/token-verifier.ts caches successful checks so a burst costs one).
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Highest N a stored hash may ask for (a tampered row must not make a check take minutes). */
const MAX_N = 2 ** 20;

function scryptAsync(secret: string, salt: Buffer, length: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function options(N: number, r: number, p: number): ScryptOptions {
  // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) is exactly that at N=2^15, r=8.
  return { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
}

/** The stored form of `secret`, with a fresh salt. */
export async function hashSecret(secret: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(secret, salt, HASH_BYTES, options(N, r, p));
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `secret` hashes to `stored`; a stored value in another form is a mismatch, never an error. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > MAX_N || (N & (N - 1)) !== 0) return false;
  if (r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (salt.length === 0 || expected.length === 0) return false;
  const actual = await scryptAsync(secret, salt, expected.length, options(N, r, p));
  return timingSafeEqual(actual, expected);
}
