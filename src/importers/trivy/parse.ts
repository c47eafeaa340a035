// Trivy JSON → image reports. Reads `trivy image -f json` (SchemaVersion 2), the pre-v2 list form,
// and `trivy k8s -f json` reports (workloads linked to the images they run). OS packages take their
// ecosystem from the report's OS (`debian` 10.4 → `Debian:10`), language packages from the result
// Type (`pip` → `PyPI`). Trivy's `Status` (fixed = a fix exists, will_not_fix, …) describes the
// vendor's fix state: the installed package is affected in all cases but `not_affected`.
import type { Finding, Package } from '../../core/types.js';
import { osvEcosystem, packageFromPurl } from '../../versioning/index.js';
import { type CvssCandidate, pickCvss } from '../cvss.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import { ecosystemForType } from '../ecosystem.js';
import { ReportFormatError } from '../errors.js';
import type { ImageHints, ParsedImageReport, ReportedFinding, SkippedItem, WorkloadLink } from '../model.js';
import { tryParseImageReference } from '../reference.js';
import { mapSeverity } from '../severity.js';
import { itemLabel, parseDocument, parseItems } from '../validate.js';
import {
  type TrivyK8sWorkload,
  type TrivyPackage,
  type TrivyResult,
  type TrivyVulnerability,
  trivyK8sReportSchema,
  trivyLegacyReportSchema,
  trivyPackageSchema,
  trivyReportV2Schema,
  trivyVulnerabilitySchema,
} from './schema.js';

type Os = { family: string; release?: string | undefined };
const VULN_CLASSES = new Set(['os-pkgs', 'lang-pkgs']);

/** Parses any Trivy JSON report; throws ReportFormatError when it is none of the known shapes. */
export function parseTrivyReport(data: unknown, file: string): ParsedImageReport[] {
  if (Array.isArray(data)) return [parseLegacy(data, file)];
  if (!data || typeof data !== 'object')
    throw new ReportFormatError(file, 'expected a Trivy JSON report (an object or the pre-v2 list)');
  const obj = data as Record<string, unknown>;
  if ('SchemaVersion' in obj) {
    if (obj.SchemaVersion !== 2)
      throw new ReportFormatError(
        file,
        `unsupported Trivy SchemaVersion ${JSON.stringify(obj.SchemaVersion)}: Runsight reads SchemaVersion 2 and the pre-v2 list form; re-run the scan with a Trivy release that writes SchemaVersion 2`,
      );
    return [parseV2(data, file)];
  }
  if ('ClusterName' in obj || 'Resources' in obj) return parseK8s(data, file);
  throw new ReportFormatError(
    file,
    'not a Trivy report: expected SchemaVersion 2, the pre-v2 list form, or a `trivy k8s` report with ClusterName',
  );
}

function parseV2(data: unknown, file: string): ParsedImageReport {
  const { results, os, hints, extra } = parseV2Parts(data, file);
  return build(file, results, os, hints, extra);
}

/**
 * A SchemaVersion 2 report read without its entries (the streamed import, ADR 0029: its
 * Vulnerabilities and Packages arrays are empty, the entries staged apart): the image report with
 * everything but packages, findings and skips, and how to convert each result's entries.
 */
export function parseTrivyV2Skeleton(
  data: unknown,
  file: string,
): { header: ParsedImageReport; readers: (TrivyResultReader | undefined)[] } {
  const { results, os, hints, extra } = parseV2Parts(data, file);
  return { header: build(file, [], os, hints, extra), readers: results.map((res) => resultReader(res, os)) };
}

