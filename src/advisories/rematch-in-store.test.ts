// A re-match in the store (ADR 0027) leaves exactly what the process path leaves, on both store
// dialects: two stores with the same advisories and SBOMs — images sharing (name, version) keys and
// holding distinct versions, one name at two versions in one image, a package stored twice, a guessed
// (file-name) identity, a Debian package keyed by the OS's release and its source package, a PyPI
// name spelled otherwise than its advisory's, versions equal by comparison but spelled apart, a
// version the scheme refuses — are
// re-matched in full, then incrementally after an advisory update, then in full again; after each
// step the stored findings, the change records and the returned counts are equal — with the keys
// found by rank on version lines and with every key evaluated one by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedAdvisory, RangeEvent } from '../core/advisory.js';
import type { Package } from '../core/types.js';
import { type PackageKey, saveScan } from '../store/index.js';
import { upsertAdvisorySource } from '../store/queries/advisories/upsert-advisory-source.js';
import { writeAdvisories } from '../store/queries/advisories/write-advisories.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { rematch } from './rematch.js';

const kinds = await storeKindsToTest();

function adv(
  id: string,
  cve: string,
  ecosystem: string,
  name: string,
  events: RangeEvent[],
): NormalizedAdvisory {
  return {
    source: 'osv:test',
    id,
    modified: new Date('2024-01-01T00:00:00Z'),
    aliases: [cve],
    upstream: [],
    severity: [],
    affected: [
      {
        ecosystem,
        packageName: name,
        ranges: [{ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events }],
        versions: [],
      },
    ],
    record: {},
  };
}

const ADVISORIES = [
  adv('GHSA-1', 'CVE-2099-0001', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }]),
  adv('GHSA-2', 'CVE-2099-0001', 'npm', 'lodash', [{ introduced: '4.0.0' }, { fixed: '4.17.12' }]),
  adv('GHSA-3', 'CVE-2099-0002', 'npm', 'minimist', [{ introduced: '0' }, { fixed: '1.2.6' }]),
  adv('GHSA-4', 'CVE-2099-0003', 'npm', 'left-pad', [{ introduced: '0' }, { fixed: 'not-a-version' }]),
  adv('DSA-1', 'CVE-2099-0004', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]),
  adv('PYSEC-1', 'CVE-2099-0005', 'PyPI', 'zope-interface', [{ introduced: '0' }, { fixed: '5.1.0' }]),
];

const npm = (name: string, version: string, extra: Partial<Package> = {}): Package => ({
  ecosystem: 'npm',
  name,
  version,
  ...extra,
});
const DEBIAN = { family: 'debian', release: '12', ecosystem: 'Debian:12' };
const IMAGES: { digest: string; os?: typeof DEBIAN; packages: Package[] }[] = [
  {
    digest: `sha256:${'1'.repeat(64)}`,
    os: DEBIAN,
    packages: [
      npm('lodash', '4.17.11'),
      npm('lodash', '4.17.20', { path: 'a/node_modules/lodash' }), // one name at two versions
      npm('minimist', '1.2.5', { layer: `sha256:${'a'.repeat(64)}` }),
      npm('minimist', '1.2.5', { layer: `sha256:${'a'.repeat(64)}` }), // stored twice
      npm('left-pad', '1.3.0'),
      { ecosystem: 'Debian', name: 'libssl3', version: '3.0.11-1~deb12u1', sourceName: 'openssl' },
    ],
  },
  {
    digest: `sha256:${'2'.repeat(64)}`,
    packages: [
      npm('lodash', '4.17.11'), // shared with image 1
      npm('minimist', '1.2.6'),
      npm('express', '4.0.0'),
      npm('left-pad', '1.3.0', { evidence: 'file-name' }), // a guessed identity: not matched
      { ecosystem: 'PyPI', name: 'Zope_Interface', version: '5.0.0' }, // found by its PEP 503 name
    ],
  },
  {
    digest: `sha256:${'3'.repeat(64)}`,
    os: DEBIAN,
    packages: [
      npm('lodash', '3.0.0', { purl: 'pkg:npm/lodash@3.0.0' }),
      npm('minimist', '1.2.5'),
      npm('lodash', '4.17.11+b.1'), // equal to 4.17.11 by comparison: one rank on the line
      npm('minimist', 'not-a-version'), // refused by the scheme: evaluated as a key of its own
      { ecosystem: 'Debian', name: 'openssl', version: '3.0.9-1' }, // its own source, without a source version
    ],
  },
];

