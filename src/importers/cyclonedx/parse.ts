// CycloneDX JSON with `vulnerabilities` → one image report: BOMs as Trivy (`--format cyclonedx`)
// and Grype (`-o cyclonedx-json`) write them, and CycloneDX VEX documents. Each `affects` ref is
// looked up among the BOM's components (nested ones too) or read as a package URL. The image is
// the BOM's container component (`pkg:oci/…@sha256:…?repository_url=…`, Trivy's RepoDigest/ImageID
// properties) or --image. VEX `analysis.state` sets the status: not_affected/false_positive →
// not_affected, resolved → fixed, anything else → affected.
import type { z } from 'zod';
import { ratingFor } from '../../advisories/index.js';
import type { Finding, FindingStatus, Package } from '../../core/types.js';
import { packageFromPurl, parsePurl } from '../../versioning/index.js';
import { type CvssCandidate, pickCvss } from '../cvss.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import { ReportFormatError } from '../errors.js';
import type { ImageHints, ParsedImageReport, ReportedFinding, SkippedItem } from '../model.js';
import { isDigest } from '../reference.js';
import { mapSeverity } from '../severity.js';
import { documentError, itemLabel, parseDocument, parseItems } from '../validate.js';
import {
  type CdxBom,
  type CdxComponent,
  type CdxVulnerability,
  cdxBomSchema,
  cdxVulnerabilitySchema,
} from './schema.js';

const SPEC_VERSIONS = /^1\.[2-7]$/;
const NOT_PACKAGES = new Set(['container', 'application', 'operating-system', 'file', 'platform', 'device']);

export function parseCycloneDxReport(data: unknown, file: string): ParsedImageReport[] {
  const bom = parseCdxBom(data, file);
  const refs = new Map<string, CdxComponent>();
  const all: CdxComponent[] = [];
  const walk = (c: CdxComponent) => {
    all.push(c);
    if (c['bom-ref']) refs.set(c['bom-ref'], c);
    for (const child of c.components ?? []) walk(child);
  };
  if (bom.metadata?.component) walk(bom.metadata.component);
  for (const c of bom.components ?? []) walk(c);

  const container = all.find((c) => c.type === 'container');
  const skipped: SkippedItem[] = [];
  const vulns = parseItems(cdxVulnerabilitySchema, bom.vulnerabilities ?? [], VULNERABILITY_LABEL, skipped);
  const reported: ReportedFinding[] = [];
  for (const v of vulns) reported.push(...findingsOf(v, (ref) => packageFor(ref, refs), skipped));
  const { findings, skipped: dups } = dedupeFindings(reported);
  const packages: Package[] = [];
  for (const c of all) {
    const p = componentPackage(c);
    if (p) packages.push(p);
  }
  return [{ ...cdxHeader(bom, file, container), packages, findings, skipped: [...skipped, ...dups] }];
}

export const VULNERABILITY_LABEL = itemLabel(['id']);

/** The validated BOM of a supported specVersion. `invalidComponent`: the first `components` entry
 * the streamed import found invalid (its `components` staged apart, ADR 0029), failed as the whole
 * document's validation would fail it. */
export function parseCdxBom(
  data: unknown,
  file: string,
  invalidComponent?: { index: number; error: z.ZodError },
): CdxBom {
  const bom = parseDocument(cdxBomSchema, data, file, WHAT);
  if (invalidComponent && Array.isArray(bom.components))
    throw documentError(file, WHAT, invalidComponent.error.issues[0]!, [
      'components',
      invalidComponent.index,
    ]);
  if (!SPEC_VERSIONS.test(bom.specVersion))
    throw new ReportFormatError(
      file,
      `unsupported CycloneDX specVersion ${bom.specVersion}: Runsight reads CycloneDX 1.2 to 1.7 JSON`,
    );
  return bom;
}

const WHAT = 'CycloneDX JSON BOM';

/** The report without packages, findings and skips; `container` is the BOM's first container
 * component (metadata.component's tree first, then the components', depth first). */
