// Typed errors for reports that cannot be imported. All are input errors (exit 2): the message says
// which file, what was expected, what came, and what to do.
import { InputError } from '../core/errors.js';

/** The file is not a report of the expected format, or is malformed/truncated/of an unknown version. */
export class ReportFormatError extends InputError {
  override readonly name: string = 'ReportFormatError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