async function fixture(kind: 'pglite' | 'postgres'): Promise<TestStore> {
  const store = await createTestStore(kind);
  await store.transaction(async (tx) => {
    await upsertAdvisorySource(tx, { name: 'osv:test', kind: 'osv', location: 'synthetic', recordCount: 0 });
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
  return store;
}

/** The stored findings and change records, without ids and times, sorted. */
async function state(store: TestStore) {
  const findings = await store.db
    .selectFrom('findings')
    .selectAll()
    .execute()
    .then((rows) => rows.map(({ id: _id, scan_id: _scan, ...r }) => JSON.stringify(r)).sort());
  const changes = await store.db
    .selectFrom('finding_changes')
    .select(['image_digest', 'vulnerability_id', 'package_name', 'change', 'cause'])
    .execute()
    .then((rows) => rows.map((r) => JSON.stringify(r)).sort());
  return { findings, changes };
}

const routes = kinds.flatMap((kind) => [
  { kind, versionLines: true },
  { kind, versionLines: false },
]);

describe.each(routes)(
  're-match in the store on $kind, version lines $versionLines',
  ({ kind, versionLines }) => {
    let inStore: TestStore;
    let inProcess: TestStore;
    beforeAll(async () => {
      [inStore, inProcess] = await Promise.all([fixture(kind), fixture(kind)]);
    }, 300_000);
    afterAll(async () => {
      await inStore?.dispose();
      await inProcess?.dispose();
    });

    async function both(run: (store: TestStore, inProcess: boolean) => Promise<unknown>) {
      const a = await run(inStore, false);
      const b = await run(inProcess, true);
      expect(a).toEqual(b);
      const s = await state(inStore);
      expect(s).toEqual(await state(inProcess));
      return s;
    }

    it('a full re-match, an incremental one after an update and a second full one leave the same rows', async () => {
      // Two keys per round trip: the keys are read through the cursor in several pages.
      const first = await both((store, p) =>
        rematch(store, { all: true, inProcess: p, keysPerPage: 2, versionLines }),
      );
      expect(first.findings.length).toBeGreaterThan(5);
      expect(first.findings.filter((f) => f.includes('"installed_version":"4.17.11"'))).toHaveLength(2);
      // Spelled apart, equal by comparison: the same finding; refused by the scheme: unknown, saying why.
      const at = (v: string) => first.findings.filter((f) => f.includes(`"installed_version":"${v}"`));
      expect(at('4.17.11+b.1').map((f) => JSON.parse(f).vulnerability_id)).toEqual(['CVE-2099-0001']);
      expect(at('not-a-version').map((f) => JSON.parse(f).status)).toEqual(['unknown']);
      expect(first.changes.filter((c) => c.includes('newly_affected')).length).toBeGreaterThan(3);
      const update = async (store: TestStore) =>
        store.transaction((tx) =>
          writeAdvisories(tx, [
            {
              ...adv('GHSA-3', 'CVE-2099-0002', 'npm', 'minimist', [{ introduced: '0' }, { fixed: '1.2.5' }]),
              modified: new Date('2024-03-01T00:00:00Z'),
            },
            {
              ...adv('GHSA-2', 'CVE-2099-0001', 'npm', 'lodash', [
                { introduced: '3.0.0' },
                { fixed: '4.17.12' },
              ]),
              modified: new Date('2024-03-01T00:00:00Z'),
            },
            // Reaches libssl3 through its source package only (a new fix, still affected), and
            // Zope_Interface through PEP 503 (fixed).
            {
              ...adv('DSA-1', 'CVE-2099-0004', 'Debian:12', 'openssl', [
                { introduced: '0' },
                { fixed: '3.0.11-1~deb12u3' },
              ]),
              modified: new Date('2024-03-01T00:00:00Z'),
            },
            {
              ...adv('PYSEC-1', 'CVE-2099-0005', 'PyPI', 'zope-interface', [
                { introduced: '0' },
                { fixed: '5.0.0' },
              ]),
              modified: new Date('2024-03-01T00:00:00Z'),
            },
          ]),
        );
      const keys: PackageKey[][] = [];
      const second = await both(async (store, p) => {
        const k = await update(store);
        keys.push(k);
        return rematch(store, { keys: k, inProcess: p, versionLines });
      });
      expect(keys[0]).toEqual(keys[1]);
      expect(second.changes.some((c) => c.includes('newly_fixed'))).toBe(true);
      expect(
        second.changes.filter((c) => c.includes('"Zope_Interface","change":"newly_fixed"')),
      ).toHaveLength(1);
      // libssl3 through its source package, openssl by its own name.
      expect(second.findings.filter((f) => f.includes('"fixed_version":"3.0.11-1~deb12u3"'))).toHaveLength(2);
      const third = await both((store, p) =>
        rematch(store, { all: true, inProcess: p, keysPerPage: 3, versionLines }),
      );
      expect(third.changes).toEqual(second.changes); // nothing changed since
    });

    it('stops between pages when aborted: nothing of it lands, and the connection is left usable', async () => {
      // A change a completed re-match would write: lodash's fix is 4.17.22 now (the same status).
      await inStore.transaction((tx) =>
        writeAdvisories(tx, [
          {
            ...adv('GHSA-1', 'CVE-2099-0001', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.22' }]),
            modified: new Date('2024-04-01T00:00:00Z'),
          },
        ]),
      );
      const before = await state(inStore);
      const abort = new AbortController();
      // Aborted once the first page is evaluated, while the next page is being read and its hits written.
      const logger = {
        debug: (msg: string) => (msg === 'rematch progress' ? abort.abort() : undefined),
        info() {},
        warn() {},
        error() {},
      };
      await expect(
        rematch(inStore, { all: true, keysPerPage: 1, signal: abort.signal, logger, versionLines }),
      ).rejects.toThrow(/abort/i);
      expect(await state(inStore)).toEqual(before);
      // The same re-match, not aborted, on the same store: it completes and writes the change.
      await rematch(inStore, { all: true, keysPerPage: 1, versionLines });
      const after = await state(inStore);
      expect(after.findings).not.toEqual(before.findings);
      expect(after.findings.some((f) => f.includes('"fixed_version":"4.17.22"'))).toBe(true);
    });
  },
);
