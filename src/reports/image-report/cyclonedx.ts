// CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) for one image: metadata.component is
// the image (type container, purl pkg:oci/…@sha256%3A…; for an index, its platform manifests
// nested under it, each holding its packages), components are the packages of the authoritative
// scan (purl, bom-ref, Runsight properties as the scanner's SBOM writes them), and vulnerabilities
// carry Runsight's severity and CVSS as the first rating, the fixed version in `recommendation`
// (the sentence the CycloneDX importer reads back) and a property, and `analysis` from the VEX
// statement or status that decides the finding (vocabulary.ts). Findings that share everything but
// the package are one vulnerability entry affecting several components.
import { randomUUID } from 'node:crypto';
import type { Package } from '../../core/types.js';
import { advisoryUrl } from './links.js';
import type { ImageReportData, ReportFinding, ReportTarget } from './model.js';
import { CDX_RESPONSES, cdxJustification, cdxState } from './vocabulary.js';

/** CycloneDX `scoreMethod` names per CVSS version (the schema has no CVSSv30/CVSSv40). */
const CVSS_METHOD: Record<string, string> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

type Prop = { name: string; value: string };

function props(entries: [string, string | number | null | undefined][]): Prop[] | undefined {
  const out = entries
    .filter((e): e is [string, string | number] => e[1] !== null && e[1] !== undefined && e[1] !== '')
    .map(([name, value]) => ({ name, value: String(value) }));
  return out.length ? out : undefined;
}

export function toCycloneDx(d: ImageReportData): unknown {
  const index = d.targets.length > 1 || d.kind === 'index';
  const used = new Set<string>();
  const unique = (ref: string) => {
    let r = ref;
    for (let n = 2; used.has(r); n++) r = `${ref}~${n}`;
    used.add(r);
    return r;
  };
  used.add(d.purl);
  // Per target: its package components, and the bom-ref of each finding's package.
  const refOf = new Map<ReportFinding, string>();
  const perTarget = d.targets.map((t) => {
    const components: unknown[] = [];
    const byKey = new Map<string, string>();
    const add = (
      p: Pick<
        Package,
        'ecosystem' | 'name' | 'version' | 'purl' | 'layer' | 'path' | 'sourceName' | 'sourceVersion'
      >,
    ) => {
      const key = [p.ecosystem, p.name, p.version].join('\u0000');
      const known = byKey.get(key);
      if (known) return known;
      const ref = unique(
        index ? `${t.digest}/${p.purl ?? `${p.name}@${p.version}`}` : (p.purl ?? `${p.name}@${p.version}`),
      );
      byKey.set(key, ref);
      components.push({
        'bom-ref': ref,
        type: 'library',
        name: p.name,
        version: p.version,
        ...(p.purl ? { purl: p.purl } : {}),
        properties: props([
          ['runsight:ecosystem', p.ecosystem],
          ['runsight:layer:diffID', p.layer],
          ['runsight:package:path', p.path],
          ['runsight:package:sourceName', p.sourceName],
          ['runsight:package:sourceVersion', p.sourceVersion],
        ]),
      });
      return ref;
    };
    for (const p of t.packages) add(p);
    for (const f of t.findings)
      refOf.set(
        f,
        add({
          ecosystem: f.ecosystem,
          name: f.packageName,
          version: f.installedVersion,
          purl: f.purl,
          layer: f.layer ?? undefined,
        }),
      );
    return components;
  });

  const container = (t: ReportTarget, nested?: unknown[]) => ({
    'bom-ref': t.purl === d.purl ? d.purl : unique(t.purl),
    type: 'container',
    name: d.name ? `${d.name.registry}/${d.name.repository}` : t.digest,
    version: t.digest,
    purl: t.purl,
    properties: props([
      ['runsight:image:digest', t.digest],
      ['runsight:image:platform', t.platform],
      ['runsight:scan:source', t.scan?.source],
      ['runsight:scan:scannerVersion', t.scan?.scannerVersion],
      ['runsight:scan:time', t.scan?.startedAt.toISOString()],
      ['runsight:scan:status', t.scan?.status ?? 'not scanned'],
    ]),
    ...(nested?.length ? { components: nested } : {}),
  });
  const metadataComponent = index
    ? {
        'bom-ref': d.purl,
        type: 'container',
        name: d.name ? `${d.name.registry}/${d.name.repository}` : d.digest,
        version: d.digest,
        purl: d.purl,
        properties: props([
          ['runsight:image:digest', d.digest],
          ['runsight:image:kind', d.kind],
        ]),
        components: d.targets.map((t, i) => container(t, perTarget[i])),
      }
    : container(d.targets[0]!);

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: d.generatedAt.toISOString(),
      tools: { components: [{ type: 'application', name: 'Runsight', version: d.toolVersion }] },
      component: metadataComponent,
      properties: props([['runsight:image:reference', d.reference]]),
    },
    components: index ? [] : perTarget[0],
    vulnerabilities: vulnerabilities(d, refOf),
  };
}

