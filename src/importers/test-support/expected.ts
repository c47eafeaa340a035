// Test support: expected finding counts computed straight from the raw report JSON, sharing no code
// with the importers (a jq-like reduction per format). A finding is a distinct
// (vulnerability, package, installed version); the vulnerability is the report's id, or the single
// CVE its aliases name (the rule docs/importers.md states).
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: raw, unvalidated JSON on purpose.
type Json = any;

export const TESTDATA = new URL('../../../testdata/importers/', import.meta.url).pathname;

export function raw(rel: string): Json {
  return JSON.parse(readFileSync(TESTDATA + rel, 'utf8'));
}

function vulnId(id: string, aliases: string[] = []): string {
  if (/^CVE-/.test(id)) return id;
  const cves = [...new Set(aliases.filter((a) => /^CVE-/.test(a)))];
  return cves.length === 1 ? cves[0]! : id;
}

function distinct(keys: string[][]): number {
  return new Set(keys.map((k) => k.join('|'))).size;
}

/** Trivy SchemaVersion 2, or the pre-v2 list (entries without a VulnerabilityID are not findings). */
export function expectedTrivy(doc: Json): number {
  const results: Json[] = Array.isArray(doc) ? doc : (doc.Results ?? []);
  return distinct(
    results
      .flatMap((r) => r.Vulnerabilities ?? [])
      .filter((v) => v.VulnerabilityID)
      .map((v) => [v.VulnerabilityID, v.PkgName, v.InstalledVersion]),
  );
}

/** Older `trivy k8s` report: per image (the OS result's target without its `(os release)`). */
export function expectedTrivyK8s(doc: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of doc.Vulnerabilities ?? [])
    for (const r of w.Results ?? []) {
      if (r.Class !== 'os-pkgs') continue;
      const image = String(r.Target).split(' (')[0]!;
      out[image] = expectedTrivy([r]);
    }
  return out;
}

export function expectedGrype(doc: Json): number {
  return distinct(
    doc.matches.map((m: Json) => [
      vulnId(
        m.vulnerability.id,
        (m.relatedVulnerabilities ?? []).map((r: Json) => r.id),
      ),
      m.artifact.purl ?? m.artifact.name,
      m.artifact.version,
    ]),
  );
}

export function expectedCycloneDx(doc: Json): number {
  const comps = new Map<string, Json>();
  const walk = (c: Json) => {
    if (c['bom-ref']) comps.set(c['bom-ref'], c);
    (c.components ?? []).forEach(walk);
  };
  (doc.components ?? []).forEach(walk);
  const keys: string[][] = [];
  for (const v of doc.vulnerabilities ?? [])
    for (const a of v.affects ?? []) {
      const c = comps.get(a.ref);
      const version = c?.version ?? /@([^?#]+)/.exec(a.ref)?.[1];
      keys.push([
        vulnId(
          v.id,
          (v.references ?? []).map((r: Json) => r.id),
        ),
        c?.name ?? a.ref,
        version,
      ]);
    }
  return distinct(keys);
}

export function expectedTrivyOperator(report: Json): number {
  return distinct(
    (report.report.vulnerabilities ?? []).map((v: Json) => [
      v.vulnerabilityID,
      v.resource,
      v.installedVersion,
    ]),
  );
}

/**
 * osv-scanner: per package version, records are one vulnerability when they share the canonical
 * id, one names the other among its aliases, or osv-scanner put them in one group; count the
 * connected components.
 */
export function expectedOsvScanner(doc: Json): { records: number; distinct: number; gitOnly: number } {
  let records = 0;
  let gitOnly = 0;
  let components = 0;
  for (const r of doc.results)
    for (const p of r.packages ?? []) {
      const vulns: Json[] = p.vulnerabilities ?? [];
      records += vulns.length;
      if (!p.package.name) {
        gitOnly += vulns.length;
        continue;
      }
      const parent = vulns.map((_, i) => i);
      const root = (i: number): number => (parent[i] === i ? i : root(parent[i]!));
      const linked = (a: Json, b: Json) =>
        vulnId(a.id, a.aliases ?? []) === vulnId(b.id, b.aliases ?? []) ||
        (a.aliases ?? []).includes(b.id) ||
        (b.aliases ?? []).includes(a.id) ||
        (p.groups ?? []).some((g: Json) => g.ids.includes(a.id) && g.ids.includes(b.id));
      for (let i = 0; i < vulns.length; i++)
        for (let j = i + 1; j < vulns.length; j++) if (linked(vulns[i], vulns[j])) parent[root(j)] = root(i);
      components += new Set(vulns.map((_, i) => root(i))).size;
    }
  return { records, distinct: components, gitOnly };
}
