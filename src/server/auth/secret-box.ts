// Secrets kept at rest by the server (ADR 0023): AES-256-GCM under a key derived with HKDF-SHA256
// from `server.sessionSecret` (or the RUNSIGHT_SESSION_SECRET environment variable). Each value
// gets a fresh 96-bit IV and is bound to `context` (additional authenticated data: the row it
// belongs to), so a ciphertext copied to another row does not open. Without a configured secret
// there is no box: callers keep such secrets in the process's memory only.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';

const PREFIX = 'v1:';
/** Shortest secret accepted: 32 characters (a random 256-bit value in base64 is 44). */
export const MIN_SESSION_SECRET_LENGTH = 32;

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** The plaintext, or undefined when `sealed` is not this key's, was altered, or belongs to another context. */
  open(sealed: string, context: string): string | undefined;
}

/** The configured session secret: `server.sessionSecret`, else RUNSIGHT_SESSION_SECRET; undefined when neither. */
export function sessionSecretOf(configured: string | undefined): string | undefined {
  const s = configured ?? process.env.RUNSIGHT_SESSION_SECRET;
  return s === undefined || s === '' ? undefined : s;
}

/** A box under `secret`; a secret shorter than 32 characters is a ConfigError. */
export function createSecretBox(secret: string, purpose: string): SecretBox {
  if (secret.length < MIN_SESSION_SECRET_LENGTH)
    throw new ConfigError(
      'server.sessionSecret',
      `must be at least ${MIN_SESSION_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`,
    );
  const key = Buffer.from(hkdfSync('sha256', secret, 'runsight', `runsight ${purpose} v1`, 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}:${ct.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
    },
    open(sealed, context) {
      if (!sealed.startsWith(PREFIX)) return undefined;
      const [iv, ct, tag] = sealed.slice(PREFIX.length).split(':');
      if (!iv || ct === undefined || !tag) return undefined;
      const tagBytes = Buffer.from(tag, 'base64url');
      if (tagBytes.length !== 16) return undefined; // GCM would accept a truncated tag
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: 16,
        });
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return undefined;
      }
    },
  };
}
