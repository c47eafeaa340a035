// Page cursors of the paged views (containers, posture groups, vuln where): the last row's place in
// the list's order, as JSON in base64url. A cursor is taken only when it decodes to the place its
// view expects and encodes back to the same text, so an altered cursor is an input error (HTTP 400),
// never a query with unchecked values.
import { InputError } from '../core/errors.js';

export function encodeCursor(place: unknown): string {
  return Buffer.from(JSON.stringify(place)).toString('base64url');
}

/** `accept` returns the place a parsed cursor names, or undefined when it is not one; `refusal` is the error's message. */
export function decodeCursor<T>(
  text: string,
  accept: (parsed: unknown) => T | undefined,
  refusal: string,
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const place = parsed === undefined ? undefined : accept(parsed);
  if (place === undefined || encodeCursor(parsed) !== text) throw new InputError(refusal);
  return place;
}