function vulnerabilities(d: ImageReportData, refOf: Map<ReportFinding, string>): unknown[] {
  // One entry per (vulnerability, rating, fix, analysis): the packages it affects listed together.
  const groups = new Map<string, { f: ReportFinding; t: ReportTarget; refs: ReportFinding[] }>();
  for (const t of d.targets)
    for (const f of t.findings) {
      const key = JSON.stringify([
        f.id,
        [...f.aliases].sort(),
        f.severity,
        f.cvss,
        f.fixedVersion,
        f.status,
        f.storedStatus,
        f.statusReason,
        t.scan?.source,
        f.vex && [f.vex.document, f.vex.status, f.vex.justification, f.vex.impact, f.vex.action],
      ]);
      const g = groups.get(key);
      if (g) g.refs.push(f);
      else groups.set(key, { f, t, refs: [f] });
    }
  return [...groups.values()].map(({ f, t, refs }) => {
    const facts = d.facts.get(f.id);
    const url = advisoryUrl(f.id, facts);
    const analysis = analysisOf(f);
    return {
      id: f.id,
      ...(facts?.advisory
        ? { source: { name: facts.advisory.source, ...(url ? { url } : {}) } }
        : url
          ? { source: { url } }
          : {}),
      ...(f.aliases.length
        ? { references: f.aliases.map((a) => ({ id: a, source: { name: 'alias' } })) }
        : {}),
      ratings: [
        {
          source: { name: t.scan?.source ?? 'runsight' },
          severity: f.severity.toLowerCase(),
          ...(f.cvss
            ? {
                score: f.cvss.score,
                ...(f.cvss.vector ? { vector: f.cvss.vector } : {}),
                method: CVSS_METHOD[f.cvss.version] ?? 'other',
              }
            : {}),
        },
      ],
      ...(facts?.advisory?.summary ? { description: facts.advisory.summary } : {}),
      ...(f.fixedVersion ? { recommendation: `Upgrade to version ${f.fixedVersion}` } : {}),
      ...(url ? { advisories: [{ url }] } : {}),
      ...(analysis ? { analysis } : {}),
      affects: refs.map((r) => ({
        ref: refOf.get(r)!,
        versions: [
          {
            version: r.installedVersion,
            status:
              r.status === 'not_affected' || r.status === 'fixed'
                ? 'unaffected'
                : r.status === 'affected'
                  ? 'affected'
                  : 'unknown',
          },
        ],
      })),
      properties: props([
        ['runsight:fixedVersion', f.fixedVersion],
        ['runsight:status', f.status],
        ['runsight:kev', facts?.kev ? 'true' : undefined],
        ['runsight:kev:dateAdded', facts?.kev?.dateAdded],
        ['runsight:kev:knownRansomware', facts?.kev?.knownRansomware],
        ['runsight:epss', facts?.epss?.score],
        ['runsight:epss:percentile', facts?.epss?.percentile],
        ['runsight:vex:document', f.vex?.document],
      ]),
    };
  });
}

/** CycloneDX analysis of a finding (vocabulary.ts); undefined for a plain scanner finding. */
function analysisOf(f: ReportFinding): unknown {
  const state = cdxState(f.status, f.vex?.status, f.vex?.justification);
  if (!state) return undefined;
  const justification = state === 'not_affected' ? cdxJustification(f.vex?.justification) : undefined;
  const words = (f.vex?.action ?? '').split(/,\s*/).filter(Boolean);
  const responses =
    words.length && words.every((w) => (CDX_RESPONSES as readonly string[]).includes(w)) ? words : [];
  const detail = [
    f.vex?.justification && !justification && state !== 'false_positive' ? f.vex.justification : undefined,
    f.vex?.impact,
    f.vex?.action && !responses.length ? f.vex.action : undefined,
    !f.vex && f.statusReason ? f.statusReason : undefined,
  ].filter(Boolean);
  return {
    state,
    ...(justification ? { justification } : {}),
    ...(responses.length ? { response: responses } : {}),
    ...(detail.length ? { detail: detail.join('; ') } : {}),
  };
}
