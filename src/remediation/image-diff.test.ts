// `image diff A B` over a real store (PGlite): both images landed through the identity graph and
// saved scans, posture brought up to date, then the diff compared with hand-made expectations —
// per (vulnerability, package): fixed (only in A), introduced (only in B), unchanged (in both).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncPosture } from '../propagation/index.js';
import { addIndex, addManifest, addScan, addTag, digestOf } from '../propagation/test-support/fleet.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { diffImages } from './image-diff.js';

const V1 = digestOf('api-1.0');
const V2 = digestOf('api-1.1');
const V2_ARM = digestOf('api-1.1-arm64');
const V2_INDEX = digestOf('api-1.1-index');
const API = { registry: 'registry.example', repository: 'shop/api' };

describe('image diff', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await addManifest(store, V1);
    await addManifest(store, V2);
    await addManifest(store, V2_ARM, { arch: 'arm64' });
    await addIndex(store, V2_INDEX, [
      { digest: V2, arch: 'amd64' },
      { digest: V2_ARM, arch: 'arm64' },
    ]);
    await addTag(store, { ...API, tag: '1.0' }, V1, new Date('2026-02-01T00:00:00Z'));
    await addTag(store, { ...API, tag: '1.1' }, V2_INDEX, new Date('2026-03-01T00:00:00Z'));
    // 1.0 → 1.1: openssl upgraded (its CVE fixed), libxml2 upgraded but still affected, zlib
    // untouched, a new dependency brings a new CVE; a not_affected finding never shows.
    await addScan(store, V1, [
      { id: 'CVE-2026-0001', severity: 'CRITICAL', pkg: 'openssl', version: '3.0.1', fixed: '3.0.2' },
      { id: 'CVE-2026-0002', severity: 'HIGH', pkg: 'libxml2', version: '2.9.13', fixed: '2.9.16' },
      { id: 'CVE-2026-0003', severity: 'LOW', pkg: 'zlib', version: '1.2.13' },
      { id: 'CVE-2026-0009', severity: 'HIGH', pkg: 'bash', status: 'not_affected' },
    ]);
    await addScan(store, V2, [
      { id: 'CVE-2026-0002', severity: 'HIGH', pkg: 'libxml2', version: '2.9.14', fixed: '2.9.16' },
      { id: 'CVE-2026-0003', severity: 'LOW', pkg: 'zlib', version: '1.2.13' },
      { id: 'CVE-2026-0004', severity: 'MEDIUM', pkg: 'yaml', version: '2.0.0', fixed: '2.0.1' },
    ]);
    await addScan(store, V2_ARM, [{ id: 'CVE-2026-0005', severity: 'LOW', pkg: 'qemu-user' }]);
    await syncPosture(store);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('fixed, introduced and unchanged per (vulnerability, package), with both versions', async () => {
    const d = await diffImages(store, V1, V2);
    expect(d.a).toEqual({ reference: V1, digest: V1 });
    expect(d.b).toEqual({ reference: V2, digest: V2 });
    expect(d.fixed).toEqual([
      {
        vulnerabilityId: 'CVE-2026-0001',
        severity: 'CRITICAL',
        packageName: 'openssl',
        before: '3.0.1',
        after: null,
        fixedVersion: '3.0.2',
      },
    ]);
    expect(d.introduced).toEqual([
      {
        vulnerabilityId: 'CVE-2026-0004',
        severity: 'MEDIUM',
        packageName: 'yaml',
        before: null,
        after: '2.0.0',
        fixedVersion: '2.0.1',
      },
    ]);
    expect(
      d.unchanged.map((e) => [e.vulnerabilityId, e.packageName, e.before, e.after, e.fixedVersion]),
    ).toEqual(
      expect.arrayContaining([
        ['CVE-2026-0002', 'libxml2', '2.9.13', '2.9.14', '2.9.16'],
        ['CVE-2026-0003', 'zlib', '1.2.13', '1.2.13', null],
      ]),
    );
    expect(d.summary).toEqual({ fixed: 1, introduced: 1, unchanged: 2 });
    // The other way round, fixed and introduced swap.
    const back = await diffImages(store, V2, V1);
    expect(back.summary).toEqual({ fixed: 1, introduced: 1, unchanged: 2 });
    expect([back.fixed[0]!.vulnerabilityId, back.introduced[0]!.vulnerabilityId]).toEqual([
      'CVE-2026-0004',
      'CVE-2026-0001',
    ]);
  });

  it('takes tags from tag history; an index means its child for the platform asked', async () => {
    const amd = await diffImages(store, 'registry.example/shop/api:1.0', 'registry.example/shop/api:1.1');
    expect([amd.a.digest, amd.b.digest]).toEqual([V1, V2]);
    expect(amd.summary).toEqual({ fixed: 1, introduced: 1, unchanged: 2 });
    const arm = await diffImages(store, V2_INDEX, V2_INDEX, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect([arm.a.digest, arm.b.digest]).toEqual([V2_ARM, V2_ARM]);
    expect(arm.summary).toEqual({ fixed: 0, introduced: 0, unchanged: 1 });
  });

  it('an image it has never seen is an input error that says what to do', async () => {
    await expect(diffImages(store, V1, 'registry.example/shop/api:9.9')).rejects.toThrow(
      /no scanned or resolved image matches "registry.example\/shop\/api:9.9".*Scan it first/,
    );
  });
});
