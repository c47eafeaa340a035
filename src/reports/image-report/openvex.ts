// OpenVEX v0.2.0 (https://github.com/openvex/spec, OPENVEX-SPEC.md) for one image: one statement
// per (vulnerability, status and its reasons), the product being the image's platform manifest
// (`pkg:oci/…@sha256%3A…`) with the packages it concerns as subcomponents (their purls; none when
// the statement covers every package of the vulnerability and one of them has no purl). Status:
// the VEX statement Runsight holds that decides the finding, else the finding's own status
// (vocabulary.ts: affected → affected with an action statement naming the fix, unknown →
// under_investigation, not_affected/fixed as they are). `db update --vex FILE` reads it back.
import { createHash } from 'node:crypto';
import type { VexStatus } from '../../core/advisory.js';
import { formatPurl } from '../../versioning/index.js';
import type { ImageReportData, ReportFinding, ReportTarget } from './model.js';
import { openVexJustification, openVexStatus } from './vocabulary.js';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/** A subcomponent's @id: the package's purl, else a `pkg:generic` purl of its name and version. */
export function subcomponentId(f: Pick<ReportFinding, 'purl' | 'packageName' | 'installedVersion'>): string {
  return f.purl ?? formatPurl({ type: 'generic', name: f.packageName, version: f.installedVersion });
}

export function toOpenVex(d: ImageReportData): unknown {
  // Findings per (platform, vulnerability): a statement covering all of them may leave out subcomponents.
  const perVuln = new Map(
    d.targets.map((t) => {
      const n = new Map<string, number>();
      for (const f of t.findings) n.set(f.id, (n.get(f.id) ?? 0) + 1);
      return [t, n] as const;
    }),
  );
  const groups = new Map<
    string,
    { status: VexStatus; f: ReportFinding; items: { t: ReportTarget; f: ReportFinding }[] }
  >();
  for (const t of d.targets)
    for (const f of t.findings) {
      const status = openVexStatus(f.status, f.vex?.status);
      const key = JSON.stringify([
        f.id,
        status,
        f.vex && [f.vex.document, f.vex.justification, f.vex.impact, f.vex.action, f.vex.issuedAt?.getTime()],
        f.vex ? null : f.statusReason,
      ]);
      const g = groups.get(key);
      if (g) g.items.push({ t, f });
      else groups.set(key, { status, f, items: [{ t, f }] });
    }
  const statements = [...groups.values()].map(({ status, f, items }) => {
    const facts = d.facts.get(f.id);
    const aliases = [...new Set(items.flatMap((x) => x.f.aliases))].filter((a) => a !== f.id);
    const products = d.targets
      .filter((t) => items.some((x) => x.t === t))
      .map((t) => {
        const mine = items.filter((x) => x.t === t).map((x) => x.f);
        // Packages without a purl cannot be named so that a reader matches them: when the statement
        // covers every finding of the vulnerability in this image, the image alone says it exactly.
        const whole = mine.length === perVuln.get(t)!.get(f.id);
        const subs = whole && mine.some((x) => !x.purl) ? [] : [...new Set(mine.map(subcomponentId))];
        return {
          '@id': t.purl,
          identifiers: { purl: t.purl },
          ...(subs.length ? { subcomponents: subs.map((id) => ({ '@id': id })) } : {}),
        };
      });
    return {
      vulnerability: {
        // No @id: readers (Runsight's own VEX loader among them) take @id before name as the id.
        name: f.id,
        ...(facts?.advisory?.summary ? { description: facts.advisory.summary } : {}),
        ...(aliases.length ? { aliases } : {}),
      },
      ...(f.vex?.issuedAt ? { timestamp: f.vex.issuedAt.toISOString() } : {}),
      products,
      status,
      ...reasons(
        status,
        f,
        items.map((x) => x.f),
      ),
    };
  });
  const body = JSON.stringify([d.digest, statements]);
  return {
    '@context': OPENVEX_CONTEXT,
    '@id': `urn:runsight:openvex:${createHash('sha256').update(body).digest('hex')}`,
    author: 'Runsight',
    role: 'Document Creator',
    timestamp: d.generatedAt.toISOString(),
    version: 1,
    tooling: `Runsight ${d.toolVersion}`,
    statements,
  };
}

/** What the spec asks beside a status: a justification or impact (not_affected), an action (affected). */
function reasons(status: VexStatus, f: ReportFinding, all: ReportFinding[]): Record<string, string> {
  const v = f.vex;
  const notes = (...xs: (string | null | undefined)[]): Record<string, string> => {
    const s = xs.filter(Boolean).join('; ');
    return s ? { status_notes: s } : {};
  };
  switch (status) {
    case 'not_affected': {
      const justification = openVexJustification(v?.justification);
      // The schema takes a justification or an impact statement, never both: the impact goes to notes.
      if (justification) return { justification, ...notes(v?.impact, sourceNote(f)) };
      return {
        impact_statement:
          [v?.justification, v?.impact].filter(Boolean).join(': ') ||
          f.statusReason ||
          'Reported not affected by the scanner',
        ...notes(sourceNote(f)),
      };
    }
    case 'affected': {
      if (v?.action) return { action_statement: v.action, ...notes(v.impact) };
      const fixes = [
        ...new Set(all.map((x) => (x.fixedVersion ? `${x.packageName} to ${x.fixedVersion}` : ''))),
      ].filter(Boolean);
      return {
        action_statement: fixes.length
          ? `Update ${fixes.join(', ')}`
          : 'No fixed version is known yet: follow the advisory and apply a mitigation or rebuild when a fix is published',
      };
    }
    case 'fixed':
      return notes(v?.impact, sourceNote(f));
    case 'under_investigation':
      return notes(
        v?.impact,
        f.status === 'unknown' && !v
          ? `Runsight could not compare the installed version with the advisory's affected ranges${f.statusReason ? ` (${f.statusReason})` : ''}`
          : undefined,
      );
  }
}

function sourceNote(f: ReportFinding): string | undefined {
  return f.vex ? `VEX document ${f.vex.document}` : f.statusReason ? f.statusReason : undefined;
}
