// What every view takes beside its own query: the caller's access scope (src/core/access.ts), which
// the store applies inside its read queries, and the error a view raises for something that exists
// but lies outside the scope — the same "not found" as something that does not exist, so a scoped
// caller cannot probe for what it may not see.
import type { AccessScope } from '../core/access.js';
import { InputError } from '../core/errors.js';

/** The trailing options of every view: `scope` left out (or `{}`) sees everything. */
export interface ScopedRead {
  scope?: AccessScope | undefined;
}

/** A container, workload, image or vulnerability that is unknown, or outside the caller's scope (HTTP 404, exit 2). */
export class NotFoundError extends InputError {
  override readonly name: string = 'NotFoundError';
}
