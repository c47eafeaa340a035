// Writes a scan as a CycloneDX 1.6 JSON BOM: the image as metadata.component (type container),
// the OS as an operating-system component, every package as a library with its purl and Runsight
// properties (`runsight:layer:diffID`, `runsight:package:path`, …), and the findings as
// vulnerabilities that affect those components. Spec: https://cyclonedx.org/docs/1.6/json/
import { randomUUID } from 'node:crypto';
import type { ImageScanResult } from '../scan-image.js';

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
    ].filter(Boolean);
    components.push({
      'bom-ref': ref,
      type: 'library',
      name: p.name,
      version: p.version,
      purl: p.purl,
      properties: props,
    });
  });
  const vulnerabilities = r.findings.map((f) => ({
    id: f.id,
    references: f.aliases.filter((a) => a !== f.id).map((a) => ({ id: a, source: { name: 'alias' } })),
    ratings: [
      {
        severity: f.severity.toLowerCase(),
        ...(f.cvss
          ? { score: f.cvss.score, vector: f.cvss.vector, method: `CVSSv${f.cvss.version.replace('.', '')}` }
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
    ...(vulnerabilities.length ? { vulnerabilities } : {}),
  };
}
