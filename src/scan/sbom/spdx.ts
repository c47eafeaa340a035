// Writes a scan as SPDX 2.3 JSON: a document describing the container image package, which
// CONTAINS one package per SBOM entry (purl external reference; layer diffID and path as
// attribution texts, the way Trivy marks them). Spec: https://spdx.github.io/spdx-spec/v2.3/
import { randomUUID } from 'node:crypto';
import type { ImageScanResult } from '../scan-image.js';

export function toSpdx(r: ImageScanResult, toolVersion: string): unknown {
  const image = 'SPDXRef-Image';
  const packages: unknown[] = [
    {
      SPDXID: image,
      name: r.image.reference,
      versionInfo: r.image.digest,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
      attributionTexts: [
        `Digest: ${r.image.digest}`,
        `ConfigDigest: ${r.image.configDigest}`,
        `Platform: ${r.image.platform}`,
      ],
    },
  ];
  const relationships: unknown[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image },
  ];
  if (r.os) {
    packages.push({
      SPDXID: 'SPDXRef-OperatingSystem',
      name: r.os.family,
      versionInfo: r.os.release,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'OPERATING-SYSTEM',
    });
    relationships.push({
      spdxElementId: image,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: 'SPDXRef-OperatingSystem',
    });
  }
  r.packages.forEach((p, i) => {
    const id = `SPDXRef-Package-${i}`;
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'LIBRARY',
      ...(p.sourceName
        ? {
            sourceInfo: `built from source package ${p.sourceName}${p.sourceVersion ? ` ${p.sourceVersion}` : ''}`,
          }
        : {}),
      externalRefs: p.purl
        ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }]
        : [],
      attributionTexts: [
        `Ecosystem: ${p.ecosystem}`,
        ...(p.layer ? [`LayerDiffID: ${p.layer}`] : []),
        ...(p.path ? [`FilePath: ${p.path}`] : []),
      ],
    });
    relationships.push({ spdxElementId: image, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: r.image.reference,
    documentNamespace: `https://runsight.dev/spdx/${r.image.digest.replace(':', '-')}/${randomUUID()}`,
    // SPDX 2.3 dates are whole seconds in UTC (YYYY-MM-DDThh:mm:ssZ): no fraction.
    creationInfo: {
      created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      creators: [`Tool: runsight-${toolVersion}`],
    },
    packages,
    relationships,
  };
}
