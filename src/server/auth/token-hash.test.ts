// The stored hash of a token secret: scrypt with the stated parameters and a per-token salt.
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from './token-hash.js';

describe('token secret hash', () => {
  it('stores scrypt N=2^15 r=8 p=1 with a 16-byte salt and a 32-byte hash, never the secret', async () => {
    const stored = await hashSecret('correct horse');
    const [kind, n, r, p, salt, hash] = stored.split('$');
    expect([kind, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
    // The hash is node's scrypt of the secret under that salt (checked with the synchronous call).
    const again = scryptSync('correct horse', Buffer.from(salt!, 'base64url'), 32, {
      N: 32768,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(again.toString('base64url')).toBe(hash);
  });

  it('verifies the right secret only; two hashes of one secret differ by salt', async () => {
    const a = await hashSecret('s3cret');
    const b = await hashSecret('s3cret');
    expect(a).not.toBe(b);
    expect(await verifySecret('s3cret', a)).toBe(true);
    expect(await verifySecret('s3cret', b)).toBe(true);
    expect(await verifySecret('s3cret!', a)).toBe(false);
    expect(await verifySecret('', a)).toBe(false);
  });

  it('treats a stored value in another form, or with absurd parameters, as a mismatch', async () => {
    expect(await verifySecret('x', 'plain-text')).toBe(false);
    expect(await verifySecret('x', 'bcrypt$1$2$3$4$5')).toBe(false);
    expect(await verifySecret('x', 'scrypt$1073741824$8$1$AAAA$AAAA')).toBe(false); // N = 2^30
    expect(await verifySecret('x', 'scrypt$1000$8$1$AAAA$AAAA')).toBe(false); // not a power of 2
  });
});
