import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { createSecretBox } from './secret-box.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';

describe('secret box (AES-256-GCM, refresh tokens at rest)', () => {
  it('seals to a fresh ciphertext each time that opens only with the same key and context', () => {
    const box = createSecretBox(SECRET, 'dashboard refresh token');
    const a = box.seal('refresh-token-value', 'row-1');
    const b = box.seal('refresh-token-value', 'row-1');
    expect(a).toMatch(/^v1:[\w-]{16}:[\w-]+:[\w-]{22}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value');
    expect(box.open(a, 'row-1')).toBe('refresh-token-value');
    expect(box.open(a, 'row-2'), 'another row').toBeUndefined();
    expect(
      createSecretBox(`${SECRET}x`, 'dashboard refresh token').open(a, 'row-1'),
      'another key',
    ).toBeUndefined();
    expect(createSecretBox(SECRET, 'something else').open(a, 'row-1'), 'another purpose').toBeUndefined();
    const [p, iv, ct, tag] = a.split(':');
    const flipped = `${ct![0] === 'A' ? 'B' : 'A'}${ct!.slice(1)}`;
    expect(box.open([p, iv, flipped, tag].join(':'), 'row-1'), 'altered').toBeUndefined();
    expect(box.open('plaintext', 'row-1')).toBeUndefined();
    // The right tag cut to 4 bytes: GCM would verify it (a 2^-32 forgery bound) unless its length is fixed.
    const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(box.open([p, iv, ct, short].join(':'), 'row-1'), 'truncated tag').toBeUndefined();
  });

  it('refuses a short secret as a configuration error', () => {
    expect(() => createSecretBox('short', 'x')).toThrow(ConfigError);
  });
});
