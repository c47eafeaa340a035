// Grype JSON → one image report. The image is the platform manifest Grype read (`manifestDigest`),
// with its repo digests, image ID (config digest) and tags as further hints. Grype's `fix.state`
// (fixed / not-fixed / wont-fix / unknown) describes the fix, not the package: every match is an
// affected package; the fix state is kept as the status reason.
import type { Finding } from '../../core/types.js';
import { osvEcosystem, packageFromPurl } from '../../versioning/index.js';
import { type CvssCandidate, pickCvss } from '../cvss.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import { ecosystemForType } from '../ecosystem.js';
import type { ImageHints, ParsedImageReport, ReportedFinding, SkippedItem } from '../model.js';
import { mapSeverity } from '../severity.js';
import { parseDocument, parseItems } from '../validate.js';
import {
  type GrypeDocument,
  type GrypeMatch,
  grypeDocumentSchema,
  grypeImageTargetSchema,
  grypeMatchSchema,
} from './schema.js';

export function parseGrypeReport(data: unknown, file: string): ParsedImageReport[] {
  const { doc, header, os } = parseGrypeHeader(data, file);
  const skipped: SkippedItem[] = [];
  const matches = parseItems(grypeMatchSchema, doc.matches, matchLabel, skipped);
  const { findings, skipped: dups } = dedupeFindings(matches.map((m) => toFinding(m, os)));
  return [{ ...header, findings, skipped: [...skipped, ...dups] }];
}

type Os = { family: string; release?: string | undefined };

/**
 * The report without its findings and skips (the streamed import reads `matches` apart, ADR 0029:
 * there the document's `matches` is empty), the validated document and the distro its matches'
 * ecosystems are read against.
 */
export function parseGrypeHeader(
  data: unknown,
  file: string,
): { doc: GrypeDocument; header: ParsedImageReport; os: Os | undefined } {
  const doc = parseDocument(grypeDocumentSchema, data, file, 'Grype JSON report');
  const target = grypeImageTargetSchema.safeParse(doc.source?.target);
  const t = doc.source?.type === 'image' && target.success ? target.data : undefined;
  const os = doc.distro?.name
    ? { family: doc.distro.name, release: doc.distro.version ?? undefined }
    : undefined;
  const hints: ImageHints = {
    manifestDigest: t?.manifestDigest || undefined,
    repoDigests: (t?.repoDigests ?? []).filter(Boolean),
    configDigest: t?.imageID || undefined,
    references: [...(t?.tags ?? []), ...(t?.userInput ? [t.userInput] : [])].filter(Boolean),
    platform: t?.architecture
      ? { os: t.os ?? 'linux', architecture: t.architecture, variant: t.variant ?? undefined }
      : undefined,
  };
  const ts = doc.descriptor?.timestamp ? new Date(doc.descriptor.timestamp) : undefined;
  const header: ParsedImageReport = {
    format: 'grype',
    origin: file,
    label: t?.userInput ?? t?.tags?.[0] ?? undefined,
    hints,
    scannerVersion: doc.descriptor?.version ?? undefined,
    scannedAt: ts && !Number.isNaN(ts.getTime()) ? ts : undefined,
    os: os ? { ...os, ecosystem: osvEcosystem(os.family, os.release) } : undefined,
    packages: [],
    findings: [],
    skipped: [],
    workloads: [],
  };
  return { doc, header, os };
}

export function matchLabel(raw: unknown, i: number): string {
  const v = (raw as { vulnerability?: { id?: unknown } } | null)?.vulnerability?.id;
  return typeof v === 'string' && v ? v : `matches[${i}]`;
}

export function toFinding(m: GrypeMatch, os: Os | undefined): ReportedFinding {
  const v = m.vulnerability;
  const a = m.artifact;
  const fromPurl = a.purl ? packageFromPurl(a.purl) : undefined;
  const ecosystem =
    ecosystemForType(a.type ?? undefined, { os }) ?? fromPurl?.ecosystem ?? a.type ?? 'unknown';
  // Maven artifacts: Grype names them by artifactId; OSV and Trivy use group:artifact (from the purl).
  const name = ecosystem === 'Maven' && fromPurl?.name.includes(':') ? fromPurl.name : a.name;
  const related = m.relatedVulnerabilities ?? [];
  const { id, aliases } = canonicalId(
    v.id,
    related.map((r) => r.id),
  );
  const candidates: CvssCandidate[] = [v.cvss ?? [], ...related.map((r) => r.cvss ?? [])].flat().map((c) => ({
    vector: c.vector,
    score: c.metrics?.baseScore,
    version: c.version === '2.0' ? '2.0' : undefined,
  }));
  const fixed = (v.fix?.versions ?? []).filter(Boolean);
  const state = v.fix?.state ?? undefined;
  const finding: Finding = {
    id,
    aliases,
    package: {
      ecosystem,
      name,
      purl: a.purl ?? undefined,
      layer: a.locations?.[0]?.layerID ?? undefined,
    },
    installedVersion: a.version,
    fixedVersion: fixed.length ? fixed.join(', ') : undefined,
    severity: mapSeverity(v.severity),
    cvss: pickCvss(candidates),
    kev: false,
    status: 'affected',
    statusReason: state && state !== 'fixed' ? `grype fix state: ${state}` : undefined,
    source: 'grype',
  };
  return { finding, reportedId: v.id };
}
