import { describe, expect, it } from 'vitest';
import type { ImageScanResult } from '../scan-image.js';
import { fixture } from '../test-support/expected.js';
import { toCycloneDx } from './cyclonedx.js';
import { parseSbom } from './read-sbom.js';
import { toSpdx } from './spdx.js';

const read = (f: string) => parseSbom(JSON.parse(fixture(`sbom/${f}`).toString('utf8')), f);

describe('SBOM input', () => {
  it('trivy centos:7 CycloneDX and SPDX documents give the same packages', () => {
    const cdx = read('trivy-centos-7-cyclonedx.json');
    const spdx = read('trivy-centos-7-spdx.json');
    expect(cdx.os).toMatchObject({ family: 'centos', release: '7.6.1810' });
    expect(spdx.os).toMatchObject({ family: 'centos', release: '7.6.1810' });
    const ids = (x: typeof cdx) => x.packages.map((p) => `${p.ecosystem} ${p.name}@${p.version}`).sort();
    expect(ids(cdx)).toEqual(ids(spdx));
    expect(ids(cdx)).toEqual(['Red Hat bash@4.2.46-31.el7', 'Red Hat openssl-libs@1:1.0.2k-16.el7']);
    expect(cdx.packages.find((p) => p.name === 'openssl-libs')?.sourceName).toBe('openssl');
  });

  it('trivy fluentd CycloneDX: Debian packages take Debian:10, gems RubyGems', () => {
    const s = read('trivy-fluentd-multiple-lockfiles-cyclonedx.json');
    const eco = new Set(s.packages.map((p) => p.ecosystem));
    expect(eco).toEqual(new Set(['Debian:10', 'RubyGems']));
    expect(s.packages.find((p) => p.name === 'activesupport')).toMatchObject({
      ecosystem: 'RubyGems',
      version: '6.0.2.1',
    });
  });

  it('rejects a JSON document that is no SBOM', () => {
    expect(() => parseSbom({ hello: 1 }, 'x.json')).toThrow(/x.json: neither CycloneDX .* nor SPDX/);
  });
});

describe('SBOM output', () => {
  const result: ImageScanResult = {
    image: { reference: 'r/app:1', digest: 'sha256:aa', platform: 'linux/amd64', configDigest: 'sha256:cc' },
    os: { family: 'debian', release: '12', ecosystem: 'Debian:12' },
    status: 'complete',
    errors: [],
    packages: [
      {
        ecosystem: 'Debian:12',
        name: 'libacl1',
        version: '2.3.1-3',
        purl: 'pkg:deb/debian/libacl1@2.3.1-3?arch=amd64&distro=debian-12',
        sourceName: 'acl',
        layer: 'sha256:l1',
        path: 'var/lib/dpkg/status',
      },
      {
        ecosystem: 'npm',
        name: '@babel/core',
        version: '7.0.0',
        purl: 'pkg:npm/%40babel/core@7.0.0',
        layer: 'sha256:l2',
        path: 'app/package-lock.json',
      },
    ],
    findings: [],
    stats: { layers: 2, cachedLayers: 0, bytes: 1, seconds: 0 },
  };

  it('CycloneDX 1.6 carries layer properties and reads back to the same packages', () => {
    const doc = toCycloneDx(result, '0.1.0') as {
      specVersion: string;
      components: { properties: { name: string; value: string }[] }[];
    };
    expect(doc.specVersion).toBe('1.6');
    expect(doc.components[1]!.properties).toContainEqual({
      name: 'runsight:layer:diffID',
      value: 'sha256:l1',
    });
    const back = parseSbom(JSON.parse(JSON.stringify(doc)), 'out.json');
    expect(back.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer, p.path, p.sourceName])).toEqual(
      result.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer, p.path, p.sourceName]),
    );
  });

  it('SPDX 2.3 reads back to the same packages and layers', () => {
    const doc = toSpdx(result, '0.1.0');
    const back = parseSbom(JSON.parse(JSON.stringify(doc)), 'out.spdx.json');
    expect(back.format).toBe('spdx');
    expect(back.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer])).toEqual(
      result.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer]),
    );
  });
});
