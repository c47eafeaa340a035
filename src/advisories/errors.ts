// Typed errors of advisory import: which file (and record or line) is bad, what was expected.
import { InputError, RunsightError } from '../core/errors.js';

/** A source file that does not match its format. Nothing of the update is stored. Exit 2. */
export class AdvisoryFormatError extends InputError {
  override readonly name: string = 'AdvisoryFormatError';
  constructor(
    readonly origin: string,
    detail: string,
  ) {
    super(`${origin}: ${detail}. Nothing was imported; fix or remove this file and run db update again.`);
  }
}

/** A source that could not be fetched or read (HTTP status, missing path…). Exit 3. */
export class AdvisorySourceError extends RunsightError {
  override readonly name: string = 'AdvisorySourceError';
}
