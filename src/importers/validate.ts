// zod helpers shared by the importers: a whole-document check that names the first offending path,
// and per-item parsing so one malformed vulnerability entry is skipped with its reason instead of
// rejecting a report that is otherwise sound.
import type { z } from 'zod';
import { ReportFormatError } from './errors.js';
import type { SkippedItem } from './model.js';

export function parseDocument<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  what: string,
): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw documentError(file, what, r.error.issues[0]!);
}

/** The error parseDocument throws for `issue`, its path under `prefix` (an item validated apart). */
export function documentError(
  file: string,
  what: string,
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[] = [],
): ReportFormatError {
  const path = [...prefix, ...issue.path];
  const at = path.length ? ` at ${path.map(String).join('.')}` : '';
  return new ReportFormatError(file, `not a valid ${what}${at}: ${issue.message}`);
}

/** Parses each item; failures become skipped entries naming the item and the problem. With `map`,
 * each parsed item is mapped as it is parsed (the parsed copies are not all kept at once). */
export function parseItems<S extends z.ZodType, T = z.infer<S>>(
  schema: S,
  items: readonly unknown[],
  label: (raw: unknown, index: number) => string,
  skipped: SkippedItem[],
  map?: (item: z.infer<S>) => T,
): T[] {
  const out: T[] = [];
  items.forEach((raw, i) => {
    const r = schema.safeParse(raw);
    if (r.success) out.push(map ? map(r.data) : (r.data as T));
    else {
      const issue = r.error.issues[0]!;
      skipped.push({
        id: label(raw, i),
        kind: 'invalid',
        reason: `invalid entry: ${issue.path.map(String).join('.') || 'item'}: ${issue.message}`,
      });
    }
  });
  return out;
}

/** A best-effort label for an item that failed validation. */
export function itemLabel(keys: string[]): (raw: unknown, index: number) => string {
  return (raw, index) => {
    if (raw && typeof raw === 'object')
      for (const k of keys) {
        const v = (raw as Record<string, unknown>)[k];
        if (typeof v === 'string' && v) return v;
      }
    return `#${index}`;
  };
}
