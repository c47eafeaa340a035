// A guessed Maven identity never carries a finding: the jar's own output (artifact id only,
// evidence `file-name`) meets the matcher with a real OSV advisory for that artifact loaded
// (GHSA-269g-pwp5-87pp: junit:junit 4.7 to before 4.13.1, CVE-2020-15250).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPackages } from '../../../../advisories/match/matcher.js';
import { TESTDATA } from '../../../../advisories/test-support/expected-packages.js';
import { updateAdvisories } from '../../../../advisories/update.js';
import type { Package } from '../../../../core/types.js';
import { createTestStore, type TestStore } from '../../../../store/test-support/stores.js';
import { ecosystemOf, purlOf } from '../../../packages.js';
import { extractFile } from '../../../test-support/expected.js';
import { javaExtractor } from './java.js';

const GHSA = join(TESTDATA, 'osv/osv-scanner-offline-dbs/Maven/GHSA-269g-pwp5-87pp.json');

describe('a file-name identity is listed, never matched', () => {
  let store: TestStore;
  const tmp = mkdtempSync(join(tmpdir(), 'runsight-java-match-'));
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await updateAdvisories(store, { sources: [GHSA], rematch: false });
  });
  afterAll(async () => {
    await store?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  const junit = (evidence: Package['evidence']): Package => ({
    ecosystem: 'Maven',
    name: 'junit:junit',
    version: '4.12',
    purl: 'pkg:maven/junit/junit@4.12',
    evidence,
  });

  it('the advisory matches junit:junit 4.12 stated by pom.properties, not the same name guessed', async () => {
    const found = await matchPackages(store, [junit('pom.properties')]);
    expect(found.map((f) => [f.id, f.package.name, f.status])).toEqual([
      ['CVE-2020-15250', 'junit:junit', 'affected'],
    ]);
    expect(await matchPackages(store, [junit('file-name')])).toEqual([]);
  });

  const extracted = async () => {
    const dir = join(tmp, 'classes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'readme.txt'), 'no Maven metadata here\n');
    execFileSync('jar', ['cf', join(tmp, 'junit-4.12.jar'), '-C', dir, '.'], { stdio: 'pipe' });
    const got = await extractFile(
      javaExtractor,
      'app/lib/junit-4.12.jar',
      readFileSync(join(tmp, 'junit-4.12.jar')),
    );
    expect(got).toHaveLength(1);
    return got[0]!;
  };

  it("a manifest-less junit-4.12.jar: the extractor's package gets no finding", async () => {
    const got = await extracted();
    const pkg: Package = {
      ecosystem: ecosystemOf(got, undefined),
      name: got.name,
      version: got.version,
      evidence: got.evidence,
    };
    // No group invented: the name is the artifact id alone.
    expect(pkg).toEqual({ ecosystem: 'Maven', name: 'junit', version: '4.12', evidence: 'file-name' });
    expect(got.namespace).toBeUndefined();
    expect(await matchPackages(store, [pkg])).toEqual([]);
    // Even read as confident, `junit` is not the advisory's `junit:junit`.
    expect(await matchPackages(store, [{ ...pkg, evidence: 'manifest' }])).toEqual([]);
  });

  it('its purl has no namespace either (pkg:maven/<artifact>@<version>)', async () => {
    expect(purlOf(await extracted(), undefined)).toBe('pkg:maven/junit@4.12');
  });
});
