// trivy-operator VulnerabilityReport resources → image reports. Accepts one resource, a list
// (`kubectl get vulnerabilityreports -o json` → `{kind: List, items}`, or a plain array), a dump
// keyed by CRD plural (`{"vulnerabilityreports.aquasecurity.github.io": [...]}`), as JSON or
// multi-document YAML. Other trivy-operator kinds (ConfigAuditReport, ExposedSecretReport, …) are
// reported as ignored. The image is `registry.server/artifact.repository` at `artifact.digest`
// (repo digest) or `artifact.tag`; the workload comes from the `trivy-operator.resource.*` labels.
import type { Finding } from '../../core/types.js';
import { osvEcosystem, packageFromPurl } from '../../versioning/index.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import { ecosystemForType } from '../ecosystem.js';
import { ReportFormatError } from '../errors.js';
import type { ImageHints, ParsedImageReport, ReportedFinding, SkippedItem, WorkloadLink } from '../model.js';
import { mapSeverity } from '../severity.js';
import { itemLabel, parseDocument, parseItems } from '../validate.js';
import {
  type OperatorVulnerability,
  operatorVulnerabilitySchema,
  vulnerabilityReportSchema,
} from './schema.js';

/** Flattens the accepted containers into resources (objects with a `kind`). */
export function operatorResources(data: unknown, file: string): unknown[] {
  const docs = Array.isArray(data) ? data : [data];
  const out: unknown[] = [];
  for (const d of docs) collectResources(d, 0, file, out);
  return out;
}

/** The resources of one value found `depth` containers deep (a top-level document is at 0; the
 * streamed import, trivy-operator/stream.ts, visits each element of a streamed array apart). */
export function collectResources(d: unknown, depth: number, file: string, out: unknown[]): void {
  if (Array.isArray(d)) {
    for (const x of d) collectResources(x, depth + 1, file, out);
    return;
  }
  if (!d || typeof d !== 'object') {
    throw new ReportFormatError(
      file,
      `expected trivy-operator resources, found ${JSON.stringify(d)?.slice(0, 40)}`,
    );
  }
  const o = d as Record<string, unknown>;
  if (typeof o.kind === 'string' && Array.isArray(o.items))
    for (const x of o.items) collectResources(x, depth + 1, file, out);
  else if (typeof o.kind === 'string') out.push(o);
  else if (depth === 0 && Object.keys(o).every((k) => k.endsWith('.aquasecurity.github.io')))
    for (const v of Object.values(o)) collectResources(v, depth + 1, file, out);
  else
    throw new ReportFormatError(file, 'expected trivy-operator resources (objects with apiVersion and kind)');
}

export function parseTrivyOperatorReports(data: unknown, file: string): ParsedImageReport[] {
  const resources = operatorResources(data, file);
  const out: ParsedImageReport[] = [];
  const ignored: SkippedItem[] = [];
  resources.forEach((raw, i) => {
    const r = operatorResource(raw, i);
    if ('ignored' in r) ignored.push(r.ignored);
    else
      out.push(
        toImageReport(
          parseDocument(vulnerabilityReportSchema, raw, `${file} (item ${i})`, r.kind),
          `${file} (${r.id})`,
        ),
      );
  });
  const merged = mergeSameImage(out);
  checkFound(out.length, ignored, file);
  // Ignored resources are mentioned once, on the first image of the file.
  merged[0]!.skipped.push(...ignored);
  return merged;
}

/** The `i`th resource of a file: a vulnerability report of this kind (`id` is `kind/name`), or the
 * skip that says it is ignored. */
export function operatorResource(
  raw: unknown,
  i: number,
): { kind: string; id: string } | { ignored: SkippedItem } {
  const kind = (raw as { kind: string }).kind;
  const name = (raw as { metadata?: { name?: string } }).metadata?.name ?? `#${i}`;
  if (kind === 'VulnerabilityReport' || kind === 'ClusterVulnerabilityReport')
    return { kind, id: `${kind}/${name}` };
  return {
    ignored: {
      id: `${kind}/${name}`,
      kind: 'ignored',
      reason: `${kind} is not an image vulnerability report`,
    },
  };
}

/** Throws the whole file's error when it holds no vulnerability report. */
export function checkFound(reports: number, ignored: SkippedItem[], file: string): void {
  if (!reports && !ignored.length) throw new ReportFormatError(file, 'no trivy-operator resources found');
  if (!reports)
    throw new ReportFormatError(
      file,
      `no VulnerabilityReport among ${ignored.length} trivy-operator resources (${[...new Set(ignored.map((s) => s.id.split('/')[0]))].join(', ')})`,
    );
}

