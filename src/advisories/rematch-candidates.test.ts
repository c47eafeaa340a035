// The candidate join of a re-match (store: loadCandidatePackages, keyed by candidateRules) gives
// exactly what the matcher gives per SBOM, across ecosystems: deb (a package stored as `Debian`
// keyed by the OS's release, the source package), apk (origin, `Alpine:3.18.4` → `Alpine:v3.18`),
// rpm (`AlmaLinux:9.3` → `AlmaLinux:9`, epochs), npm, PyPI (PEP 503 spellings, a versions list),
// Maven (a guessed identity left out), Go; fixed / not-fixed and last_affected boundaries, an
// unparsable advisory version (unknown) and withdrawn advisories. Then: a second full re-match
// rewrites nothing (the swap is a set difference), and an incremental update that moves a fix and
// withdraws an advisory changes only the packages it names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedAdvisory, RangeEvent } from '../core/advisory.js';
import type { Finding, Package } from '../core/types.js';
import { saveScan } from '../store/index.js';
import { upsertAdvisorySource } from '../store/queries/advisories/upsert-advisory-source.js';
import { writeAdvisories } from '../store/queries/advisories/write-advisories.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { matchPackages } from './match/matcher.js';
import { rematch } from './rematch.js';

const kinds = await storeKindsToTest();

function adv(
  id: string,
  cve: string,
  ecosystem: string,
  packageName: string,
  events: RangeEvent[],
  opts: { type?: 'ECOSYSTEM' | 'SEMVER'; versions?: string[]; withdrawn?: Date; modified?: Date } = {},
): NormalizedAdvisory {
  return {
    source: 'osv:test',
    id,
    modified: opts.modified ?? new Date('2024-01-01T00:00:00Z'),
    withdrawn: opts.withdrawn,
    aliases: [cve],
    upstream: [],
    severity: [],
    affected: [
      {
        ecosystem,
        packageName,
        ranges: events.length ? [{ type: opts.type ?? 'ECOSYSTEM', events }] : [],
        versions: opts.versions ?? [],
      },
    ],
    record: {},
  };
}

const ADVISORIES: NormalizedAdvisory[] = [
  adv('DSA-1', 'CVE-2099-0001', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]),
  adv('ALPINE-1', 'CVE-2099-0002', 'Alpine:v3.18', 'busybox', [{ introduced: '0' }, { fixed: '1.36.1-r1' }]),
  adv('ALSA-1', 'CVE-2099-0003', 'AlmaLinux:9', 'openssl', [
    { introduced: '0' },
    { fixed: '1:3.0.7-17.el9' },
  ]),
  adv('GHSA-npm-1', 'CVE-2099-0004', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], {
    type: 'SEMVER',
  }),
  adv('GHSA-npm-2', 'CVE-2099-0005', 'npm', 'minimist', [{ introduced: '0' }, { fixed: '1.2.6' }], {
    type: 'SEMVER',
    withdrawn: new Date('2024-02-01T00:00:00Z'),
  }),
  adv('GHSA-npm-3', 'CVE-2099-0006', 'npm', 'minimist', [{ introduced: '0' }, { last_affected: '1.2.5' }], {
    type: 'SEMVER',
  }),
  adv('GHSA-npm-4', 'CVE-2099-0007', 'npm', 'left-pad', [{ introduced: '0' }, { fixed: 'not-a-version' }]),
  adv('PYSEC-1', 'CVE-2099-0008', 'PyPI', 'werkzeug', [{ introduced: '0' }, { fixed: '2.2.3' }]),
  adv('PYSEC-2', 'CVE-2099-0009', 'PyPI', 'zope-interface', [], { versions: ['5.0.0'] }),
  adv('GHSA-mvn-1', 'CVE-2099-0010', 'Maven', 'org.apache.logging.log4j:log4j-core', [
    { introduced: '2.0-beta9' },
    { fixed: '2.15.0' },
  ]),
  adv('GO-1', 'CVE-2099-0011', 'Go', 'golang.org/x/net', [{ introduced: '0' }, { fixed: '0.17.0' }], {
    type: 'SEMVER',
  }),
];

const deb = (ecosystem: string, name: string, version: string): Package => ({
  ecosystem,
  name,
  version,
  sourceName: 'openssl',
  sourceVersion: version,
});

