// The API's one error shape, `{error: {code, message}}`, and the mapping from the stages' typed
// errors to HTTP statuses: not found (or outside the caller's scope) 404, bad input 400, anything
// else 500 with a fixed message (the cause goes to the log, never a stack to the client). Messages
// may carry untrusted names: JSON escapes them, and control characters are stripped here.
import { InputError, RunsightError } from '../core/errors.js';

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 503 | 504;

/** An error a route raises on purpose, with its status and code. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Control characters (C0, DEL, C1) out; tabs and newlines become spaces. */
export function cleanMessage(text: string): string {
  return text.replace(/[\t\n\r]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message: cleanMessage(message) } };
}

/** Status and body for a thrown error; `internal` is true when the cause must be logged. */
export function toErrorResponse(err: unknown): { status: ErrorStatus; body: ErrorBody; internal: boolean } {
  if (err instanceof ApiError)
    return { status: err.status, body: errorBody(err.code, err.message), internal: false };
  // views/scoped-read.ts NotFoundError (an InputError): unknown or outside the scope, alike.
  if (err instanceof Error && err.name === 'NotFoundError')
    return { status: 404, body: errorBody('not_found', err.message), internal: false };
  if (err instanceof InputError)
    return { status: 400, body: errorBody('bad_request', err.message), internal: false };
  if (err instanceof RunsightError && err.name === 'InterruptedError')
    return { status: 503, body: errorBody('shutting_down', 'the server is shutting down'), internal: false };
  return {
    status: 500,
    body: errorBody('internal', 'internal error; the server log has the details'),
    internal: true,
  };
}