/**
 * trivy-operator writes one report per container: several workloads running one image give
 * several reports of it. Keep the newest per image (by digest, else tag) and link every workload.
 */
function mergeSameImage(reports: ParsedImageReport[]): ParsedImageReport[] {
  const byImage = new Map<string, ParsedImageReport>();
  for (const r of reports) {
    const key = imageKey(r);
    const prev = byImage.get(key);
    if (!prev) {
      byImage.set(key, r);
      continue;
    }
    const newer = isNewer(r, prev) ? r : prev;
    newer.workloads = mergeWorkloads(prev.workloads, r.workloads);
    byImage.set(key, newer);
  }
  return [...byImage.values()];
}

/** Which image a report is of, for merging (the streamed import merges by the same rules). */
export function imageKey(r: Pick<ParsedImageReport, 'hints' | 'origin'>): string {
  return r.hints.repoDigests[0] ?? r.hints.references[0] ?? r.origin;
}

/** Whether `r` replaces `prev` of the same image: strictly newer (a tie keeps the first). */
export function isNewer(
  r: Pick<ParsedImageReport, 'scannedAt'>,
  prev: Pick<ParsedImageReport, 'scannedAt'>,
): boolean {
  return (r.scannedAt?.getTime() ?? 0) > (prev.scannedAt?.getTime() ?? 0);
}

export function mergeWorkloads(a: WorkloadLink[], b: WorkloadLink[]): WorkloadLink[] {
  return [...a, ...b].filter(
    (w, i, all) => all.findIndex((x) => JSON.stringify(x) === JSON.stringify(w)) === i,
  );
}

export function toImageReport(
  r: ReturnType<typeof vulnerabilityReportSchema.parse>,
  origin: string,
): ParsedImageReport {
  const a = r.report.artifact;
  const server = r.report.registry?.server || 'docker.io';
  const repo = `${server}/${a.repository}`;
  const hints: ImageHints = {
    repoDigests: a.digest ? [`${repo}@${a.digest}`] : [],
    references: a.tag ? [`${repo}:${a.tag}`] : [],
  };
  const os = r.report.os?.family
    ? { family: r.report.os.family, release: r.report.os.name ?? undefined }
    : undefined;
  const skipped: SkippedItem[] = [];
  const vulns = parseItems(
    operatorVulnerabilitySchema,
    r.report.vulnerabilities ?? [],
    itemLabel(['vulnerabilityID', 'resource']),
    skipped,
  );
  const { findings, skipped: dups } = dedupeFindings(vulns.map((v) => toFinding(v, os)));
  const labels = r.metadata.labels ?? {};
  const ts = new Date(r.report.updateTimestamp ?? r.metadata.creationTimestamp ?? '');
  return {
    format: 'trivy-operator',
    origin,
    label: a.tag ? `${repo}:${a.tag}` : hints.repoDigests[0],
    hints,
    scannerVersion: r.report.scanner?.version ?? undefined,
    scannedAt: Number.isNaN(ts.getTime()) ? undefined : ts,
    os: os ? { ...os, ecosystem: osvEcosystem(os.family, os.release) } : undefined,
    packages: [],
    findings,
    skipped: [...skipped, ...dups],
    workloads: [
      {
        namespace: labels['trivy-operator.resource.namespace'] ?? r.metadata.namespace ?? undefined,
        kind: labels['trivy-operator.resource.kind'],
        name: labels['trivy-operator.resource.name'],
        container: labels['trivy-operator.container.name'],
      },
    ],
  };
}

function toFinding(
  v: OperatorVulnerability,
  os: { family: string; release?: string | undefined } | undefined,
): ReportedFinding {
  const targetOs = /\(([a-z][\w.-]*)\s+([\w.-]+)\)\s*$/i.exec(v.target ?? '');
  const ctxOs = os ?? (targetOs ? { family: targetOs[1]!, release: targetOs[2] } : undefined);
  const ecosystem =
    ecosystemForType(v.packageType ?? undefined, { os: v.class === 'lang-pkgs' ? undefined : ctxOs }) ??
    (v.pkgPURL ? packageFromPurl(v.pkgPURL)?.ecosystem : undefined) ??
    'unknown';
  const { id, aliases } = canonicalId(v.vulnerabilityID, []);
  const finding: Finding = {
    id,
    aliases,
    package: { ecosystem, name: v.resource, purl: v.pkgPURL ?? undefined },
    installedVersion: v.installedVersion,
    fixedVersion: v.fixedVersion || undefined,
    severity: mapSeverity(v.severity),
    kev: false,
    status: 'affected',
    source: 'trivy-operator',
  };
  return { finding, reportedId: v.vulnerabilityID };
}
