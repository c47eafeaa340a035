import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CveScore, SeverityEntry } from '../core/advisory.js';
import type { Severity } from '../core/types.js';
import { normalizeCveRecord } from './cve/normalize.js';
import { cveRecord } from './cve/schema.js';
import { scoreCvss } from './cvss.js';
import { severityEntries } from './osv/normalize.js';
import { advisorySeveritySource, chooseSeverity, normalizeRating } from './severity.js';
import { TESTDATA } from './test-support/expected-packages.js';

describe('CVSS scoring (FIRST base scores via ae-cvss-calculator)', () => {
  it('scores v2, v3.0, v3.1 and v4.0 vectors and rates them', () => {
    expect(scoreCvss('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toMatchObject({
      version: '2.0',
      score: 7.5,
      rating: 'HIGH',
    });
    expect(scoreCvss('CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
      version: '3.0',
      score: 7.8,
      rating: 'HIGH',
    });
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N')).toMatchObject({
      version: '3.1',
      score: 9.1,
      rating: 'CRITICAL',
    });
    expect(scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatchObject({
      version: '4.0',
      score: 9.3,
      rating: 'CRITICAL',
    });
    expect(scoreCvss('CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:L')).toMatchObject({ rating: 'LOW' });
  });

  it('an unparseable vector gives no score (the entry is kept as UNKNOWN)', () => {
    expect(scoreCvss('garbage')).toBeUndefined();
    expect(severityEntries([{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:X' }])).toEqual([
      {
        type: 'CVSS_V3',
        score: 'CVSS:3.1/AV:X',
        cvssVersion: undefined,
        baseScore: undefined,
        rating: 'UNKNOWN',
      },
    ]);
  });
});

describe('severity precedence', () => {
  const v3 = severityEntries([{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' }]);
  const v2 = severityEntries([{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }]);
  const v4 = severityEntries([
    { type: 'CVSS_V4', score: 'CVSS:4.0/AV:L/AC:H/AT:N/PR:H/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' },
  ]);
  const from = (source: string, entries: SeverityEntry[]) => entries.map((entry) => ({ entry, source }));
  const rated = (source: string, ...severities: (Severity | undefined)[]) =>
    severities.map((severity) => ({ severity, source }));

  it('distro rating first, then CVSS v3, then v4, then v2, then UNKNOWN', () => {
    expect(
      chooseSeverity({ ratings: rated('distro:Debian', 'LOW'), entries: from('osv:Debian', [...v3, ...v2]) }),
    ).toMatchObject({
      severity: 'LOW',
      basis: 'distro',
      source: 'distro:Debian',
    });
    expect(
      chooseSeverity({
        entries: from('distro:Ubuntu', [...severityEntries([{ type: 'Ubuntu', score: 'medium' }]), ...v3]),
      }),
    ).toMatchObject({ severity: 'MEDIUM', basis: 'distro', source: 'distro:Ubuntu' });
    expect(
      chooseSeverity({
        ratings: rated('distro:Debian', undefined),
        entries: from('osv:PyPI', [...v2, ...v4, ...v3]),
      }),
    ).toMatchObject({
      severity: 'CRITICAL',
      basis: 'cvss3',
      source: 'osv:PyPI',
    });
    expect(chooseSeverity({ entries: from('osv:PyPI', [...v2, ...v4]) })).toMatchObject({ basis: 'cvss4' });
    expect(chooseSeverity({ entries: from('osv:PyPI', v2) })).toMatchObject({
      severity: 'HIGH',
      basis: 'cvss2',
      cvss: { version: '2.0', score: 7.5 },
    });
    expect(chooseSeverity({})).toEqual({ severity: 'UNKNOWN', basis: 'none', source: 'none' });
  });

  it('within a level the highest rating wins and names its source; distro words are normalised', () => {
    expect(
      chooseSeverity({
        ratings: [...rated('distro:Debian', 'LOW'), ...rated('distro:Ubuntu', 'HIGH', undefined)],
      }),
    ).toMatchObject({ severity: 'HIGH', source: 'distro:Ubuntu' });
    expect(
      ['Important', 'Moderate', 'negligible', 'unimportant', 'CRITICAL', 'bogus'].map(normalizeRating),
    ).toEqual(['HIGH', 'MEDIUM', 'LOW', 'LOW', 'CRITICAL', undefined]);
  });

  it('names an advisory rating by the distro of its ecosystem, or by the advisory source', () => {
    expect(advisorySeveritySource({ source: 'alpine-secdb:v3.9', ecosystem: 'Alpine:v3.9' })).toBe(
      'distro:Alpine',
    );
    expect(advisorySeveritySource({ source: 'osv:Debian', ecosystem: 'Debian:9' })).toBe('distro:Debian');
    expect(advisorySeveritySource({ source: 'osv:AlmaLinux', ecosystem: 'AlmaLinux:8' })).toBe(
      'distro:AlmaLinux',
    );
    expect(advisorySeveritySource({ source: 'osv:PyPI', ecosystem: 'PyPI' })).toBe('osv:PyPI');
    expect(advisorySeveritySource({ source: 'osv:npm', ecosystem: 'npm' })).toBe('osv:npm');
  });
});

describe('severity precedence with CVE-record scores (real cvelistV5 records)', () => {
  const scores = (id: string): CveScore[] =>
    normalizeCveRecord(cveRecord.parse(JSON.parse(readFileSync(join(TESTDATA, 'cve', `${id}.json`), 'utf8'))))
      .scores;
  // Read by hand from the records: CVE-2019-5018 — talos (CNA) cvssV3_0 8.1 HIGH;
  // CVE-2024-3931 — VulDB (CNA) cvssV3_1 3.5 LOW, cvssV3_0 3.5 LOW, cvssV2_0 4 (MEDIUM on v2's scale);
  // CVE-2021-3156 — no CNA metrics, CISA-ADP cvssV3_1 7.8 HIGH.
  const talos = scores('CVE-2019-5018');
  const vuldb = scores('CVE-2024-3931');
  const cisa = scores('CVE-2021-3156');
  const v3 = severityEntries([{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' }]);

  it('the CNA score rates a finding no advisory rates', () => {
    expect(
      chooseSeverity({ ratings: [{ severity: undefined, source: 'distro:Alpine' }], cveScores: talos }),
    ).toEqual({
      severity: 'HIGH',
      basis: 'cvss3',
      source: 'cve:talos',
      cvss: { version: '3.0', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 8.1 },
    });
  });

  it('a distro rating and the advisory CVSS come before the CVE record', () => {
    expect(
      chooseSeverity({ ratings: [{ severity: 'LOW', source: 'distro:Debian' }], cveScores: talos }),
    ).toMatchObject({
      severity: 'LOW',
      source: 'distro:Debian',
      // No CVSS in the advisory: the finding's vector is the CNA's.
      cvss: { version: '3.0', score: 8.1 },
    });
    expect(
      chooseSeverity({ entries: v3.map((entry) => ({ entry, source: 'osv:PyPI' })), cveScores: talos }),
    ).toMatchObject({
      severity: 'CRITICAL',
      source: 'osv:PyPI',
      cvss: { version: '3.1', score: 9.1 },
    });
  });

  it('within the CNA: v3.1/3.0 before v2.0, even when v2 rates higher', () => {
    expect(chooseSeverity({ cveScores: vuldb })).toEqual({
      severity: 'LOW',
      basis: 'cvss3',
      source: 'cve:VulDB',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N', score: 3.5 },
    });
    expect(chooseSeverity({ cveScores: vuldb.filter((s) => s.cvssVersion === '2.0') })).toMatchObject({
      severity: 'MEDIUM',
      basis: 'cvss2',
      cvss: { version: '2.0', score: 4 },
    });
  });

  it('the CNA comes before an ADP, even when the ADP rates higher; an ADP rates alone', () => {
    expect(chooseSeverity({ cveScores: [...cisa, ...vuldb] })).toMatchObject({
      severity: 'LOW',
      source: 'cve:VulDB',
    });
    expect(chooseSeverity({ cveScores: cisa })).toEqual({
      severity: 'HIGH',
      basis: 'cvss3',
      source: 'cve-adp:CISA-ADP',
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.8 },
    });
  });

  it('a record without CVSS (SSVC only) leaves the finding UNKNOWN with source none', () => {
    expect(scores('CVE-2022-48174')).toEqual([]);
    expect(chooseSeverity({ cveScores: scores('CVE-2022-48174') })).toEqual({
      severity: 'UNKNOWN',
      basis: 'none',
      source: 'none',
    });
  });
});