export function cdxHeader(bom: CdxBom, file: string, container: CdxComponent | undefined): ParsedImageReport {
  const hints = container ? containerHints(container) : { repoDigests: [], references: [] };
  const tools = bom.metadata?.tools;
  const tool = Array.isArray(tools) ? tools[0] : tools?.components?.[0];
  const ts = bom.metadata?.timestamp ? new Date(bom.metadata.timestamp) : undefined;
  return {
    format: 'cyclonedx',
    origin: file,
    label: container?.name ?? hints.repoDigests[0] ?? hints.references[0],
    hints,
    scannerVersion: tool?.name ? [tool.name, tool.version].filter(Boolean).join(' ') : undefined,
    scannedAt: ts && !Number.isNaN(ts.getTime()) ? ts : undefined,
    os: undefined,
    packages: [],
    findings: [],
    skipped: [],
    workloads: [],
  };
}

/** The package a component is, or undefined (the image, the application, files, no version). */
export function componentPackage(c: CdxComponent): Package | undefined {
  if (NOT_PACKAGES.has(c.type ?? '') || !c.version) return undefined;
  const p = c.purl ? packageFromPurl(c.purl) : undefined;
  return {
    ecosystem: p?.ecosystem ?? runsightProperty(c, 'runsight:ecosystem') ?? 'unknown',
    name: p?.name ?? (c.group ? `${c.group}:${c.name}` : c.name),
    version: c.version,
    purl: c.purl ?? undefined,
  };
}

/** One finding per `affects` ref of a vulnerability; a ref naming no package becomes a skip. */
export function findingsOf(
  v: CdxVulnerability,
  lookup: (ref: string) => AffectedPackage | undefined,
  skipped: SkippedItem[],
): ReportedFinding[] {
  const out: ReportedFinding[] = [];
  for (const affect of v.affects) {
    const pkg = lookup(affect.ref);
    if (!pkg) {
      skipped.push({
        id: v.id,
        kind: 'invalid',
        reason: `affects ref "${affect.ref}" names no component of this BOM and is not a package URL with a version`,
      });
      continue;
    }
    out.push(toFinding(v, pkg));
  }
  return out;
}

/** Image hints of a container component: its oci purl, name and Trivy's properties. */
export function containerHints(c: CdxComponent): ImageHints {
  const hints: ImageHints = { repoDigests: [], references: [] };
  const prop = (name: string) =>
    (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value ?? '');
  hints.repoDigests.push(...prop('aquasecurity:trivy:RepoDigest').filter(Boolean));
  hints.references.push(...prop('aquasecurity:trivy:RepoTag').filter(Boolean));
  const imageId = prop('aquasecurity:trivy:ImageID')[0];
  if (imageId) hints.configDigest = imageId;
  const purl = c.purl ? parsePurl(c.purl) : undefined;
  if (purl?.type === 'oci') {
    let repo = purl.qualifiers.repository_url ?? purl.name;
    if (!repo.includes('/')) repo = `${repo}/${purl.name}`;
    const tag =
      purl.qualifiers.tag ?? (c.name.includes(':') ? c.name.slice(c.name.lastIndexOf(':') + 1) : undefined);
    if (purl.version && isDigest(purl.version)) hints.repoDigests.push(`${repo}@${purl.version}`);
    if (tag && !tag.includes('/')) hints.references.push(`${repo}:${tag}`);
    if (purl.qualifiers.arch)
      hints.platform = { os: 'linux', architecture: purl.qualifiers.arch, variant: purl.qualifiers.variant };
  } else if (c.name.includes(':')) hints.references.push(c.name);
  return hints;
}

export interface AffectedPackage {
  ecosystem: string;
  name: string;
  version: string;
  purl?: string | undefined;
}

/** A `runsight:*` property Runsight's own BOMs write (scan/sbom/cyclonedx.ts, reports/image-report/). */
function runsightProperty(
  x: { properties?: { name: string; value?: string | null | undefined }[] | null | undefined } | undefined,
  name: string,
): string | undefined {
  return x?.properties?.find((p) => p.name === name)?.value || undefined;
}

