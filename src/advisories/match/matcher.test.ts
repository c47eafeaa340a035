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

function adv(id: string, cve: string, name: string, events: RangeEvent[]): NormalizedAdvisory {
  return {
    source: 'osv:test',
    id,
    modified: new Date('2024-01-01T00:00:00Z'),
    aliases: [cve],
    upstream: [],
    severity: [],
    affected: [{ ecosystem: 'npm', packageName: name, ranges: [{ type: 'SEMVER', events }], versions: [] }],
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
});
