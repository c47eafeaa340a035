// Reads a CycloneDX or SPDX JSON SBOM into packages (and the operating system it names), so that
// `runsight scan sbom:FILE` can match it without an image. A package is its purl (versioning/
// purl.ts: ecosystem, name, and the version with Trivy's rpm/Debian `epoch=` qualifier folded in).
// Trivy's source-package properties (`aquasecurity:trivy:Src*`) and layer properties (ours and
// Trivy's) are kept; from Runsight's own SBOM the ecosystem, source version, evidence and the
// `dependencies` come back too, so that scan → SBOM → `sbom:` gives the same packages and findings.
// A component that cannot be matched is skipped with its reason (no purl, unparsable purl, …).
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import { PACKAGE_EVIDENCE, type PackageEvidence } from '../../core/package-evidence.js';
import type { Package } from '../../core/types.js';
import { osvEcosystem, packageFromPurl, parsePurl } from '../../versioning/index.js';
import type { OsInfo } from '../extractors/os/release/detect.js';
import { pypiName } from '../purl.js';
import { type CdxComponent, CycloneDxSchema, SpdxSchema } from './schema.js';

/** A component the SBOM lists that is not matched, and why. */
export interface SkippedComponent {
  /** The purl when there is one, else `name@version` (or the bom-ref / SPDXID). */
  component: string;
  reason: 'no purl' | 'unparsable purl' | 'unknown purl type' | 'no version';
  /** The purl type for `unknown purl type`. */
  detail?: string | undefined;
}

export interface SbomInput {
  format: 'cyclonedx' | 'spdx';
  /** The subject the SBOM describes (image name), when it says. */
  subject?: string | undefined;
  os?: OsInfo | undefined;
  packages: Package[];
  /** Components not matched, each with its reason. */
  skipped: SkippedComponent[];
}

export async function readSbomFile(path: string): Promise<SbomInput> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(
      `${path}: expected a CycloneDX or SPDX JSON SBOM, but it is not JSON (${(err as Error).message})`,
    );
  }
  return parseSbom(json, path);
}

export function parseSbom(json: unknown, where: string): SbomInput {
  const cdx = CycloneDxSchema.safeParse(json);
  if (cdx.success) return fromCycloneDx(cdx.data);
  const spdx = SpdxSchema.safeParse(json);
  if (spdx.success) return fromSpdx(spdx.data);
  throw new InputError(
    `${where}: neither CycloneDX (bomFormat "CycloneDX") nor SPDX JSON (spdxVersion "SPDX-2.x"): ${cdx.error.issues[0]?.message ?? ''}`,
  );
}

function prop(c: CdxComponent, ...names: string[]): string | undefined {
  return c.properties?.find((p) => names.includes(p.name))?.value;
}

function fromCycloneDx(doc: ReturnType<typeof CycloneDxSchema.parse>): SbomInput {
  const all: CdxComponent[] = [];
  const walk = (cs: CdxComponent[] | undefined) => {
    for (const c of cs ?? []) {
      all.push(c);
      walk(c.components);
    }
  };
  walk(doc.components);
  const osc = all.find((c) => c.type === 'operating-system');
  const os = osc?.name ? osInfo(osc.name, osc.version) : undefined;
  const packages: Package[] = [];
  const skipped: SkippedComponent[] = [];
  const byRef = new Map<string, Package>();
  for (const c of all) {
    if (c.type === 'operating-system') continue;
    const label =
      c.purl ??
      `${c.group ? `${c.group}/` : ''}${c.name ?? c['bom-ref'] ?? '?'}${c.version ? `@${c.version}` : ''}`;
    const r = c.purl ? purlToPackage(c.purl, os) : { skip: 'no purl' as const };
    if ('skip' in r) {
      skipped.push({ component: label, reason: r.skip, detail: r.detail });
      continue;
    }
    const p = r.pkg;
    const ecosystem = prop(c, 'runsight:ecosystem');
    if (ecosystem) p.ecosystem = ecosystem;
    // PyPI purls carry the normalised name; the component keeps the project's own spelling.
    if (p.ecosystem === 'PyPI' && c.name && pypiName(c.name) === pypiName(p.name)) p.name = c.name;
    p.sourceName = prop(c, 'aquasecurity:trivy:SrcName', 'runsight:package:sourceName');
    p.sourceVersion = prop(c, 'runsight:package:sourceVersion') ?? trivySourceVersion(c);
    p.layer = prop(c, 'runsight:layer:diffID', 'aquasecurity:trivy:LayerDiffID');
    p.path = prop(c, 'runsight:package:path', 'aquasecurity:trivy:FilePath');
    p.evidence = evidence(prop(c, 'runsight:package:evidence'));
    packages.push(p);
    if (c['bom-ref']) byRef.set(c['bom-ref'], p);
  }
  for (const d of doc.dependencies ?? []) {
    const from = byRef.get(d.ref);
    if (!from) continue;
    const names = (d.dependsOn ?? []).map((ref) => byRef.get(ref)?.name).filter((n): n is string => !!n);
    from.dependsOn = [...new Set([...(from.dependsOn ?? []), ...names])];
  }
  return { format: 'cyclonedx', subject: doc.metadata?.component?.name, os, packages, skipped };
}

