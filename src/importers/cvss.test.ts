import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cvssVersionOf, pickCvss, scoreOf } from './cvss.js';
import { raw, TESTDATA } from './test-support/reports.js';

describe('CVSS', () => {
  it('scores every v3 vector of the real reports to the score the report states', () => {
    // Every (V3Vector, V3Score) pair in the Trivy reports: the scores NVD/vendors published.
    const pairs = new Map<string, number>();
    const files = ['trivy', 'trivy-defectdojo'].flatMap((d) =>
      readdirSync(TESTDATA + d).map((f) => `${d}/${f}`),
    );
    for (const f of files) {
      const doc = raw(f);
      const results = Array.isArray(doc)
        ? doc
        : [
            ...(doc.Results ?? []),
            ...(doc.Vulnerabilities ?? []).flatMap((w: { Results: unknown[] }) => w.Results ?? []),
          ];
      for (const r of results)
        for (const v of r.Vulnerabilities ?? [])
          for (const c of Object.values(v.CVSS ?? {}) as { V3Vector?: string; V3Score?: number }[])
            if (c.V3Vector && typeof c.V3Score === 'number') pairs.set(c.V3Vector, c.V3Score);
    }
    expect(pairs.size).toBeGreaterThan(50);
    for (const [vector, score] of pairs) expect([vector, scoreOf(vector, '3.1')]).toEqual([vector, score]);
  });

  it('reads versions from vectors and refuses incomplete ones', () => {
    expect(cvssVersionOf('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('3.1');
    expect(cvssVersionOf('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe('4.0');
    expect(cvssVersionOf('AV:N/AC:M/Au:N/C:P/I:P/A:P')).toBe('2.0');
    expect(scoreOf('CVSS:3.1/AV:N/AC:L', '3.1')).toBeUndefined();
    // A bare vector (CycloneDX rating with method CVSSv3) takes the version it is given.
    expect(scoreOf('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0')).toBe(9.8);
  });

  it('prefers v3 over v4 over v2', () => {
    expect(
      pickCvss([
        { vector: 'AV:N/AC:M/Au:N/C:P/I:P/A:P', score: 6.8 },
        { vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L', score: 5.6 },
      ]),
    ).toEqual({ version: '3.0', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L', score: 5.6 });
  });
});
