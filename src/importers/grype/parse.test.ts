import { describe, expect, it } from 'vitest';
import { expectedGrype, raw } from '../test-support/expected.js';
import { parseGrypeReport } from './parse.js';

describe('Grype importer on real reports', () => {
  it.each(['keycloak-test', 'chainguard-ruby-test', 'ghsa-test'])('%s: distinct findings', (name) => {
    const doc = raw(`grype/${name}.json`);
    const [r] = parseGrypeReport(doc, name);
    expect(r!.findings).toHaveLength(expectedGrype(doc));
    expect(r!.findings.length + r!.skipped.length).toBe(doc.matches.length);
  });

  it('keycloak: manifest digest, repo digest, image ID, platform, scanner version and time', () => {
    const [r] = parseGrypeReport(raw('grype/keycloak-test.json'), 'k');
    expect(r!.hints).toMatchObject({
      manifestDigest: 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e',
      repoDigests: [
        'keycloak/keycloak@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50',
      ],
      configDigest: 'sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c',
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(r!.scannerVersion).toBe('0.66.0');
    expect(r!.scannedAt?.toISOString()).toBe('2023-09-01T12:13:42.201Z');
    expect(r!.os).toEqual({ family: 'redhat', release: '9.1', ecosystem: 'Red Hat' });
    const nspr = r!.findings.find((f) => f.package.name === 'nspr')!;
    expect(nspr).toMatchObject({
      id: 'CVE-2020-12413',
      installedVersion: '4.34.0-17.el9_1',
      severity: 'LOW',
      cvss: { version: '3.1', score: 5.9 },
      status: 'affected',
      statusReason: 'grype fix state: wont-fix',
      source: 'grype',
    });
    expect(nspr.fixedVersion).toBeUndefined();
  });

  it('folds a GHSA into the CVE Grype relates it to; Maven names come from the purl', () => {
    const [ruby] = parseGrypeReport(raw('grype/chainguard-ruby-test.json'), 'r');
    const uri = ruby!.findings.filter((f) => f.package.name === 'uri');
    expect(uri).toHaveLength(1);
    expect(uri[0]!.id).toBe('CVE-2023-28755');
    expect(uri[0]!.aliases).toContain('GHSA-hv5j-3h9f-99c2');
    expect(uri[0]!.package.ecosystem).toBe('RubyGems');
    expect(ruby!.findings.find((f) => f.package.name === 'ruby-3.0')!.package.ecosystem).toBe('Wolfi');
    const [ghsa] = parseGrypeReport(raw('grype/ghsa-test.json'), 'g');
    expect(ghsa!.findings[0]!.package).toMatchObject({
      ecosystem: 'Maven',
      name: 'org.apache.httpcomponents:httpclient',
    });
  });

  it('rejects a document without matches', () => {
    expect(() => parseGrypeReport({ source: { type: 'image' } }, 'x.json')).toThrow(
      /x.json: not a valid Grype JSON report at matches/,
    );
  });
});