function parseV2Parts(data: unknown, file: string) {
  const r = parseDocument(trivyReportV2Schema, data, file, 'Trivy report (SchemaVersion 2)');
  const md = r.Metadata;
  const os = md?.OS ? { family: md.OS.Family, release: md.OS.Name ?? undefined } : undefined;
  const references = [...(md?.RepoTags ?? [])];
  if (md?.Reference) references.push(md.Reference);
  if (r.ArtifactName && (r.ArtifactType ?? 'container_image') === 'container_image')
    references.push(r.ArtifactName);
  const hints: ImageHints = {
    repoDigests: (md?.RepoDigests ?? []).filter(Boolean),
    configDigest: md?.ImageID || undefined,
    references: references.filter(Boolean),
    platform: md?.ImageConfig?.architecture
      ? {
          os: md.ImageConfig.os ?? 'linux',
          architecture: md.ImageConfig.architecture,
          variant: md.ImageConfig.variant ?? undefined,
        }
      : undefined,
  };
  return {
    results: r.Results ?? [],
    os,
    hints,
    extra: {
      scannerVersion: r.Trivy?.Version ?? undefined,
      scannedAt: r.CreatedAt ? new Date(r.CreatedAt) : undefined,
      label: md?.RepoTags?.[0] || md?.RepoDigests?.[0] || r.ArtifactName || undefined,
      workloads: [],
    },
  };
}

function parseLegacy(data: unknown, file: string): ParsedImageReport {
  const results = parseDocument(trivyLegacyReportSchema, data, file, 'Trivy report (pre-v2 list form)');
  const osResult = results.find((r) => osFromTarget(r.Target));
  const image = osResult ? imageFromTarget(osResult.Target) : undefined;
  return build(file, results, osResult ? osFromTarget(osResult.Target) : undefined, hintsFor(image), {
    label: image,
    workloads: [],
  });
}

function parseK8s(data: unknown, file: string): ParsedImageReport[] {
  const r = parseDocument(trivyK8sReportSchema, data, file, 'Trivy Kubernetes report');
  const cluster = r.ClusterName || undefined;
  const byImage = new Map<string, ParsedImageReport>();
  const add = ({ key, link, build }: K8sImage) => {
    const existing = byImage.get(key);
    if (existing) existing.workloads.push(link);
    else byImage.set(key, build());
  };
  (r.Vulnerabilities ?? []).forEach((w, wi) => {
    for (const image of k8sImages('Vulnerabilities', w, wi, file, cluster)) add(image);
  });
  (r.Resources ?? []).forEach((w, wi) => {
    for (const image of k8sImages('Resources', w, wi, file, cluster)) add(image);
  });
  return [...byImage.values()];
}

/** An image a workload of a `trivy k8s` report runs: its key (the same image in several workloads is
 * one report, the first's, with every workload linked), the workload's link, and its report. */
export interface K8sImage {
  key: string;
  link: WorkloadLink;
  build: () => ParsedImageReport;
}

/** The images of workload `wi` of a `trivy k8s` report's `Vulnerabilities` (older shape) or
 * `Resources`, in order (the streamed import, trivy/k8s-stream.ts, reads one workload at a time). */
