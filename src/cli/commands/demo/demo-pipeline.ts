// The demo pipeline on bundled real data (testdata/demo/, see SOURCES.md there), stage by stage:
//   1. advisories: the real OSV record for CVE-2025-26519 (musl, Alpine 3.18)
//   2. identity: the bundled OCI layout's images recorded under registry.demo.local names, with
//      tag history (tags move when the patched images are published)
//   3. scan: the built-in scanner over the OCI layout (every platform of the multi-arch index)
//   4. inventory: a recorded Kubernetes cluster (real objects, edited to run the demo images; one
//      arm64 node) through the real collector, and a CMDB file with a tag-only container
//   5. posture; then the patched rebuild is scanned and rolled out (an inventory delta), posture
//      improves, and `validate` runs the use case's checklist.
// Each step is exported so the end-to-end tests drive and check them one at a time.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { matchPackages, updateAdvisories } from '../../../advisories/index.js';
import { openImageSource } from '../../../identity/index.js';
import { collectKubernetes, importCmdbFile, metadataKeys } from '../../../inventory/index.js';
import { countFindings, maintainPosture } from '../../../propagation/index.js';
import { scanImage } from '../../../scan/index.js';
import { recordResolution, type Store, writeInventoryMutation } from '../../../store/index.js';
import { type Check, getPosture, type PostureReport, validatePropagation } from '../../../views/index.js';
import { countsHeadline } from '../../posture-format.js';
import { type RecordedCluster, recordedKubernetesApi } from './demo-cluster.js';

export const DEMO_DIR = fileURLToPath(new URL('../../../../testdata/demo/', import.meta.url));
export const DEMO_REGISTRY = 'registry.demo.local';
export const DEMO_VULNERABILITY = 'CVE-2025-26519';
const LAYOUT = `${DEMO_DIR}oci`;

/** What the demo configures: cadences, SLAs and the base image (validate's check 6 reads them). */
export const DEMO_CONFIG = {
  cadence: { scan: '24h', advisories: '6h', inventory: '5m' },
  sla: { scanAge: '7d', advisoryAge: '24h', inventoryAge: '1h' },
  baseImages: [`${DEMO_REGISTRY}/library/alpine:3.18`],
};

/** (layout tag, repository, tags, when the tags were pushed) — the identity-graph history. */
const PUBLISHED: [string, string, string[], string][] = [
  ['alpine-base-3.18', 'library/alpine', ['3.18'], '2026-11-01T08:00:00Z'],
  ['shop-api-1.0', 'shop/api', ['1.0', 'prod'], '2026-11-19T08:00:00Z'],
  ['alpine-base-3.18-patched', 'library/alpine', ['3.18', '3.18-r3'], '2026-11-24T08:00:00Z'],
  ['shop-api-1.1', 'shop/api', ['1.1', 'prod'], '2026-11-25T09:00:00Z'],
];

export async function loadAdvisories(store: Store): Promise<number> {
  const r = await updateAdvisories(store, { sources: [`${DEMO_DIR}advisories`], rematch: true });
  return r.sources.reduce((n, s) => n + s.written, 0);
}

/** Records the layout's images under their registry names, as a registry resolution would. */
export async function publishImages(store: Store, which: 'initial' | 'patched'): Promise<void> {
  const rows = which === 'initial' ? PUBLISHED.slice(0, 2) : PUBLISHED.slice(2);
  for (const [layoutTag, repository, tags, at] of rows) {
    const source = await openImageSource(`oci:${LAYOUT}:${layoutTag}`);
    const resolved = await source.resolve({ platform: 'all' });
    for (const tag of tags) {
      await recordResolution(
        store,
        {
          ...resolved,
          registry: DEMO_REGISTRY,
          repository,
          tag,
          reference: `${DEMO_REGISTRY}/${repository}:${tag}`,
        },
        { observedAt: new Date(at) },
      );
    }
  }
}

