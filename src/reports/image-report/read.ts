// The shared reading behind every per-image document: resolve the reference exactly as `image
// show` does (showImage: a digest, or a tag through tag_history; under an access scope, an image
// no container in the scope runs or ran is NotFound with image show's message), take each platform
// manifest it covers (the image, or an index's children), the scan posture reads for it (the
// authoritative-source rule of propagation/settings.ts) with its packages and every finding, and
// decide each finding's status with the VEX statements Runsight holds (advisories' applyVex, the
// rule `db update` applies to Runsight's own findings).
import { readFileSync } from 'node:fs';
import { applyVex, vexStatementApplies } from '../../advisories/index.js';
import type { VexStatement } from '../../core/advisory.js';
import type { Finding, Package } from '../../core/types.js';
import { formatPlatform, isDigest, parseReference } from '../../identity/index.js';
import { chooseAuthoritativeSource } from '../../propagation/index.js';
import {
  getImageIdentity,
  getSetting,
  type ImageReportFindingRow,
  listImageSources,
  listVexStatements,
  loadScanPackages,
  readImageReportFacts,
  readImageReportFindings,
  type Store,
} from '../../store/index.js';
import { encodePurlComponent, formatPurl } from '../../versioning/index.js';
import { NotFoundError, showImage } from '../../views/index.js';
import type { ImageReportData, ImageReportOptions, ReportFinding, ReportTarget } from './model.js';

export async function readImageReportData(
  store: Store,
  reference: string,
  opts: ImageReportOptions,
): Promise<ImageReportData> {
  const configured =
    opts.authoritativeSource ?? (await getSetting<string>(store, 'posture.authoritativeSource'));
  const shown = await showImage(store, reference, configured, { scope: opts.scope });
  const identity = await getImageIdentity(store, shown.digest);
  const name = imageName(reference, identity?.names ?? []);
  const manifests = identity?.children.length
    ? identity.children.map((c) => ({ digest: c.digest, platform: c.platform }))
    : [{ digest: shown.digest, platform: identity?.platform ?? null }];

  const targets: ReportTarget[] = [];
  const rowsOf: ImageReportFindingRow[][] = [];
  for (const m of manifests) {
    const scans = await listImageSources(store, m.digest);
    const source = chooseAuthoritativeSource(scans, configured);
    const scan = scans.find((s) => s.source === source);
    const rows = scan ? await readImageReportFindings(store, [scan.scanId]) : [];
    const packages = scan ? ((await loadScanPackages(store, [scan.scanId])).get(scan.scanId) ?? []) : [];
    rowsOf.push(rows);
    targets.push({
      digest: m.digest,
      platform: m.platform ? formatPlatform(m.platform) : null,
      architecture: m.platform?.architecture ?? null,
      variant: m.platform?.variant ?? null,
      purl: ociPurl(name, m.digest, m.platform?.architecture, m.platform?.variant),
      scan: scan
        ? {
            source: scan.source,
            scanId: scan.scanId,
            scannerVersion: scan.scannerVersion,
            startedAt: scan.startedAt,
            status: scan.status,
          }
        : null,
      packages,
      findings: [],
    });
  }
  if (!targets.some((t) => t.scan))
    throw new NotFoundError(
      `${reference} (${shown.digest}) has no scan or import: scan it (runsight scan) or import a scanner report (runsight import) first`,
    );

  const ids = [...new Set(rowsOf.flat().flatMap((r) => [r.vulnerabilityId, ...r.aliases]))];
  const vex = await listVexStatements(store, ids);
  targets.forEach((t, i) => {
    const packages = new Map<string, Package>();
    for (const p of t.packages) {
      const k = packageKey(p.ecosystem, p.name, p.version);
      if (!packages.has(k)) packages.set(k, p);
    }
    t.findings = rowsOf[i]!.map((r) =>
      reportFinding(
        r,
        t.digest,
        packages.get(packageKey(r.ecosystem, r.packageName, r.installedVersion)),
        vex,
      ),
    );
  });
  return {
    reference,
    digest: shown.digest,
    kind: identity?.kind ?? 'manifest',
    name,
    purl: ociPurl(name, shown.digest),
    targets,
    facts: await readImageReportFacts(store, ids),
    generatedAt: opts.now ?? new Date(),
    toolVersion: runsightVersion(),
  };
}

