// Rollout verification over a real store (PGlite): images, scans and a workload's containers landed
// through the real stages (identity graph, saveScan, inventory deltas), posture brought up to date
// after each write as the faces do, then `rolloutCheck` compared with hand-made expectations.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { syncPosture } from '../propagation/index.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../propagation/test-support/fleet.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { parseWorkloadSpec, rolloutCheck } from './rollout.js';

describe('parseWorkloadSpec', () => {
  it('reads NAMESPACE/KIND/NAME and CLUSTER/NAMESPACE/KIND/NAME', () => {
    expect(parseWorkloadSpec('shop/Deployment/api')).toEqual({
      namespace: 'shop',
      kind: 'Deployment',
      name: 'api',
    });
    expect(parseWorkloadSpec('prod/shop/Deployment/api')).toEqual({
      cluster: 'prod',
      namespace: 'shop',
      kind: 'Deployment',
      name: 'api',
    });
  });

  it.each(['api', 'shop/api', 'a/b/c/d/e', ''])('"%s" is an input error naming the expected form', (text) => {
    expect(() => parseWorkloadSpec(text)).toThrow(InputError);
    expect(() => parseWorkloadSpec(text)).toThrow(
      `expected a workload as NAMESPACE/KIND/NAME (or CLUSTER/NAMESPACE/KIND/NAME), got "${text}"`,
    );
  });
});

const V1 = digestOf('api-1.0');
const V2 = digestOf('api-1.1');
const V3 = digestOf('api-1.2');
const API = { namespace: 'shop', kind: 'Deployment', name: 'api' };
const T0 = new Date('2026-03-01T00:00:00Z');
const T1 = new Date('2026-03-01T01:00:00Z');
const T2 = new Date('2026-03-01T02:00:00Z');

describe('rolloutCheck', () => {
  let store: TestStore;
  let source: Awaited<ReturnType<typeof addSource>>;
  beforeEach(async () => {
    store = await createTestStore('pglite');
    source = await addSource(store);
    for (const d of [V1, V2, V3]) await addManifest(store, d);
    // 1.0: a critical (fixed in 1.1) and a high; 1.1: the high only; 1.2: the high and a new critical.
    await addScan(store, V1, [
      { id: 'CVE-2026-0001', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.0.2' },
      { id: 'CVE-2026-0002', severity: 'HIGH', pkg: 'zlib' },
    ]);
    await addScan(store, V2, [{ id: 'CVE-2026-0002', severity: 'HIGH', pkg: 'zlib' }]);
    await addScan(store, V3, [
      { id: 'CVE-2026-0002', severity: 'HIGH', pkg: 'zlib' },
      { id: 'CVE-2026-0007', severity: 'CRITICAL', pkg: 'curl' },
    ]);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  const pods = (
    version: string,
    digest: string,
    n: number,
    extra: { removedAt?: Date; cluster?: string } = {},
  ) =>
    Array.from({ length: n }, (_, i) => ({
      id: `api-${version}-${i}/api`,
      image: `registry.example/shop/api:${version}`,
      digest,
      namespace: 'shop',
      workloadName: 'api',
      ...extra,
    }));

  it('before and after from the posture snapshot the rollout replaced: improved, with what it fixed', async () => {
    await addContainers(store, source, pods('1.0', V1, 2));
    await syncPosture(store, { now: T0 });
    await addContainers(store, source, [...pods('1.1', V2, 2), ...pods('1.0', V1, 2, { removedAt: T1 })]);
    await syncPosture(store, { now: T2 });
    const r = await rolloutCheck(store, API);
    expect(r.workload).toEqual({ ...API, cluster: 'prod', key: 'prod/shop/Deployment/api' });
    expect(r.current).toMatchObject({ digests: [V2], vulnerabilities: ['CVE-2026-0002'] });
    expect(r.current.distinct).toMatchObject({ critical: 0, high: 1 });
    expect(r.previous).toMatchObject({
      evidence: 'snapshot',
      digests: [V1],
      vulnerabilities: ['CVE-2026-0001', 'CVE-2026-0002'],
    });
    expect(r.previous!.distinct).toMatchObject({ critical: 1, high: 1 });
    expect(r.previous!.recorded).toMatchObject({ critical: 1, high: 1 });
    expect(r).toMatchObject({
      digestChanged: true,
      improved: true,
      fixed: ['CVE-2026-0001'],
      introduced: [],
    });
  });

  it('a rollout that brings a new critical is not an improvement', async () => {
    await addContainers(store, source, pods('1.1', V2, 1));
    await syncPosture(store, { now: T0 });
    await addContainers(store, source, [...pods('1.2', V3, 1), ...pods('1.1', V2, 1, { removedAt: T1 })]);
    await syncPosture(store, { now: T2 });
    const r = await rolloutCheck(store, API);
    expect(r).toMatchObject({
      digestChanged: true,
      improved: false,
      fixed: [],
      introduced: ['CVE-2026-0007'],
      previous: { evidence: 'snapshot', digests: [V2] },
    });
  });

  it('without a snapshot from before, the containers that went (the exposure ledger) are the evidence', async () => {
    // Resolved without scope roll-ups, so no snapshot records 1.0 running.
    await addContainers(store, source, pods('1.0', V1, 1));
    await syncPosture(store, { now: T0, scopes: false });
    await addContainers(store, source, [...pods('1.1', V2, 1), ...pods('1.0', V1, 1, { removedAt: T1 })]);
    await syncPosture(store, { now: T2 });
    const r = await rolloutCheck(store, API);
    expect(r.previous).toMatchObject({ evidence: 'ledger', at: T1.toISOString(), digests: [V1] });
    expect(r.previous!.recorded).toBeUndefined();
    expect(r).toMatchObject({ improved: true, fixed: ['CVE-2026-0001'], introduced: [] });
  });

  it('a workload that never changed image has nothing to compare', async () => {
    await addContainers(store, source, pods('1.1', V2, 2));
    await syncPosture(store, { now: T0 });
    const r = await rolloutCheck(store, API);
    expect(r).toMatchObject({
      previous: null,
      digestChanged: false,
      improved: null,
      fixed: [],
    });
    expect(r.current.digests).toEqual([V2]);
    // As the code stands, with no previous side every current vulnerability counts as introduced.
    expect(r.introduced).toEqual(['CVE-2026-0002']);
  });

  it('an unknown workload, or one name in several clusters without a cluster, is an input error', async () => {
    await addContainers(store, source, [...pods('1.0', V1, 1), ...pods('1.1', V2, 1, { cluster: 'dr' })]);
    await syncPosture(store, { now: T0 });
    await expect(rolloutCheck(store, { ...API, name: 'web' })).rejects.toThrow(
      'no container of workload shop/Deployment/web has been seen in inventory',
    );
    await expect(rolloutCheck(store, API)).rejects.toThrow(InputError);
    await expect(rolloutCheck(store, API)).rejects.toThrow(
      /^shop\/Deployment\/api runs in clusters (prod, dr|dr, prod): name one as CLUSTER\/shop\/Deployment\/api$/,
    );
    const dr = await rolloutCheck(store, { ...API, cluster: 'dr' });
    expect(dr.workload.key).toBe('dr/shop/Deployment/api');
    expect(dr.current.digests).toEqual([V2]);
  });
});
