// The error of a feed that could not be fetched or verified: its message says which URL and what
// went wrong; the feed's previous data stays in force and `db status` shows the message.
import { RunsightError } from '../../core/errors.js';

export class FeedError extends RunsightError {
  override readonly name: string = 'FeedError';
}
