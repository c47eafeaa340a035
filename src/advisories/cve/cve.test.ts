// CVE JSON 5 records (real ones, copied from CVEProject/cvelistV5: testdata/SOURCES.md) → the kind
// `cve`, their CVSS scores per (container, version) with the source each carries, the record's
// date, and rejected records. Expected values were read off the records by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvisoryFormatError } from '../errors.js';
import { detectKind, parseFile } from '../read-source.js';
import { chooseSeverity } from '../severity.js';
import { TESTDATA } from '../test-support/expected-packages.js';
import { collectSources } from '../update.js';
import { normalizeCveRecord } from './normalize.js';
import { cveRecord } from './schema.js';

const DIR = join(TESTDATA, 'cve');
const read = (id: string) => JSON.parse(readFileSync(join(DIR, `${id}.json`), 'utf8'));
const scoresOf = (id: string) => normalizeCveRecord(cveRecord.parse(read(id)));

describe('CVE records (CVE JSON 5)', () => {
  it('are detected by dataType CVE_RECORD, whatever the key order', () => {
    // CVE-2019-5018 lists `containers` first and `dataType` last; CVE-2023-52071 starts with it.
    for (const id of ['CVE-2019-5018', 'CVE-2023-52071', 'CVE-2021-3156'])
      expect(detectKind(read(id))).toBe('cve');
    const f = parseFile({
      origin: join(DIR, 'CVE-2025-26519.json'),
      location: DIR,
      text: readFileSync(join(DIR, 'CVE-2025-26519.json'), 'utf8'),
    });
    expect(f.kind).toBe('cve');
  });

  it('a CNA score: talos rates CVE-2019-5018 CVSS 3.0 8.1 HIGH', () => {
    expect(scoresOf('CVE-2019-5018')).toEqual({
      cveId: 'CVE-2019-5018',
      state: 'PUBLISHED',
      dateUpdated: new Date('2024-08-04T19:40:49.048Z'),
      scores: [
        {
          source: 'cve:talos',
          container: 'cna',
          cvssVersion: '3.0',
          vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H',
          baseScore: 8.1,
          rating: 'HIGH',
        },
      ],
    });
  });

  it('every version of a CNA is kept; v2 (no baseSeverity) is rated on the v2 scale', () => {
    expect(
      scoresOf('CVE-2024-3931').scores.map((s) => [s.source, s.cvssVersion, s.baseScore, s.rating, s.vector]),
    ).toEqual([
      ['cve:VulDB', '3.1', 3.5, 'LOW', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N'],
      ['cve:VulDB', '3.0', 3.5, 'LOW', 'CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N'],
      ['cve:VulDB', '2.0', 4, 'MEDIUM', 'AV:N/AC:L/Au:S/C:N/I:P/A:N'],
    ]);
  });

  it('ADP scores carry the ADP name; SSVC, KEV and the CVE Program container give none', () => {
    expect(scoresOf('CVE-2021-3156').scores).toEqual([
      {
        source: 'cve-adp:CISA-ADP',
        container: 'adp',
        cvssVersion: '3.1',
        vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H',
        baseScore: 7.8,
        rating: 'HIGH',
      },
    ]);
    expect(scoresOf('CVE-2022-48174').scores).toEqual([]);
    expect(scoresOf('CVE-2025-26519').scores.map((s) => s.source)).toEqual(['cve:mitre']);
  });

  it('a rejected record has no scores; a date without a zone is UTC', () => {
    expect(scoresOf('CVE-2023-52071')).toEqual({
      cveId: 'CVE-2023-52071',
      state: 'REJECTED',
      dateUpdated: new Date('2024-02-23T08:12:51.640Z'),
      scores: [],
    });
  });

  it('a malformed record fails with the file and the field, before anything is written', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'runsight-cve-'));
    try {
      const bad = read('CVE-2019-5018');
      bad.containers.cna.metrics[0].cvssV3_0.baseScore = '8.1';
      const file = join(dir, 'CVE-2019-5018.json');
      writeFileSync(file, JSON.stringify(bad));
      const err = await collectSources({ sources: [dir] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdvisoryFormatError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toContain('containers.cna.metrics.0.cvssV3_0.baseScore');

      const noId = read('CVE-2023-52071');
      noId.cveMetadata.cveId = 'CVE-23-1';
      writeFileSync(file, JSON.stringify(noId));
      const err2 = await collectSources({ sources: [file] }).catch((e: unknown) => e);
      expect((err2 as Error).message).toMatch(
        /CVE-2019-5018\.json: at cveMetadata\.cveId: expected a CVE id/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a CNA's own rating word (OpenSSL publishes no CVSS)", () => {
  // The metrics blocks below are those of cvelistV5's CVE-2019-1547 (older `content.value` form)
  // and CVE-2023-0464 (`content.text`, with CISA-ADP's CVSS 3.1), trimmed to what severity reads.
  const record = (id: string, cna: unknown[], adp: unknown[] = []) =>
    normalizeCveRecord(
      cveRecord.parse({
        dataType: 'CVE_RECORD',
        cveMetadata: { cveId: id, state: 'PUBLISHED', assignerShortName: 'openssl' },
        containers: {
          cna: {
            providerMetadata: { orgId: '3a12439a-ef3a-4c79-92e6-6081a721f1e5', shortName: 'openssl' },
            metrics: cna,
          },
          adp: [
            {
              providerMetadata: { orgId: '134c704f-9b21-4f2e-91b3-4a467353bcc0', shortName: 'CISA-ADP' },
              metrics: adp,
            },
          ],
        },
      }),
    ).scores;

  it('is kept as a `rating` score of the CNA; SSVC and free text are not', () => {
    const ssvc = {
      other: { type: 'ssvc', content: { options: [{ Exploitation: 'none' }], version: '2.0.3' } },
    };
    expect(
      record(
        'CVE-2019-1547',
        [
          {
            other: {
              type: 'unknown',
              content: {
                lang: 'eng',
                url: 'https://www.openssl.org/policies/secpolicy.html#Low',
                value: 'Low',
              },
            },
          },
        ],
        [ssvc],
      ),
    ).toEqual([
      {
        source: 'cve:openssl',
        container: 'cna',
        cvssVersion: 'rating',
        vector: 'Low',
        baseScore: 0,
        rating: 'LOW',
      },
    ]);
    expect(
      record('CVE-2000-0001', [{ other: { type: 'x', content: { text: 'see the advisory' } } }]),
    ).toEqual([]);
  });

  it('rates a finding only when no CVSS does: CVE-2023-0464 is HIGH from CISA-ADP, CVE-2019-1547 LOW from openssl', () => {
    const word = {
      other: { type: 'https://www.openssl.org/policies/secpolicy.html', content: { text: 'Low' } },
    };
    const adp = {
      cvssV3_1: {
        version: '3.1',
        baseScore: 7.5,
        baseSeverity: 'HIGH',
        vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      },
    };
    expect(chooseSeverity({ cveScores: record('CVE-2023-0464', [word], [adp]) })).toMatchObject({
      severity: 'HIGH',
      basis: 'cvss3',
      source: 'cve-adp:CISA-ADP',
    });
    expect(chooseSeverity({ cveScores: record('CVE-2019-1547', [word]) })).toEqual({
      severity: 'LOW',
      basis: 'cna-rating',
      source: 'cve:openssl',
    });
    // A distro's own rating still comes first.
    expect(
      chooseSeverity({
        ratings: [{ severity: 'MEDIUM', source: 'distro:Debian' }],
        cveScores: record('CVE-2019-1547', [word]),
      }),
    ).toMatchObject({ severity: 'MEDIUM', source: 'distro:Debian' });
  });
});