const IMAGES: {
  digest: string;
  os?: { family: string; release: string; ecosystem: string };
  packages: Package[];
}[] = [
  {
    digest: `sha256:${'a'.repeat(64)}`,
    os: { family: 'debian', release: '12', ecosystem: 'Debian:12' },
    packages: [
      deb('Debian', 'libssl3', '3.0.11-1~deb12u1'), // the OS's release; below the fix
      deb('Debian:12', 'openssl', '3.0.11-1~deb12u2'), // at the fix
      { ecosystem: 'npm', name: 'lodash', version: '4.17.20', path: 'app/node_modules/lodash' },
      {
        ecosystem: 'npm',
        name: 'lodash',
        version: '4.17.21',
        path: 'app/node_modules/x/node_modules/lodash',
      },
      { ecosystem: 'npm', name: 'minimist', version: '1.2.5' },
      { ecosystem: 'npm', name: 'left-pad', version: '1.3.0' },
      { ecosystem: 'npm', name: 'express', version: '4.0.0' },
      { ecosystem: 'PyPI', name: 'Werkzeug', version: '2.2.2' },
      { ecosystem: 'PyPI', name: 'zope.interface', version: '5.0.0' },
    ],
  },
  {
    digest: `sha256:${'b'.repeat(64)}`,
    os: { family: 'alpine', release: '3.18.4', ecosystem: 'Alpine:3.18.4' },
    packages: [
      { ecosystem: 'Alpine:3.18.4', name: 'busybox-binsh', version: '1.36.1-r0', sourceName: 'busybox' },
      { ecosystem: 'Alpine', name: 'busybox', version: '1.36.1-r1', sourceName: 'busybox' },
      { ecosystem: 'npm', name: 'minimist', version: '1.2.6' },
      { ecosystem: 'Go', name: 'golang.org/x/net', version: '0.16.0' },
      { ecosystem: 'Go', name: 'golang.org/x/net', version: '0.17.0' },
    ],
  },
  {
    digest: `sha256:${'c'.repeat(64)}`,
    os: { family: 'almalinux', release: '9.3', ecosystem: 'AlmaLinux:9.3' },
    packages: [
      { ecosystem: 'AlmaLinux:9.3', name: 'openssl', version: '1:3.0.7-16.el9' },
      { ecosystem: 'AlmaLinux:9.3', name: 'openssl-libs', version: '1:3.0.7-16.el9' },
      { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' },
      {
        ecosystem: 'Maven',
        name: 'org.apache.logging.log4j:log4j-core',
        version: '2.14.1',
        evidence: 'file-name',
      },
    ],
  },
  {
    digest: `sha256:${'d'.repeat(64)}`,
    packages: [
      { ecosystem: 'AlmaLinux:9', name: 'openssl', version: '1:3.0.7-17.el9' },
      { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.15.0' },
      { ecosystem: 'PyPI', name: 'werkzeug', version: '2.2.3' },
      { ecosystem: 'PyPI', name: 'Zope_Interface', version: '5.0.0' },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.20' },
    ],
  },
];

/** A finding as the findings table stores it. */
function row(f: Finding) {
  return {
    vulnerability_id: f.id,
    aliases: f.aliases,
    package_ecosystem: f.package.ecosystem,
    package_name: f.package.name,
    package_purl: f.package.purl ?? null,
    installed_version: f.installedVersion,
    fixed_version: f.fixedVersion ?? null,
    layer_diff_id: f.package.layer ?? null,
    severity: f.severity as string,
    severity_source: f.severitySource ?? null,
    cvss_version: f.cvss?.version ?? null,
    cvss_vector: f.cvss?.vector ?? null,
    cvss_score: f.cvss?.score ?? null,
    status: f.status as string,
    status_reason: f.statusReason ?? null,
  };
}
type Row = ReturnType<typeof row>;
const sorted = (rows: Row[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.each(kinds)('re-match candidate join on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await store.transaction(async (tx) => {
      await upsertAdvisorySource(tx, {
        name: 'osv:test',
        kind: 'osv',
        location: 'synthetic',
        recordCount: 0,
      });
      await writeAdvisories(tx, ADVISORIES);
    });
    for (const img of IMAGES)
      await saveScan(store, {
        imageDigest: img.digest,
        source: 'runsight',
        status: 'complete',
        errors: [],
        os: img.os,
        packages: img.packages,
        findings: [],
      });
  }, 300_000);
  afterAll(() => store?.dispose());

  async function stored(digest: string) {
    return store.db
      .selectFrom('findings as f')
      .innerJoin('current_scans as c', 'c.scan_id', 'f.scan_id')
      .select([
        'f.id',
        'f.vulnerability_id',
        'f.aliases',
        'f.package_ecosystem',
        'f.package_name',
        'f.package_purl',
        'f.installed_version',
        'f.fixed_version',
        'f.layer_diff_id',
        'f.severity',
        'f.severity_source',
        'f.cvss_version',
        'f.cvss_vector',
        'f.cvss_score',
        'f.status',
        'f.status_reason',
      ])
      .where('c.image_digest', '=', digest)
      .execute();
  }

  async function expectEqualsMatcher() {
    for (const img of IMAGES) {
      const want = (await matchPackages(store, img.packages, { osEcosystem: img.os?.ecosystem })).map(row);
      const got = (await stored(img.digest)).map(({ id: _id, ...r }) => r as Row);
      expect(sorted(got), img.digest).toEqual(sorted(want));
    }
  }

  const statuses = async (digest: string) =>
    (await stored(digest))
      .map((f) => `${f.vulnerability_id} ${f.package_name} ${f.installed_version} ${f.status}`)
      .sort();

  it('a full re-match stores what the matcher finds, boundaries and withdrawals included', async () => {
    const result = await rematch(store, { all: true, batchSize: 2 });
    expect(result.scans).toBe(4);
    await expectEqualsMatcher();
    expect(await statuses(IMAGES[0]!.digest)).toEqual([
      'CVE-2099-0001 libssl3 3.0.11-1~deb12u1 affected',
      'CVE-2099-0004 lodash 4.17.20 affected',
      'CVE-2099-0006 minimist 1.2.5 affected',
      'CVE-2099-0007 left-pad 1.3.0 unknown',
      'CVE-2099-0008 Werkzeug 2.2.2 affected',
      'CVE-2099-0009 zope.interface 5.0.0 affected',
    ]);
    expect(await statuses(IMAGES[1]!.digest)).toEqual([
      'CVE-2099-0002 busybox-binsh 1.36.1-r0 affected',
      'CVE-2099-0011 golang.org/x/net 0.16.0 affected',
    ]);
    // The guessed (file-name) log4j identity is listed, not matched: one finding, not two.
    expect(await statuses(IMAGES[2]!.digest)).toEqual([
      'CVE-2099-0003 openssl 1:3.0.7-16.el9 affected',
      'CVE-2099-0010 org.apache.logging.log4j:log4j-core 2.14.1 affected',
    ]);
    expect(await statuses(IMAGES[3]!.digest)).toEqual([
      'CVE-2099-0004 lodash 4.17.20 affected',
      'CVE-2099-0009 Zope_Interface 5.0.0 affected',
    ]);
  });

  it('a second full re-match rewrites no finding', async () => {
    const ids = async () =>
      (await Promise.all(IMAGES.map((i) => stored(i.digest))))
        .flat()
        .map((f) => Number(f.id))
        .sort();
    const before = await ids();
    const result = await rematch(store, { all: true });
    expect(result.newlyAffected + result.newlyFixed + result.statusChanged + result.severityChanged).toBe(0);
    expect(await ids()).toEqual(before);
  });

  it('an incremental update re-matches the packages it names and nothing else', async () => {
    const untouched = (await stored(IMAGES[0]!.digest)).filter(
      (f) => f.package_name !== 'lodash' && f.package_name !== 'minimist',
    );
    const keys = await store.transaction((tx) =>
      writeAdvisories(tx, [
        // The fix moves down to 4.17.20: lodash 4.17.20 is no longer affected.
        adv('GHSA-npm-1', 'CVE-2099-0004', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.20' }], {
          type: 'SEMVER',
          modified: new Date('2024-03-01T00:00:00Z'),
        }),
        adv(
          'GHSA-npm-3',
          'CVE-2099-0006',
          'npm',
          'minimist',
          [{ introduced: '0' }, { last_affected: '1.2.5' }],
          {
            type: 'SEMVER',
            withdrawn: new Date('2024-03-01T00:00:00Z'),
            modified: new Date('2024-03-01T00:00:00Z'),
          },
        ),
      ]),
    );
    const result = await rematch(store, { keys });
    expect(result.newlyFixed).toBe(3); // lodash in images a and d, minimist in image a
    expect(result.newlyAffected).toBe(0);
    await expectEqualsMatcher();
    expect(await statuses(IMAGES[3]!.digest)).toEqual(['CVE-2099-0009 Zope_Interface 5.0.0 affected']);
    // The findings of packages the update does not name are the same rows as before.
    const after = await stored(IMAGES[0]!.digest);
    expect(after.map((f) => Number(f.id)).sort()).toEqual(untouched.map((f) => Number(f.id)).sort());
  });
});
