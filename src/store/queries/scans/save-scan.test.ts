import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Package } from '../../../core/types.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { type ScanRecord, saveScan } from './save-scan.js';

const kinds = await storeKindsToTest();
const digest = `sha256:${'c'.repeat(64)}`;

function pkg(name: string, version: string): Package {
  return { ecosystem: 'Debian:12', name, version, sourceName: name, layer: `sha256:${'d'.repeat(64)}` };
}
function finding(id: string, name: string, version: string, status: Finding['status'] = 'affected'): Finding {
  return {
    id,
    aliases: [],
    package: { ecosystem: 'Debian:12', name },
    installedVersion: version,
    fixedVersion: '9.9',
    severity: 'HIGH',
    kev: false,
    status,
    source: 'runsight',
  };
}
function record(over: Partial<ScanRecord>): ScanRecord {
  return {
    imageDigest: digest,
    source: 'runsight',
    status: 'complete',
    errors: [],
    packages: [],
    findings: [],
    ...over,
  };
}

describe.each(kinds)('saveScan on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function currentFindings(): Promise<string[]> {
    const rows = await store.db
      .selectFrom('current_scans')
      .innerJoin('findings', 'findings.scan_id', 'current_scans.scan_id')
      .select(['findings.vulnerability_id'])
      .where('current_scans.image_digest', '=', digest)
      .orderBy('findings.vulnerability_id')
      .execute();
    return rows.map((r) => r.vulnerability_id);
  }

  it('lands the SBOM and findings and makes the scan current', async () => {
    const saved = await saveScan(
      store,
      record({
        packages: [pkg('openssl', '3.0.1'), pkg('zlib', '1.2.13')],
        findings: [finding('CVE-2024-0001', 'openssl', '3.0.1'), finding('CVE-2024-0002', 'zlib', '1.2.13')],
      }),
    );
    expect(saved.current).toBe(true);
    expect(await currentFindings()).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    const pk = await store.db
      .selectFrom('packages')
      .select('name')
      .where('scan_id', '=', saved.scanId)
      .execute();
    expect(pk.map((p) => p.name).sort()).toEqual(['openssl', 'zlib']);
  });

  it('records what a rescan fixed and introduced', async () => {
    const saved = await saveScan(
      store,
      record({
        findings: [finding('CVE-2024-0002', 'zlib', '1.2.13'), finding('CVE-2024-0003', 'zlib', '1.2.13')],
      }),
    );
    expect(saved).toMatchObject({ current: true, newlyAffected: 1, newlyFixed: 1 });
    const changes = await store.db
      .selectFrom('finding_changes')
      .select(['vulnerability_id', 'change', 'cause'])
      .where('image_digest', '=', digest)
      .orderBy('vulnerability_id')
      .execute();
    expect(changes).toEqual([
      { vulnerability_id: 'CVE-2024-0001', change: 'newly_fixed', cause: 'rescan' },
      { vulnerability_id: 'CVE-2024-0003', change: 'newly_affected', cause: 'rescan' },
    ]);
  });

  it('keeps the complete result current when a later scan of the same digest is partial or failed', async () => {
    const partial = await saveScan(
      store,
      record({
        status: 'partial',
        errors: [{ code: 'decompression-bomb', message: 'layer 2 exceeds 4 GiB' }],
      }),
    );
    expect(partial.current).toBe(false);
    const failed = await saveScan(store, record({ status: 'failed', errors: [{ code: 'x', message: 'y' }] }));
    expect(failed.current).toBe(false);
    expect(await currentFindings()).toEqual(['CVE-2024-0002', 'CVE-2024-0003']);
    const statuses = await store.db.selectFrom('scans').select('status').orderBy('id').execute();
    expect(statuses.map((s) => s.status)).toEqual(['complete', 'complete', 'partial', 'failed']);
  });

  it('writes nothing when any part fails', async () => {
    const before = await store.db
      .selectFrom('scans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const bad = finding('CVE-2024-0009', 'zlib', '1');
    (bad as { severity: string }).severity = 'SEVERE'; // violates the check constraint
    await expect(
      saveScan(store, record({ imageDigest: `sha256:${'e'.repeat(64)}`, findings: [bad] })),
    ).rejects.toThrow();
    const after = await store.db
      .selectFrom('scans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await currentFindings()).toEqual(['CVE-2024-0002', 'CVE-2024-0003']);
  });
});