function fromSpdx(doc: ReturnType<typeof SpdxSchema.parse>): SbomInput {
  const pkgs = doc.packages ?? [];
  const osp = pkgs.find(
    (p) => p.primaryPackagePurpose === 'OPERATING-SYSTEM' || p.SPDXID.startsWith('SPDXRef-OperatingSystem'),
  );
  const os = osp ? osInfo(osp.name, osp.versionInfo) : undefined;
  const packages: Package[] = [];
  const skipped: SkippedComponent[] = [];
  for (const sp of pkgs) {
    if (sp === osp) continue;
    const purl = sp.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
    // SPDX lists files, the image and the document's own parts as packages: without a purl they
    // are not packages to match, and are not reported as skipped.
    if (!purl) continue;
    const r = purlToPackage(purl, os);
    if ('skip' in r) {
      skipped.push({ component: purl, reason: r.skip, detail: r.detail });
      continue;
    }
    const attr = (k: string) => sp.attributionTexts?.find((t) => t.startsWith(`${k}: `))?.slice(k.length + 2);
    const ecosystem = attr('Ecosystem');
    if (ecosystem) r.pkg.ecosystem = ecosystem;
    r.pkg.layer = attr('LayerDiffID');
    r.pkg.evidence = 'sbom';
    packages.push(r.pkg);
  }
  return { format: 'spdx', subject: doc.name, os, packages, skipped };
}

function osInfo(name: string, version: string | undefined): OsInfo {
  const family = name.toLowerCase();
  return { family, release: version, ecosystem: osvEcosystem(family, version) };
}

/** A purl as a package to match: it needs a version and an ecosystem (OS purls default to the distro family). */
function purlToPackage(
  purl: string,
  os: OsInfo | undefined,
): { pkg: Package } | { skip: SkippedComponent['reason']; detail?: string } {
  const parsed = parsePurl(purl);
  if (!parsed) return { skip: 'unparsable purl' };
  const p = packageFromPurl(purl, { os, assumeDistro: true });
  if (!p?.ecosystem) return { skip: 'unknown purl type', detail: parsed.type };
  if (!p.version) return { skip: 'no version' };
  return { pkg: { ecosystem: p.ecosystem, name: p.name, version: p.version, purl } };
}

/** Trivy's source version: `aquasecurity:trivy:SrcEpoch`, `SrcVersion`, `SrcRelease`. */
function trivySourceVersion(c: CdxComponent): string | undefined {
  const v = prop(c, 'aquasecurity:trivy:SrcVersion');
  if (!v) return undefined;
  const epoch = prop(c, 'aquasecurity:trivy:SrcEpoch');
  const release = prop(c, 'aquasecurity:trivy:SrcRelease');
  return `${epoch && epoch !== '0' ? `${epoch}:` : ''}${v}${release ? `-${release}` : ''}`;
}

/** Runsight's own evidence property when it names a known kind, else `sbom` (as the SBOM states). */
function evidence(v: string | undefined): PackageEvidence {
  return PACKAGE_EVIDENCE.includes(v as PackageEvidence) ? (v as PackageEvidence) : 'sbom';
}
