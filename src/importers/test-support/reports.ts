// Test support: where the real scanner reports live (testdata/importers/, see its SOURCES.md) and a
// reader for their raw, unvalidated JSON. Expected figures are not computed here: each test states
// its figures as literals — the publishing project's stated count (DefectDojo
// unittests/tools/test_*_parser.py, osv-scanner's own groups) or a hand count, with the jq command
// that checks it written beside the number.
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: raw, unvalidated JSON on purpose.
type Json = any;

export const TESTDATA = new URL('../../../testdata/importers/', import.meta.url).pathname;

/** The parsed JSON of `testdata/importers/<rel>`. */
export function raw(rel: string): Json {
  return JSON.parse(readFileSync(TESTDATA + rel, 'utf8'));
}
