import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, Package } from '../../core/types.js';
import { dpkgExtractor } from '../extractors/os/dpkg/dpkg.js';
import type { ImageScanResult } from '../scan-image.js';
import { scanSbom } from '../scan-sbom.js';
import { cycloneDxSchemaErrors } from '../test-support/cyclonedx-schema.js';
import { extractFile, fixture, txtarFile } from '../test-support/expected.js';
import { spdxRuleErrors } from '../test-support/spdx-rules.js';
import { toCycloneDx } from './cyclonedx.js';
import { dependsOnOf } from './dependencies.js';
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
    // Trivy's `epoch=1` qualifier (pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&…)
    // is part of the version, in both formats; nothing is skipped.
    expect(cdx.packages.find((p) => p.name === 'openssl-libs')?.purl).toContain('epoch=1');
    expect(cdx.skipped).toEqual([]);
    expect(spdx.skipped).toEqual([]);
  });

  it('a Debian epoch qualifier is kept in the version (written here in the form Trivy emits)', () => {
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [
        { type: 'operating-system', name: 'debian', version: '12.5' },
        { type: 'library', name: 'libc6', version: '2.36-9', purl: 'pkg:deb/debian/libc6@2.36-9?epoch=1' },
        {
          type: 'library',
          name: 'bsdutils',
          purl: 'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.5&epoch=1',
        },
        { type: 'library', name: 'tzdata', purl: 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?epoch=0' },
      ],
    };
    expect(parseSbom(doc, 'x').packages.map((p) => [p.ecosystem, p.name, p.version])).toEqual([
      ['Debian:12', 'libc6', '1:2.36-9'],
      ['Debian:12', 'bsdutils', '1:2.38.1-5+deb12u3'],
      ['Debian:12', 'tzdata', '2024a-0+deb12u1'],
    ]);
  });

  it('each skipped component is named with its reason; the scan error lists 10 and counts the rest', async () => {
    const reasons = [
      { type: 'library', name: 'no-purl', version: '1.0' },
      { type: 'library', name: 'broken', purl: 'pkg:npm/%zz@1' },
      { type: 'library', name: 'thing', purl: 'pkg:generic/thing@1.0' },
      { type: 'library', name: 'left-pad', purl: 'pkg:npm/left-pad' },
    ];
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        ...reasons,
        { type: 'library', name: 'ok', version: '1.0.0', purl: 'pkg:npm/ok@1.0.0' },
        ...Array.from({ length: 8 }, (_, i) => ({ type: 'file', name: `f${i}` })),
      ],
    };
    const s = parseSbom(doc, 'x');
    expect(s.packages.map((p) => p.name)).toEqual(['ok']);
    expect(s.skipped.slice(0, 4)).toEqual([
      { component: 'no-purl@1.0', reason: 'no purl' },
      { component: 'pkg:npm/%zz@1', reason: 'unparsable purl' },
      { component: 'pkg:generic/thing@1.0', reason: 'unknown purl type', detail: 'generic' },
      { component: 'pkg:npm/left-pad', reason: 'no version' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'runsight-sbom-'));
    writeFileSync(join(dir, 'bom.json'), JSON.stringify(doc));
    const r = await scanSbom(join(dir, 'bom.json'));
    expect(r.errors).toEqual([
      {
        code: 'sbom-components-skipped',
        message:
          '12 components were not matched: no-purl@1.0 (no purl), pkg:npm/%zz@1 (unparsable purl), ' +
          'pkg:generic/thing@1.0 (unknown purl type generic), pkg:npm/left-pad (no version), f0 (no purl), ' +
          'f1 (no purl), f2 (no purl), f3 (no purl), f4 (no purl), f5 (no purl) … and 2 more',
      },
    ]);
    // Names come from the file: a terminal escape in one is cleaned out of the message.
    writeFileSync(
      join(dir, 'esc.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'x\u001b[2Jy' }] }),
    );
    const esc = await scanSbom(join(dir, 'esc.json'));
    expect(esc.errors[0]!.message).toBe('1 component was not matched: x\ufffd[2Jy (no purl)');
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

  it('the CycloneDX document is valid against the official 1.6 schema', async () => {
    expect(await cycloneDxSchemaErrors(toCycloneDx(result, '0.1.0'))).toBeNull();
    // Findings rated with each CVSS version map to the schema's score methods (CVSSv3, CVSSv4, …).
    const finding = (version: '2.0' | '3.0' | '3.1' | '4.0', vector: string): Finding => ({
      id: `CVE-2024-000${version[0]}`,
      aliases: [],
      package: { ecosystem: 'Debian:12', name: 'libacl1', purl: result.packages[0]!.purl },
      installedVersion: '2.3.1-3',
      severity: 'HIGH',
      cvss: { version, vector, score: 7.5 },
      kev: false,
      status: 'affected',
      source: 'runsight',
    });
    const rated = toCycloneDx(
      {
        ...result,
        findings: [
          finding('2.0', 'AV:N/AC:L/Au:N/C:P/I:P/A:P'),
          finding('3.0', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'),
          finding('3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'),
          finding('4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N'),
        ],
      },
      '0.1.0',
    ) as { vulnerabilities: { ratings: { method: string }[] }[] };
    expect(rated.vulnerabilities.map((v) => v.ratings[0]!.method)).toEqual([
      'CVSSv2',
      'CVSSv3',
      'CVSSv31',
      'CVSSv4',
    ]);
    expect(await cycloneDxSchemaErrors(rated)).toBeNull();
    // The validator does reject what the schema forbids (an unknown component field).
    const bad = toCycloneDx(result, '0.1.0') as { components: Record<string, unknown>[] };
    bad.components[1]!.groupId = 'x';
    expect(await cycloneDxSchemaErrors(bad)).not.toBeNull();
  });

  const graph: ImageScanResult = {
    ...result,
    packages: [
      // dpkg: acl → libacl1 and libc6; `libc-dev|libc6-dev` resolves to nothing installed.
      deb('acl', '2.3.1-3', ['libacl1', 'libc6', 'libc-dev|libc6-dev']),
      deb('libacl1', '2.3.1-3', ['libc6']),
      deb('libc6', '2.36-9+deb12u4', []),
      deb('adduser', '3.134', ['passwd', 'debconf|libc6']), // passwd is not installed
      // Maven: group and artifact.
      {
        ecosystem: 'Maven',
        name: 'org.apache.logging.log4j:log4j-core',
        version: '2.14.1',
        purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
        path: 'opt/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar',
      },
      // Go: the main module of one binary depends on its modules, not on another binary's.
      go('example.com/app', '(devel)', 'usr/bin/app', ['golang.org/x/text', 'stdlib']),
      go('golang.org/x/text', 'v0.14.0', 'usr/bin/app'),
      go('stdlib', 'v1.22.0', 'usr/bin/app'),
      go('golang.org/x/text', 'v0.3.0', 'usr/bin/other'),
      // npm: b is installed inside a's node_modules; c at the top level is a's sibling.
      npm('@scope/a', '1.0.0', 'srv/node_modules/@scope/a/package.json'),
      npm('b', '2.0.0', 'srv/node_modules/@scope/a/node_modules/b/package.json'),
      npm('c', '3.0.0', 'srv/node_modules/c/package.json'),
    ],
  };

  it('Maven and scoped npm components have group and name; dependencies as the package managers state them', async () => {
    const doc = toCycloneDx(graph, '0.1.0') as {
      components: { 'bom-ref': string; group?: string; name: string; version: string; purl?: string }[];
      dependencies: { ref: string; dependsOn: string[] }[];
    };
    expect(await cycloneDxSchemaErrors(doc)).toBeNull();
    const c = (name: string, version?: string) =>
      doc.components.find((x) => x.name === name && (!version || x.version === version))!;
    expect(c('log4j-core')).toMatchObject({
      group: 'org.apache.logging.log4j',
      name: 'log4j-core',
      purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    });
    expect(c('a')).toMatchObject({ group: '@scope', name: 'a' });
    expect(c('example.com/app').group).toBeUndefined();
    const ref = (name: string, version?: string) => c(name, version)['bom-ref'];
    const deps = Object.fromEntries(doc.dependencies.map((d) => [d.ref, d.dependsOn]));
    expect(deps[ref('acl')]).toEqual([ref('libacl1'), ref('libc6')]);
    expect(deps[ref('libacl1')]).toEqual([ref('libc6')]);
    expect(deps[ref('libc6')]).toEqual([]); // stated: no dependencies
    expect(deps[ref('adduser')]).toEqual([ref('libc6')]); // second alternative installed
    expect(deps[ref('example.com/app')]).toEqual([ref('golang.org/x/text', 'v0.14.0'), ref('stdlib')]);
    expect(deps[ref('a')]).toEqual([ref('b')]);
    // Not stated: no entry (unknown, not "none").
    expect(deps[ref('log4j-core')]).toBeUndefined();
    expect(deps[ref('c')]).toBeUndefined();
    expect(deps[ref('golang.org/x/text', 'v0.14.0')]).toBeUndefined();
    // Read back: the same packages (Maven name group:artifact again) and the same edges.
    const back = parseSbom(JSON.parse(JSON.stringify(doc)), 'out.json');
    expect(back.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl])).toEqual(
      graph.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl]),
    );
    const again = toCycloneDx({ ...graph, packages: back.packages }, '0.1.0') as typeof doc;
    expect(again.dependencies).toEqual(doc.dependencies);
  });

  it('dpkg Depends from a real status file become dependencies (extractor meta → dependsOnOf → SBOM)', async () => {
    const text = txtarFile(
      fixture('dpkg/trivy-ubuntu1804-valid.txtar').toString('utf8'),
      'var/lib/dpkg/status',
    );
    const extracted = await extractFile(dpkgExtractor, 'var/lib/dpkg/status', Buffer.from(text));
    const packages: Package[] = extracted.map((p) => ({
      ecosystem: 'Ubuntu:18.04',
      name: p.name,
      version: p.version,
      path: 'var/lib/dpkg/status',
      dependsOn: dependsOnOf(p),
    }));
    const doc = toCycloneDx({ ...result, packages }, '0.1.0') as {
      components: { 'bom-ref': string; name: string }[];
      dependencies: { ref: string; dependsOn: string[] }[];
    };
    const name = new Map(doc.components.map((c) => [c['bom-ref'], c.name]));
    const deps = new Map(doc.dependencies.map((d) => [name.get(d.ref), d.dependsOn.map((r) => name.get(r))]));
    // `Depends: passwd, debconf (>= 0.5) | debconf-2.0`: both installed (passwd 1:4.5-1ubuntu1, debconf 1.5.66).
    expect(deps.get('adduser')).toEqual(['passwd', 'debconf']);
    // Every package of the file is in the graph: its dependencies are stated, even when none.
    expect(deps.size).toBe(extracted.length);
    expect(deps.get('lsb-base')).toEqual([]);
    expect(await cycloneDxSchemaErrors(doc)).toBeNull();
  });

  it('SPDX 2.3 keeps the schema rules and reads back to the same packages and layers', () => {
    const doc = toSpdx(result, '0.1.0');
    expect(spdxRuleErrors(doc)).toBeNull();
    const back = parseSbom(JSON.parse(JSON.stringify(doc)), 'out.spdx.json');
    expect(back.format).toBe('spdx');
    expect(back.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer])).toEqual(
      result.packages.map((p) => [p.ecosystem, p.name, p.version, p.layer]),
    );
  });
});

function deb(name: string, version: string, dependsOn: string[]): Package {
  return {
    ecosystem: 'Debian:12',
    name,
    version,
    purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
    path: 'var/lib/dpkg/status',
    dependsOn,
  };
}

function go(name: string, version: string, path: string, dependsOn?: string[]): Package {
  const i = name.lastIndexOf('/');
  const purl =
    i < 0
      ? `pkg:golang/${name}@${encodeURIComponent(version)}`
      : `pkg:golang/${name.slice(0, i)}/${name.slice(i + 1)}@${version.replace('(', '%28').replace(')', '%29')}`;
  return { ecosystem: 'Go', name, version, purl, path, dependsOn };
}

function npm(name: string, version: string, path: string): Package {
  return { ecosystem: 'npm', name, version, purl: `pkg:npm/${name.replace('@', '%40')}@${version}`, path };
}
