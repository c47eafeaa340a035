// CVE JSON 5 records (real ones, copied from CVEProject/cvelistV5: testdata/SOURCES.md) → the kind
// `cve`, their CVSS scores per (container, version) with the source each carries, the record's
// date, and rejected records. Expected values were read off the records by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvisoryFormatError } from '../errors.js';
import { detectKind, parseFile } from '../read-source.js';
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
