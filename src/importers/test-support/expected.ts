// Test support, transitional: kept only because src/cli/commands/import.test.ts still imports
// expectedGrype/expectedTrivyOperator. It no longer re-implements the de-duplication rule: each
// figure is a hand count of the report file, looked up by the file the document was read from.
// Delete this file once import.test.ts imports `raw`/`TESTDATA` from ./reports.js and writes the
// literals (keycloak-test 6, chainguard-ruby-test 2, vulnerabilityreport_many 41).
import { raw as readRaw, TESTDATA } from './reports.js';

// biome-ignore lint/suspicious/noExplicitAny: raw, unvalidated JSON on purpose.
type Json = any;

export { TESTDATA };

const fileOf = new WeakMap<object, string>();

export function raw(rel: string): Json {
  const doc = readRaw(rel);
  if (doc && typeof doc === 'object') fileOf.set(doc, rel);
  return doc;
}

// Distinct (vulnerability, package, installed version), counted by hand; check with
//   jq -c '.matches[] | [.vulnerability.id, [.relatedVulnerabilities[]?.id], .artifact.name, .artifact.version]'
// keycloak-test: 6 matches on 6 packages → 6. chainguard-ruby-test: ruby-3.0 CVE-2023-28755, uri
// CVE-2023-28755, uri GHSA-hv5j-3h9f-99c2 (related to that CVE) → 2.
// vulnerabilityreport_many: 41 (DefectDojo test_trivy_operator_parser; 41 unique
// [.vulnerabilityID,.resource,.installedVersion] by jq).
const HAND_COUNTED: Record<string, number> = {
  'grype/keycloak-test.json': 6,
  'grype/chainguard-ruby-test.json': 2,
  'trivy-operator-defectdojo/vulnerabilityreport_many.json': 41,
};

function handCounted(doc: Json): number {
  const rel = fileOf.get(doc);
  const n = rel === undefined ? undefined : HAND_COUNTED[rel];
  if (n === undefined) throw new Error(`no hand-checked figure for ${rel ?? 'a document not read by raw()'}`);
  return n;
}

export const expectedGrype = handCounted;
export const expectedTrivyOperator = handCounted;
