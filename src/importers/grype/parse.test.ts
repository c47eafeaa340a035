import { describe, expect, it } from 'vitest';
import { raw } from '../test-support/reports.js';
import { parseGrypeReport } from './parse.js';

describe('Grype importer on real reports', () => {
  // Distinct (vulnerability, package, installed version), counted by hand from
  //   jq -c '.matches[] | [.vulnerability.id, [.relatedVulnerabilities[]?.id], .artifact.purl, .artifact.version]'
  // keycloak-test: CVE-2020-12413 on 6 different packages → 6 of 6 matches.
  // chainguard-ruby-test: CVE-2023-28755 on ruby-3.0; on uri 0.10.1 once as the CVE and once as
  //   GHSA-hv5j-3h9f-99c2, which Grype relates to that CVE → 2 of 3.
  // ghsa-test: httpclient 4.1.1 as GHSA-cfh5-3ghh-wfjx (related: CVE-2014-3577) and as
  //   CVE-2014-3577 → 1 of 2.
  it.each([
    ['keycloak-test', 6, 6],
    ['chainguard-ruby-test', 2, 3],
    ['ghsa-test', 1, 2],
  ])('%s: %i distinct findings of %i matches', (name, distinct, matches) => {
    const doc = raw(`grype/${name}.json`);
    expect(doc.matches).toHaveLength(matches);
    const [r] = parseGrypeReport(doc, name);
    expect(r!.findings).toHaveLength(distinct);
    expect(r!.skipped).toHaveLength(matches - distinct);
    expect(r!.skipped.every((s) => s.kind === 'duplicate')).toBe(true);
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
