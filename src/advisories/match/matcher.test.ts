// A matcher shares merged findings between keys of one package name whose versions get the same
// verdict from every advisory row (one merge and one rating per outcome): asked for many versions at
// once, it must give each version exactly what a fresh matcher gives that version alone — the fix
// of the interval it is in, unknown with the reason for an invalid version, nothing outside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedAdvisory, RangeEvent } from '../../core/advisory.js';
import { upsertAdvisorySource } from '../../store/queries/advisories/upsert-advisory-source.js';
import { writeAdvisories } from '../../store/queries/advisories/write-advisories.js';
import { createTestStore, type TestStore } from '../../store/test-support/stores.js';
import { createMatcher } from './matcher.js';

function adv(
  id: string,
  cve: string,
  name: string,
  events: RangeEvent[],
  { ecosystem = 'npm', versions = [] as string[] } = {},
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
        versions,
      },
    ],
    record: {},
  };
}

describe('matcher outcomes shared between keys', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await store.transaction(async (tx) => {
      await upsertAdvisorySource(tx, {
        name: 'osv:test',
        kind: 'osv',
        location: 'synthetic',
        recordCount: 0,
      });
      await writeAdvisories(tx, [
        adv('GHSA-a', 'CVE-2099-0010', 'lodash', [{ introduced: '1.0.0' }, { fixed: '1.5.0' }]),
        adv('GHSA-b', 'CVE-2099-0010', 'lodash', [{ introduced: '1.2.0' }, { fixed: '1.3.0' }]),
        adv('GHSA-c', 'CVE-2099-0011', 'lodash', [{ introduced: '2.0.0' }, { fixed: '2.1.0' }]),
        adv('GHSA-d', 'CVE-2099-0012', 'lodash', [{ introduced: '0' }, { last_affected: '2.0.5' }]),
        adv('GHSA-e', 'CVE-2099-0011', 'minimist', [{ introduced: '2.0.0' }, { fixed: '2.1.0' }]),
        // Two intervals of one row: affected either way, with another fix.
        adv('GHSA-f', 'CVE-2099-0013', 'left-pad', [
          { introduced: '1.0.0' },
          { fixed: '1.1.0' },
          { introduced: '1.2.0' },
          { fixed: '1.3.0' },
        ]),
        // A listed version (a string match: no version line), and a Debian source package.
        adv('GHSA-g', 'CVE-2099-0014', 'listed', [{ introduced: '1.0.0' }], { versions: ['0.5.0'] }),
        adv('DSA-1', 'CVE-2099-0015', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }], {
          ecosystem: 'Debian:12',
        }),
      ]);
    });
  }, 120_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('gives every version of a batch what a fresh matcher gives it alone', async () => {
    const versions = [
      '0.9.0',
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '1.2.9',
      '1.3.0',
      '1.4.9',
      '1.5.0',
      '2.0.0',
      '2.0.5',
    ];
    const pkgs = [
      ...[...versions, '2.0.6', '2.1.0', 'not-a-version', '1.1.1'].map((version) => ({
        ecosystem: 'npm',
        name: 'lodash',
        version,
      })),
      ...['1.0.0', '2.0.3', '2.0.4'].map((version) => ({ ecosystem: 'npm', name: 'minimist', version })),
      ...['1.0.5', '1.2.5'].map((version) => ({ ecosystem: 'npm', name: 'left-pad', version })),
    ];
    const inputs = pkgs.map((p) => ({
      ...p,
      sourceName: '',
      sourceVersion: '',
      evidence: '',
      osEcosystem: '',
    }));
    const together = await createMatcher(store).keyFindings(inputs);
    const alone = [];
    for (const input of inputs) alone.push((await createMatcher(store).keyFindings([input]))[0]);
    expect(together).toEqual(alone);
    // The outcomes differ where the intervals say: the greatest fix of the merged advisories, or none.
    const fixes = (i: number) =>
      together[i]!.map((f) => `${f.id}:${f.status}:${f.fixedVersion ?? ''}`).sort();
    expect(fixes(1)).toEqual(['CVE-2099-0010:affected:1.5.0', 'CVE-2099-0012:affected:']);
    expect(fixes(3)).toEqual(['CVE-2099-0010:affected:1.5.0', 'CVE-2099-0012:affected:']);
    expect(fixes(7)).toEqual(['CVE-2099-0012:affected:']);
    expect(fixes(8)).toEqual(['CVE-2099-0011:affected:2.1.0', 'CVE-2099-0012:affected:']);
    expect(fixes(10)).toEqual(['CVE-2099-0011:affected:2.1.0']);
    expect(fixes(11)).toEqual([]);
    expect(together[12]!.map((f) => f.status)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(together[12]![0]!.statusReason).toContain('not-a-version');
    // Versions with one outcome share the finding objects; another name does not.
    expect(together[2]).toBe(together[13]);
    expect(together[14]).toEqual([]);
    expect(together[15]!.map((f) => f.fixedVersion)).toEqual(['2.1.0']);
    expect(together[16]).toBe(together[15]);
    expect(together[17]!.map((f) => f.fixedVersion)).toEqual(['1.1.0']);
    expect(together[18]!.map((f) => f.fixedVersion)).toEqual(['1.3.0']);
    expect(together[15]![0]).not.toBe(together[8]!.find((f) => f.id === 'CVE-2099-0011'));
    // A key asked twice in one batch (a re-match in the store does not dedupe) gets the same findings.
    const twice = await createMatcher(store).keyFindings([inputs[1]!, inputs[8]!, inputs[1]!]);
    expect(twice[2]).toBe(twice[0]);
    expect(twice.map((l) => l.map((f) => `${f.id}:${f.fixedVersion}:${f.severity}`))).toEqual(
      [together[1]!, together[8]!, together[1]!].map((l) =>
        l.map((f) => `${f.id}:${f.fixedVersion}:${f.severity}`),
      ),
    );
  });

  it('versionLines: a ranked version gets from its position on its group line what keyFindings gives its key', async () => {
    const npmVersions = [
      '0.0.1',
      '0.9.0',
      '1.0.0',
      '1.1.0',
      '1.1.1',
      '1.2.0',
      '1.2.0+build.7', // equal to 1.2.0 by comparison: one rank
      '1.2.9',
      '1.3.0',
      '1.5.0',
      '2.0.0',
      '2.0.5',
      '2.0.6',
      '2.1.0',
      '9.9.9',
      'not-a-version', // refused by the scheme: not ranked, its keys go one by one
    ];
    const debianVersions = ['3.0.9-1', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2', '3.0.13-1'];
    const groups = [
      { effective: 'npm', keyName: 'lodash', evidence: '' },
      { effective: 'npm', keyName: 'minimist', evidence: 'lockfile' },
      { effective: 'npm', keyName: 'left-pad', evidence: '' },
      { effective: 'npm', keyName: 'listed', evidence: '' }, // no line
      { effective: 'npm', keyName: 'lodash', evidence: 'file-name' }, // a guessed identity: not matched
      { effective: 'Debian:12', keyName: 'openssl', evidence: '' },
    ];
    const versions = [
      ...npmVersions.map((keyVersion) => ({ effective: 'npm', keyVersion })),
      ...debianVersions.map((keyVersion) => ({ effective: 'Debian:12', keyVersion })),
    ];
    const lines = await createMatcher(store).versionLines(groups, versions);
    expect(lines.domainOf.map((d) => d >= 0)).toEqual([true, true, true, false, false, true]);
    expect(lines.complete).toBe(false);
    const rankIn = (domain: number, v: string) =>
      lines.ranks.find((r) => r.domain === domain && r.keyVersion === v)?.rank;
    const npm = lines.domainOf[0]!;
    expect(rankIn(npm, 'not-a-version')).toBeUndefined();
    expect(rankIn(npm, '1.2.0+build.7')).toBe(rankIn(npm, '1.2.0'));
    expect(rankIn(npm, '0.0.1')).toBe(0);
    expect(lines.domainOf[5]).not.toBe(npm);
    const summary = (
      fs: readonly { id: string; status: string; fixedVersion?: string; severity: string }[],
    ) => fs.map((f) => `${f.id}:${f.status}:${f.fixedVersion ?? ''}:${f.severity}`).sort();
    let compared = 0;
    for (const [gi, g] of groups.entries()) {
      const domain = lines.domainOf[gi]!;
      if (domain < 0) continue;
      for (const { keyVersion } of versions.filter((v) => v.effective === g.effective)) {
        const rank = rankIn(domain, keyVersion);
        if (rank === undefined) continue;
        // The position is the number of its group's starts at or below the rank (SQL's width_bucket).
        const bucket = lines.starts[gi]!.filter((start) => start <= rank).length;
        const found = lines.intervals.find((iv) => iv.group === gi && iv.bucket === bucket)?.findings ?? [];
        const [alone] = await createMatcher(store).keyFindings([
          {
            ecosystem: g.effective,
            name: g.keyName,
            version: keyVersion,
            sourceName: '',
            sourceVersion: '',
            evidence: g.evidence,
            osEcosystem: '',
          },
        ]);
        expect(summary(found), `${g.keyName} ${keyVersion}`).toEqual(summary(alone!));
        compared++;
      }
    }
    expect(compared).toBe(3 * 15 + 4);
    // Findings where the intervals say: lodash 1.2.0 is in two advisories merged by CVE, 9.9.9 in none.
    const lodashAt = (v: string) =>
      lines.intervals.find(
        (iv) => iv.group === 0 && iv.bucket === lines.starts[0]!.filter((x) => x <= rankIn(npm, v)!).length,
      )?.findings ?? [];
    expect(summary(lodashAt('1.2.0')).map((x) => x.split(':').slice(0, 3).join(':'))).toEqual([
      'CVE-2099-0010:affected:1.5.0',
      'CVE-2099-0012:affected:',
    ]);
    expect(lodashAt('9.9.9')).toEqual([]);
    // Only lined groups and versions every domain ranks: nothing left to evaluate one by one.
    const clean = await createMatcher(store).versionLines(
      [groups[0]!, groups[5]!],
      versions.filter((v) => v.keyVersion !== 'not-a-version'),
    );
    expect(clean.complete).toBe(true);
  });
});
