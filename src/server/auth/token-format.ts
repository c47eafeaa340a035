// The text of an API token: `rs_<id>_<secret>`. The id (16 hex digits) finds the row; the secret
// (32 random bytes, base64url: 43 characters, which may contain `_` and `-`) is what the hash
// checks. Only the id is ever shown again after creation.
import { randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'rs_';
const ID = /^[0-9a-f]{16}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface TokenParts {
  id: string;
  secret: string;
}

/** A new id and secret, and the token text that carries both. */
export function newToken(): TokenParts & { token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${TOKEN_PREFIX}${id}_${secret}` };
}

/** Whether the text looks like a Runsight token (the prefix), whatever its validity. */
export function isRunsightToken(text: string): boolean {
  return text.startsWith(TOKEN_PREFIX);
}

/** The id and secret of a well-formed token; undefined otherwise. */
export function parseToken(text: string): TokenParts | undefined {
  if (!text.startsWith(TOKEN_PREFIX)) return undefined;
  const rest = text.slice(TOKEN_PREFIX.length);
  const id = rest.slice(0, 16);
  const secret = rest.slice(17);
  if (rest[16] !== '_' || !ID.test(id) || !SECRET.test(secret)) return undefined;
  return { id, secret };
}