function packageKey(ecosystem: string, name: string, version: string): string {
  return [ecosystem, name, version].join('\u0000');
}

function reportFinding(
  r: ImageReportFindingRow,
  digest: string,
  pkg: Package | undefined,
  vex: VexStatement[],
): ReportFinding {
  const purl = r.packagePurl ?? pkg?.purl;
  // The finding as applyVex sees it: stored status, package purl, aliases.
  const finding: Finding = {
    id: r.vulnerabilityId,
    aliases: r.aliases,
    package: { ecosystem: r.ecosystem, name: r.packageName, purl },
    installedVersion: r.installedVersion,
    severity: r.severity,
    kev: false,
    status: r.status,
    source: '',
  };
  const opts = { imageDigest: digest };
  const status = applyVex([finding], vex, opts)[0]!.status;
  const applicable = vex
    .filter((s) => vexStatementApplies(s, finding, opts))
    .sort((a, b) => (a.issuedAt?.getTime() ?? 0) - (b.issuedAt?.getTime() ?? 0));
  // The statement the status rests on: the newest saying it, else a newer under_investigation.
  const newest = applicable.at(-1);
  const deciding =
    newest?.status === 'under_investigation' && (status === 'affected' || status === 'unknown')
      ? newest
      : ([...applicable].reverse().find((s) => s.status === status) ?? null);
  return {
    id: r.vulnerabilityId,
    aliases: r.aliases,
    ecosystem: r.ecosystem,
    packageName: r.packageName,
    purl,
    installedVersion: r.installedVersion,
    fixedVersion: r.fixedVersion || null,
    severity: r.severity,
    cvss:
      r.cvssScore != null && r.cvssVersion
        ? { version: r.cvssVersion, vector: r.cvssVector, score: r.cvssScore }
        : null,
    storedStatus: r.status,
    statusReason: r.statusReason,
    status,
    vex: deciding,
    layer: r.layerDiffId ?? pkg?.layer ?? null,
  };
}

/** The name the document calls the image: the reference's repository, else the first recorded name. */
function imageName(
  reference: string,
  names: { registry: string; repository: string }[],
): ImageReportData['name'] {
  if (!isDigest(reference)) {
    const ref = parseReference(reference);
    return { registry: ref.registry, repository: ref.repository, tag: ref.tag };
  }
  const n = names[0];
  return n ? { registry: n.registry, repository: n.repository } : null;
}

/**
 * The image's package URL (purl-spec PURL-TYPES `oci`): the last path segment of the repository as
 * name, the digest as version with `:` encoded (`sha256%3A…`, as the spec's examples and the VEX
 * rule of posture expect), `repository_url`, `arch` (and `variant`, which the CycloneDX importer reads), `tag`.
 */
export function ociPurl(
  name: ImageReportData['name'],
  digest: string,
  arch?: string | null | undefined,
  variant?: string | null | undefined,
): string {
  const base = formatPurl({
    type: 'oci',
    name: (name?.repository.split('/').at(-1) ?? 'image').toLowerCase(),
    qualifiers: {
      repository_url: name ? `${name.registry}/${name.repository}` : undefined,
      arch: arch ?? undefined,
      variant: arch ? (variant ?? undefined) : undefined,
      tag: name?.tag,
    },
  });
  const at = base.indexOf('?');
  const version = `@${encodePurlComponent(digest).replace(':', '%3A')}`;
  return at === -1 ? base + version : `${base.slice(0, at)}${version}${base.slice(at)}`;
}

let version: string | undefined;
/** The running version (package.json beside src/ or dist/). */
function runsightVersion(): string {
  if (version) return version;
  try {
    version = String(
      JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version,
    );
  } catch {
    version = 'unknown';
  }
  return version;
}
