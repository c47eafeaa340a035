// Each request's AbortSignal (`c.var.signal`, docs/api.md "Timeouts and cancellation"): it fires when
// the request outlives `server.requestTimeout`, when the client goes away, or when the server shuts
// down, and the routes pass it to the stage functions that take one, so timed-out work stops at its
// next check instead of running on unseen. A write checks it before it commits: an aborted write
// rolls back, nothing half-written.
//
// On timeout the answer is 504. The work is given a short grace to stop (so that its transaction
// has rolled back and its audit entry is written when the client reads the 504); work that finished
// within the grace keeps its own answer (a write that committed is not reported as failed).
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './context.js';
import { ApiError, errorBody } from './errors.js';

/** How long timed-out work may take to stop (roll back) before the 504 goes out regardless. */
export const ABORT_GRACE_MS = 1000;

/** The abort reason of a timed-out request: thrown by `signal.throwIfAborted()`, it answers 504. */
export class RequestTimeoutError extends ApiError {
  constructor(ms: number) {
    super(504, 'timeout', `the request took longer than ${ms / 1000}s`);
    this.name = 'RequestTimeoutError';
  }
}

export function requestSignal(
  timeoutMs: number,
  shutdown?: AbortSignal | undefined,
  graceMs = ABORT_GRACE_MS,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const timer = new AbortController();
    const sources = [timer.signal, c.req.raw.signal];
    if (shutdown) sources.push(shutdown);
    c.set('signal', AbortSignal.any(sources));
    let fire: () => void = () => {};
    const fired = new Promise<'timeout'>((resolve) => {
      fire = () => resolve('timeout');
    });
    const reason = new RequestTimeoutError(timeoutMs);
    const handle = setTimeout(() => {
      timer.abort(reason);
      fire();
    }, timeoutMs);
    let settled = false;
    const work = next().finally(() => {
      settled = true;
    });
    try {
      if ((await Promise.race([work, fired])) !== 'timeout') return;
      let graceHandle: NodeJS.Timeout | undefined;
      await Promise.race([
        work.catch(() => {}),
        new Promise((resolve) => {
          graceHandle = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(graceHandle);
      if (settled) return;
      throw new HTTPException(504, {
        res: Response.json(errorBody(reason.code, reason.message), { status: 504 }),
      });
    } finally {
      clearTimeout(handle);
    }
  };
}
