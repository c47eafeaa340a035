// Writes a scan as a CycloneDX 1.6 JSON BOM: the image as metadata.component (type container),
// the OS as an operating-system component, every package as a library with its purl (Maven and
// scoped npm packages split into `group` and `name`, as the purl's namespace and name) and
// Runsight properties (`runsight:layer:diffID`, `runsight:package:path`, …), the `dependencies`
// the package managers state (sbom/dependencies.ts), and the findings as vulnerabilities that
// affect those components. `sbom:FILE` reads it back to the same packages (read-sbom.ts).
// Spec: https://cyclonedx.org/docs/1.6/json/ — validated against the official schema in tests.
import { randomUUID } from 'node:crypto';
import type { Finding, Package } from '../../core/types.js';
import { parsePurl } from '../../versioning/index.js';
import type { ImageScanResult } from '../scan-image.js';
import { dependencyGraph } from './dependencies.js';

/** The schema's `scoreMethod` names (`CVSSv30` and `CVSSv40` are not among them). */
const CVSS_METHOD: Record<NonNullable<Finding['cvss']>['version'], string> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

export function toCycloneDx(r: ImageScanResult, toolVersion: string): unknown {
  const refOf = (i: number) => `pkg-${i}`;
  const refByPurl = new Map<string, string>();
  const components: unknown[] = [];
  if (r.os)
    components.push({
      'bom-ref': 'os',
      type: 'operating-system',
      name: r.os.family,
      version: r.os.release,
      properties: r.os.ecosystem ? [{ name: 'runsight:ecosystem', value: r.os.ecosystem }] : undefined,
    });
  r.packages.forEach((p, i) => {
    const ref = refOf(i);
    if (p.purl && !refByPurl.has(p.purl)) refByPurl.set(p.purl, ref);
    const props = [
      { name: 'runsight:ecosystem', value: p.ecosystem },
      p.layer ? { name: 'runsight:layer:diffID', value: p.layer } : undefined,
      p.path ? { name: 'runsight:package:path', value: p.path } : undefined,
      p.sourceName ? { name: 'runsight:package:sourceName', value: p.sourceName } : undefined,
      p.sourceVersion ? { name: 'runsight:package:sourceVersion', value: p.sourceVersion } : undefined,
      p.evidence ? { name: 'runsight:package:evidence', value: p.evidence } : undefined,
    ].filter(Boolean);
    components.push({
      'bom-ref': ref,
      type: 'library',
      ...groupAndName(p),
      version: p.version,
      purl: p.purl,
      properties: props,
    });
  });
  const graph = dependencyGraph(r.packages);
  const dependencies = [...graph.entries()]
    .sort(([a], [b]) => a - b)
    .map(([from, to]) => ({ ref: refOf(from), dependsOn: to.map(refOf) }));
  const vulnerabilities = r.findings.map((f) => ({
    id: f.id,
    references: f.aliases.filter((a) => a !== f.id).map((a) => ({ id: a, source: { name: 'alias' } })),
    ratings: [
      {
        severity: f.severity.toLowerCase(),
        ...(f.cvss
          ? { score: f.cvss.score, vector: f.cvss.vector, method: CVSS_METHOD[f.cvss.version] }
          : {}),
      },
    ],
    affects: [
      {
        ref: (f.package.purl && refByPurl.get(f.package.purl)) ?? f.package.name,
        versions: [{ version: f.installedVersion, status: f.status === 'affected' ? 'affected' : 'unknown' }],
      },
    ],
    ...(f.fixedVersion ? { recommendation: `upgrade to ${f.fixedVersion}` } : {}),
  }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: new Date().toISOString(),
      tools: { components: [{ type: 'application', name: 'runsight', version: toolVersion }] },
      component: {
        'bom-ref': r.image.digest,
        type: 'container',
        name: r.image.reference,
        version: r.image.digest,
        properties: [
          { name: 'runsight:image:digest', value: r.image.digest },
          { name: 'runsight:image:configDigest', value: r.image.configDigest },
          { name: 'runsight:image:platform', value: r.image.platform },
          { name: 'runsight:scan:status', value: r.status },
        ],
      },
    },
    components,
    ...(dependencies.length ? { dependencies } : {}),
    ...(vulnerabilities.length ? { vulnerabilities } : {}),
  };
}

/**
 * CycloneDX `group` and `name`: a Maven package is groupId and artifactId, a scoped npm package
 * `@scope` and its name — the purl's namespace and name. Other packages keep their full name
 * (a Go module path is the module's name; a Debian package has no group).
 */
function groupAndName(p: Package): { group?: string; name: string } {
  if (p.ecosystem !== 'Maven' && p.ecosystem !== 'npm') return { name: p.name };
  const purl = p.purl ? parsePurl(p.purl) : undefined;
  if (purl?.namespace && (purl.type === 'maven' || purl.type === 'npm'))
    return { group: purl.namespace, name: purl.name };
  return { name: p.name };
}