/** The keys an `affects` ref is looked up under, in order: itself, then its local part
 * (`urn:cdx:serial/version#ref`). */
export function refKeys(ref: string): string[] {
  return ref.includes('#') ? [ref, ref.slice(ref.indexOf('#') + 1)] : [ref];
}

export function packageFor(
  ref: string,
  refs: ReadonlyMap<string, CdxComponent>,
): AffectedPackage | undefined {
  const keys = refKeys(ref);
  const local = keys[keys.length - 1]!;
  const c = refs.get(ref) ?? refs.get(local);
  const purl = c?.purl ?? (local.startsWith('pkg:') ? local : undefined);
  const fromPurl = purl ? packageFromPurl(purl) : undefined;
  const version = c?.version ?? fromPurl?.version;
  const name = fromPurl?.name ?? (c ? (c.group ? `${c.group}:${c.name}` : c.name) : undefined);
  if (!name || !version) return undefined;
  const ecosystem = fromPurl?.ecosystem ?? runsightProperty(c, 'runsight:ecosystem') ?? 'unknown';
  return { ecosystem, name, version, purl: purl?.replace(/\?.*$/, '') };
}

const METHOD_VERSION: Record<string, '2.0' | '3.0' | '3.1' | '4.0'> = {
  CVSSv2: '2.0',
  CVSSv3: '3.0',
  CVSSv31: '3.1',
  CVSSv4: '4.0',
};

const FINDING_STATUSES: readonly FindingStatus[] = ['affected', 'not_affected', 'fixed', 'unknown'];

function ownStatus(value: string | undefined): FindingStatus | undefined {
  return FINDING_STATUSES.find((s) => s === value);
}

function statusOf(state: string | null | undefined): FindingStatus {
  switch (state) {
    case 'not_affected':
    case 'false_positive':
      return 'not_affected';
    case 'resolved':
    case 'resolved_with_pedigree':
      return 'fixed';
    default:
      return 'affected';
  }
}

function toFinding(v: CdxVulnerability, pkg: AffectedPackage): ReportedFinding {
  const { id, aliases } = canonicalId(
    v.id,
    (v.references ?? []).map((r) => r.id),
  );
  const ratings = v.ratings ?? [];
  const preferred =
    ratings.find((r) => r.severity && r.source?.name && r.source.name === v.source?.name) ??
    ratings.find((r) => r.severity);
  const scored = ratings.find((r) => typeof r.score === 'number');
  const severity = preferred?.severity
    ? mapSeverity(preferred.severity)
    : scored?.score != null
      ? ratingFor(METHOD_VERSION[scored.method ?? ''] ?? '3.1', scored.score)
      : 'UNKNOWN';
  const candidates: CvssCandidate[] = ratings.map((r) => ({
    vector: r.vector,
    score: r.score,
    version: METHOD_VERSION[r.method ?? ''],
  }));
  // Runsight's own documents carry the fixed version as a property (it may hold several, `1.2, 1.3`).
  const fix =
    runsightProperty(v, 'runsight:fixedVersion') ?? /version\s+(\S+?)\.?$/i.exec(v.recommendation ?? '')?.[1];
  const a = v.analysis;
  const reason = [a?.state, a?.justification, a?.detail].filter(Boolean).join(': ');
  const finding: Finding = {
    id,
    aliases,
    package: { ecosystem: pkg.ecosystem, name: pkg.name, purl: pkg.purl },
    installedVersion: pkg.version,
    fixedVersion: fix,
    severity,
    cvss: pickCvss(candidates),
    kev: false,
    // Runsight's own BOMs also say the status itself (`unknown`: a version it could not compare,
    // which CycloneDX's analysis states cannot express); other BOMs: from the analysis state.
    status: ownStatus(runsightProperty(v, 'runsight:status')) ?? statusOf(a?.state),
    statusReason: reason ? `cyclonedx analysis: ${reason}` : undefined,
    source: 'cyclonedx',
  };
  return { finding, reportedId: v.id };
}