export function k8sImages(
  section: 'Vulnerabilities' | 'Resources',
  w: TrivyK8sWorkload,
  wi: number,
  file: string,
  cluster: string | undefined,
): K8sImage[] {
  const link = workloadLink(w, cluster);
  if (section === 'Vulnerabilities') {
    // Older shape: results of one workload, an OS result per image followed by its language results.
    let current: { image: string; os: Os | undefined; results: TrivyResult[] } | undefined;
    const groups: (typeof current & object)[] = [];
    for (const res of w.Results ?? []) {
      if (!VULN_CLASSES.has(res.Class ?? '')) continue;
      const os = osFromTarget(res.Target);
      if (res.Class === 'os-pkgs' || os) {
        current = { image: imageFromTarget(res.Target), os, results: [res] };
        groups.push(current);
      } else if (current) current.results.push(res);
    }
    return groups.map((g) => ({
      key: `ref:${g.image}`,
      link,
      build: () =>
        build(`${file} (Vulnerabilities[${wi}] ${w.Kind}/${w.Name})`, g.results, g.os, hintsFor(g.image), {
          label: g.image,
          workloads: [link],
        }),
    }));
  }
  const results = (w.Results ?? []).filter((res) => VULN_CLASSES.has(res.Class ?? ''));
  const md = w.Metadata;
  if (!results.length) return []; // configuration, RBAC and secret results: not image findings
  const osResult = results.find((res) => res.Class === 'os-pkgs');
  const image = md?.RepoTags?.[0] ?? (osResult ? imageFromTarget(osResult.Target) : undefined);
  const os = md?.OS
    ? { family: md.OS.Family, release: md.OS.Name ?? undefined }
    : osFromTarget(osResult?.Target ?? '');
  const hints: ImageHints = {
    repoDigests: (md?.RepoDigests ?? []).filter(Boolean),
    configDigest: md?.ImageID || undefined,
    references: [...(md?.RepoTags ?? []), ...(image ? [image] : [])].filter(Boolean),
  };
  return [
    {
      key: md?.RepoDigests?.[0] ?? md?.ImageID ?? `ref:${image ?? wi}`,
      link,
      build: () =>
        build(`${file} (Resources[${wi}] ${w.Kind}/${w.Name})`, results, os, hints, {
          label: image ?? md?.RepoDigests?.[0],
          workloads: [link],
        }),
    },
  ];
}

function workloadLink(w: TrivyK8sWorkload, cluster: string | undefined): WorkloadLink {
  return {
    cluster,
    namespace: w.Namespace ?? undefined,
    kind: w.Kind ?? undefined,
    name: w.Name ?? undefined,
  };
}

function hintsFor(image: string | undefined): ImageHints {
  if (!image) return { repoDigests: [], references: [] };
  const ref = tryParseImageReference(image);
  return { repoDigests: ref?.digest ? [image] : [], references: [image] };
}

/** `gcr.io/x/y:v2 (debian 10.4)` → `gcr.io/x/y:v2`. */
function imageFromTarget(target: string): string {
  return target.replace(/\s+\([^()]*\)\s*$/, '').trim();
}

/** `… (debian 10.4)` → {family: debian, release: 10.4}. */
function osFromTarget(target: string): Os | undefined {
  const m = /\(([a-z][\w.-]*)\s+([\w.-]+)\)\s*$/i.exec(target);
  if (!m || !osvEcosystem(m[1]!, m[2])) return undefined;
  return { family: m[1]!.toLowerCase(), release: m[2] };
}

export const PACKAGE_LABEL = itemLabel(['ID', 'Name']);
export const VULNERABILITY_LABEL = itemLabel(['VulnerabilityID', 'PkgName']);

/** How one result's entries become packages and findings; undefined for a result that holds no
 * image vulnerabilities (configuration, secrets, licences). */
export interface TrivyResultReader {
  toPackage: (p: TrivyPackage) => Package;
  toFinding: (v: TrivyVulnerability) => ReportedFinding;
}

export function resultReader(res: TrivyResult, os: Os | undefined): TrivyResultReader | undefined {
  if (res.Class && !VULN_CLASSES.has(res.Class)) return undefined;
  const resOs = res.Class === 'os-pkgs' || !res.Class ? (osFromTarget(res.Target) ?? os) : undefined;
  // Once per result, not per entry: one string shared by every finding of the result.
  const typeEcosystem = ecosystemForType(res.Type ?? undefined, { os: resOs });
  const ecosystemOf = (purl: string | null | undefined) =>
    typeEcosystem ?? (purl ? packageFromPurl(purl)?.ecosystem : undefined) ?? res.Type ?? 'unknown';
  return {
    toPackage: (p) => toPackage(p, ecosystemOf(p.Identifier?.PURL), res.Target),
    toFinding: (v) => toFinding(v, ecosystemOf(v.PkgIdentifier?.PURL)),
  };
}