/** Scans layout images with the built-in scanner, every platform, and stores the results. */
export async function scanImages(
  store: Store,
  layoutTags: string[],
): Promise<{ reference: string; platform: string; findings: number; counts: string }[]> {
  const out: { reference: string; platform: string; findings: number; counts: string }[] = [];
  for (const tag of layoutTags) {
    const results = await scanImage({
      source: `oci:${LAYOUT}:${tag}`,
      platform: 'all',
      store,
      match: (packages, opts) => matchPackages(store, packages, opts),
    });
    for (const r of results)
      out.push({
        reference: tag,
        platform: r.image.platform,
        findings: r.findings.length,
        counts: countsHeadline(countFindings(r.findings)),
      });
  }
  return out;
}

/** Lands a recorded cluster snapshot through the real Kubernetes collector, then updates posture. */
export async function collectCluster(store: Store, file: 'cluster-v1.json' | 'cluster-v2.json') {
  const doc = JSON.parse(readFileSync(`${DEMO_DIR}k8s/${file}`, 'utf8')) as RecordedCluster;
  const col = await collectKubernetes(recordedKubernetesApi(doc), { cluster: 'demo', keys: metadataKeys() });
  const applied = await writeInventoryMutation(store, { name: 'demo', kind: 'kubernetes' }, col.mutation, {
    errors: col.errors,
  });
  await maintainPosture(store, { containerIds: [...applied.added, ...applied.identityChanged] }, DEMO_CONFIG);
  return applied;
}

export async function importCmdb(store: Store) {
  const path = `${DEMO_DIR}cmdb.csv`;
  const result = await importCmdbFile(
    store,
    { path, text: readFileSync(path, 'utf8') },
    {
      sourceName: 'batch-vms',
      keys: metadataKeys(),
    },
  );
  await maintainPosture(store, { containerIds: result.added }, DEMO_CONFIG);
  return result;
}

export interface DemoResult {
  before: PostureReport;
  after: PostureReport;
  checks: Check[];
}

/** The whole demo, printing each step through `say`. */
export async function runDemoPipeline(store: Store, say: (line: string) => void): Promise<DemoResult> {
  say(`1. advisories: ${await loadAdvisories(store)} OSV records loaded from testdata/demo/advisories`);
  await publishImages(store, 'initial');
  for (const s of await scanImages(store, ['alpine-base-3.18', 'shop-api-1.0'])) {
    say(`2. scanned ${s.reference} ${s.platform}: ${s.counts}`);
  }
  const v1 = await collectCluster(store, 'cluster-v1.json');
  say(
    `3. inventory: cluster "demo" ${v1.added.length} containers (recorded Kubernetes objects, one arm64 node)`,
  );
  const cmdb = await importCmdb(store);
  say(
    `   inventory: CMDB "batch-vms" ${cmdb.added.length} container (tag only: resolved through tag history)`,
  );
  await maintainPosture(store, {}, DEMO_CONFIG);
  const before = await getPosture(store, { by: 'container' }, DEMO_CONFIG);

  say(
    '4. patched rebuild: musl 1.2.4-r3 in a new base image, shop-api 1.1 rebuilt on it, scanned and rolled out',
  );
  await publishImages(store, 'patched');
  for (const s of await scanImages(store, ['alpine-base-3.18-patched', 'shop-api-1.1'])) {
    say(`   scanned ${s.reference} ${s.platform}: ${s.counts}`);
  }
  const v2 = await collectCluster(store, 'cluster-v2.json');
  say(`   inventory delta: ${v2.added.length} containers added, ${v2.removed.length} removed`);
  const after = await getPosture(store, { by: 'container' }, DEMO_CONFIG);
  const { checks } = await validatePropagation(
    store,
    {
      image: `${DEMO_REGISTRY}/shop/api:1.0`,
      vulnerability: DEMO_VULNERABILITY,
      fixedImage: `${DEMO_REGISTRY}/shop/api:1.1`,
    },
    DEMO_CONFIG,
  );
  return { before, after, checks };
}
