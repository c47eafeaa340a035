// Reads a CycloneDX or SPDX JSON SBOM into packages (and the operating system it names), so that
// `runsight scan sbom:FILE` can match it without an image. Trivy's source-package properties
// (`aquasecurity:trivy:SrcName`) and layer properties (ours and Trivy's) are kept when present.
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import type { Package } from '../../core/types.js';
import { osvEcosystem, packageFromPurl } from '../../versioning/index.js';
import type { OsInfo } from '../extractors/os/release/detect.js';
import { type CdxComponent, CycloneDxSchema, SpdxSchema } from './schema.js';

export interface SbomInput {
  format: 'cyclonedx' | 'spdx';
  /** The subject the SBOM describes (image name), when it says. */
  subject?: string | undefined;
  os?: OsInfo | undefined;
  packages: Package[];
  /** Components without a usable purl (reported, not matched). */
  skipped: number;
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
  let skipped = 0;
  for (const c of all) {
    if (c.type === 'operating-system') continue;
    const p = c.purl ? purlToPackage(c.purl, os) : undefined;
    if (!p) {
      skipped++;
      continue;
    }
    p.sourceName = prop(c, 'aquasecurity:trivy:SrcName', 'runsight:package:sourceName');
    p.layer = prop(c, 'runsight:layer:diffID', 'aquasecurity:trivy:LayerDiffID');
    p.path = prop(c, 'runsight:package:path', 'aquasecurity:trivy:FilePath');
    packages.push(p);
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
  let skipped = 0;
  for (const sp of pkgs) {
    if (sp === osp) continue;
    const purl = sp.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
    const p = purl ? purlToPackage(purl, os) : undefined;
    if (!p) {
      if (purl) skipped++;
      continue;
    }
    const attr = (k: string) => sp.attributionTexts?.find((t) => t.startsWith(`${k}: `))?.slice(k.length + 2);
    p.layer = attr('LayerDiffID');
    packages.push(p);
  }
  return { format: 'spdx', subject: doc.name, os, packages, skipped };
}

function osInfo(name: string, version: string | undefined): OsInfo {
  const family = name.toLowerCase();
  return { family, release: version, ecosystem: osvEcosystem(family, version) };
}

/** A purl as a package to match: it needs a version and an ecosystem (OS purls default to the distro family). */
function purlToPackage(purl: string, os: OsInfo | undefined): Package | undefined {
  const p = packageFromPurl(purl, { os, assumeDistro: true });
  if (!p?.version || !p.ecosystem) return undefined;
  return { ecosystem: p.ecosystem, name: p.name, version: p.version, purl };
}
