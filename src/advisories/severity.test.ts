import { describe, expect, it } from 'vitest';
import { scoreCvss } from './cvss.js';
import { severityEntries } from './osv/normalize.js';
import { chooseSeverity, normalizeRating } from './severity.js';

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

  it('distro rating first, then CVSS v3, then v4, then v2, then UNKNOWN', () => {
    expect(chooseSeverity(['LOW'], [...v3, ...v2])).toMatchObject({ severity: 'LOW', basis: 'distro' });
    expect(
      chooseSeverity([], severityEntries([{ type: 'Ubuntu', score: 'medium' }, ...[]]).concat(v3)),
    ).toMatchObject({
      severity: 'MEDIUM',
      basis: 'distro',
    });
    expect(chooseSeverity([undefined], [...v2, ...v4, ...v3])).toMatchObject({
      severity: 'CRITICAL',
      basis: 'cvss3',
    });
    expect(chooseSeverity([], [...v2, ...v4])).toMatchObject({ basis: 'cvss4' });
    expect(chooseSeverity([], v2)).toMatchObject({
      severity: 'HIGH',
      basis: 'cvss2',
      cvss: { version: '2.0', score: 7.5 },
    });
    expect(chooseSeverity([], [])).toEqual({ severity: 'UNKNOWN', basis: 'none' });
  });

  it('within a level the highest rating wins; distro words are normalised', () => {
    expect(chooseSeverity(['LOW', 'HIGH', undefined], [])).toMatchObject({ severity: 'HIGH' });
    expect(
      ['Important', 'Moderate', 'negligible', 'unimportant', 'CRITICAL', 'bogus'].map(normalizeRating),
    ).toEqual(['HIGH', 'MEDIUM', 'LOW', 'LOW', 'CRITICAL', undefined]);
  });
});
