// Guessing tokens is slowed down: a client address whose credentials (a Bearer token, or the
// dashboard's login form) failed FAILURES_PER_MINUTE times in the last minute gets 429 with
// Retry-After, before any token is checked (each check of a known token id costs one scrypt).
// A request without credentials never counts. In memory, per process: a restart forgets it.
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.js';

export const FAILURES_PER_MINUTE = 30;
const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

export function authThrottle(
  addressOf: (c: Parameters<MiddlewareHandler>[0]) => string,
  now: () => number = Date.now,
): MiddlewareHandler {
  const failures = new Map<string, number[]>();
  const recent = (address: string, t: number) =>
    (failures.get(address) ?? []).filter((at) => t - at < WINDOW_MS);
  return async (c, next) => {
    const credentials =
      c.req.header('authorization') !== undefined || (c.req.method === 'POST' && c.req.path === '/login');
    if (!credentials) return next();
    const address = addressOf(c);
    const t = now();
    const seen = recent(address, t);
    if (seen.length >= FAILURES_PER_MINUTE) {
      const retry = Math.max(1, Math.ceil((seen[0]! + WINDOW_MS - t) / 1000));
      c.header('Retry-After', String(retry));
      return c.json(
        errorBody('too_many_failures', `too many failed sign-ins from this address; retry in ${retry}s`),
        429,
      );
    }
    await next();
    if (c.res.status === 401) {
      if (!failures.has(address) && failures.size >= MAX_ADDRESSES) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
      failures.set(address, [...seen, t]);
    } else if (seen.length) failures.set(address, seen);
  };
}