function build(
  origin: string,
  results: TrivyResult[],
  os: Os | undefined,
  hints: ImageHints,
  extra: Pick<ParsedImageReport, 'label' | 'workloads'> &
    Partial<Pick<ParsedImageReport, 'scannerVersion' | 'scannedAt'>>,
): ParsedImageReport {
  const skipped: SkippedItem[] = [];
  const reported: ReportedFinding[] = [];
  const packages: Package[] = [];
  for (const res of results) {
    const reader = resultReader(res, os);
    if (!reader) continue;
    for (const p of parseItems(
      trivyPackageSchema,
      res.Packages ?? [],
      PACKAGE_LABEL,
      skipped,
      reader.toPackage,
    ))
      packages.push(p);
    const vulns = parseItems(
      trivyVulnerabilitySchema,
      res.Vulnerabilities ?? [],
      VULNERABILITY_LABEL,
      skipped,
      reader.toFinding,
    );
    for (const f of vulns) reported.push(f);
  }
  const { findings, skipped: dups } = dedupeFindings(reported);
  return {
    format: 'trivy',
    origin,
    label: extra.label,
    hints,
    scannerVersion: extra.scannerVersion,
    scannedAt: extra.scannedAt && !Number.isNaN(extra.scannedAt.getTime()) ? extra.scannedAt : undefined,
    os: os
      ? { family: os.family, release: os.release, ecosystem: osvEcosystem(os.family, os.release) }
      : undefined,
    packages,
    findings,
    skipped: [...skipped, ...dups],
    workloads: extra.workloads,
  };
}

function versionString(epoch: number | null | undefined, version: string, release?: string | null): string {
  return `${epoch ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
}

function toPackage(p: TrivyPackage, ecosystem: string, target: string): Package {
  return {
    ecosystem,
    name: p.Name,
    version: versionString(p.Epoch, p.Version, p.Release),
    purl: p.Identifier?.PURL ?? undefined,
    sourceName: p.SrcName ?? undefined,
    sourceVersion: p.SrcVersion ? versionString(p.SrcEpoch, p.SrcVersion, p.SrcRelease) : undefined,
    layer: p.Layer?.DiffID ?? undefined,
    path: p.FilePath ?? target,
  };
}

const NON_AFFECTED_STATUS = new Set(['not_affected']);

function toFinding(v: TrivyVulnerability, ecosystem: string): ReportedFinding {
  const { id, aliases } = canonicalId(v.VulnerabilityID, v.VendorIDs ?? []);
  const vendors = Object.keys(v.CVSS ?? {});
  const order = [
    ...(v.SeveritySource && vendors.includes(v.SeveritySource) ? [v.SeveritySource] : []),
    ...(vendors.includes('nvd') ? ['nvd'] : []),
    ...vendors,
  ];
  const candidates: CvssCandidate[] = [];
  for (const vendor of order) {
    const c = v.CVSS?.[vendor];
    if (!c) continue;
    candidates.push({ vector: c.V3Vector, score: c.V3Score });
    candidates.push({ vector: c.V40Vector, score: c.V40Score });
    candidates.push({ vector: c.V2Vector, score: c.V2Score, version: '2.0' });
  }
  const status = v.Status ?? undefined;
  const finding: Finding = {
    id,
    aliases,
    package: {
      ecosystem,
      name: v.PkgName,
      purl: v.PkgIdentifier?.PURL ?? undefined,
      layer: v.Layer?.DiffID ?? undefined,
    },
    installedVersion: v.InstalledVersion,
    fixedVersion: v.FixedVersion || undefined,
    severity: mapSeverity(v.Severity),
    cvss: pickCvss(candidates),
    kev: false,
    status: status && NON_AFFECTED_STATUS.has(status) ? 'not_affected' : 'affected',
    statusReason:
      status && status !== 'affected' && status !== 'fixed' ? `trivy status: ${status}` : undefined,
    source: 'trivy',
  };
  return { finding, reportedId: v.VulnerabilityID };
}
