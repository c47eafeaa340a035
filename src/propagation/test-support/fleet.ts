// Test support: a small fleet built through the real stages, so propagation is tested on the rows
// those stages actually write — not on rows shaped by hand:
//   images and tags  → recordResolution (what identity/ records after resolving a reference),
//   findings         → saveScan (what scan/ and importers/ land),
//   containers       → the inventory stage's applyInventoryMutation (one delta per call).
// It is not a bulk loader: bench/propagation.ts generates its 1M-container fleet server-side.
import { createHash } from 'node:crypto';
import type { PlatformImage } from '../../core/image-source.js';
import type { ContainerObservation, Finding, Platform, Severity } from '../../core/types.js';
// The applier itself, not inventory/index.js: that would load every provider's client.
import { applyInventoryMutation } from '../../inventory/apply-inventory-mutation.js';
import {
  getImageIdentity,
  type InventorySourceSpec,
  type ResolutionRecord,
  recordResolution,
  type Store,
  type StoredImage,
  saveScan,
} from '../../store/index.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** An inventory source, created with its first mutation (addContainers). */
export async function addSource(
  _store: Store,
  name = 'k8s',
  kind: InventorySourceSpec['kind'] = 'kubernetes',
): Promise<InventorySourceSpec> {
  return { name, kind };
}

function platformImage(
  digest: string,
  platform: Platform,
  configDigest: string,
  diffIds: string[] = [],
): PlatformImage {
  return {
    digest,
    mediaType: MANIFEST,
    platform,
    configDigest,
    config: { ...platform, rootfs: { type: 'layers', diff_ids: diffIds } },
    layers: diffIds.map((diffId) => ({
      digest: digestOf(`blob-${diffId}`),
      mediaType: LAYER,
      size: 0,
      diffId,
    })),
    manifest: undefined,
  };
}

/** A single-platform image (linux/amd64 unless told), resolved by digest: no name, no tag. */
export async function addManifest(
  store: Store,
  digest: string,
  opts: { config?: string; arch?: string; variant?: string; layers?: string[] } = {},
): Promise<void> {
  const platform: Platform = { os: 'linux', architecture: opts.arch ?? 'amd64', variant: opts.variant };
  await recordResolution(store, {
    reference: digest,
    digest,
    mediaType: MANIFEST,
    platforms: [platformImage(digest, platform, opts.config ?? digestOf(`config-${digest}`), opts.layers)],
  });
}

/** A multi-platform index over manifests (record those with addManifest for their configs/layers). */
export async function addIndex(
  store: Store,
  digest: string,
  children: { digest: string; arch: string; variant?: string; os?: string }[],
): Promise<void> {
  await recordResolution(store, {
    reference: digest,
    digest,
    mediaType: INDEX,
    platforms: [],
    children: children.map((c) => ({
      digest: c.digest,
      mediaType: MANIFEST,
      platform: { os: c.os ?? 'linux', architecture: c.arch, variant: c.variant },
    })),
  });
}

/**
 * The registry said `registry/repository:tag` → `digest` at `at`: the identity stage's record of
 * resolving the tag (tag history and the repository name). The image must have been added first.
 */
export async function addTag(
  store: Store,
  name: { registry: string; repository: string; tag: string },
  digest: string,
  at: Date,
): Promise<void> {
  const s = store;
  const image = await getImageIdentity(s, digest);
  if (!image) throw new Error(`fleet: add ${digest} (addManifest/addIndex) before tagging it`);
  const record: ResolutionRecord = {
    reference: `${name.registry}/${name.repository}:${name.tag}`,
    ...name,
    ...resolvedContent(image),
  };
  await recordResolution(s, record, { observedAt: at });
}

function resolvedContent(
  image: StoredImage,
): Pick<ResolutionRecord, 'digest' | 'mediaType' | 'platforms' | 'children'> {
  if (image.kind === 'index') {
    return {
      digest: image.digest,
      mediaType: image.mediaType,
      platforms: [],
      children: image.children.map((c) => ({ digest: c.digest, mediaType: MANIFEST, platform: c.platform })),
    };
  }
  const p = platformImage(
    image.digest,
    image.platform ?? { os: 'linux', architecture: 'amd64' },
    image.configDigest ?? digestOf(`config-${image.digest}`),
    image.layers.map((l) => l.diffId).filter((d): d is string => d !== null),
  );
  return {
    digest: image.digest,
    mediaType: image.mediaType,
    platforms: [{ ...p, mediaType: image.mediaType }],
  };
}

export interface F {
  id: string;
  severity: Severity;
  pkg?: string;
  fixed?: string;
  status?: Finding['status'];
  layer?: string;
  version?: string;
  purl?: string;
}

/** A complete scan of `digest` (Debian 12 packages, version 1.0 unless told) through saveScan. */
export async function addScan(
  store: Store,
  digest: string,
  findings: F[],
  opts: { source?: string; reference?: string; startedAt?: Date } = {},
): Promise<number> {
  const saved = await saveScan(store, {
    imageDigest: digest,
    source: opts.source ?? 'runsight',
    reference: opts.reference,
    status: 'complete',
    errors: [],
    startedAt: opts.startedAt,
    packages: [...new Set(findings.map((f) => f.pkg ?? 'openssl'))].map((name) => ({
      ecosystem: 'Debian:12',
      name,
      version: findings.find((f) => (f.pkg ?? 'openssl') === name)?.version ?? '1.0',
      layer: findings.find((f) => (f.pkg ?? 'openssl') === name)?.layer,
    })),
    findings: findings.map((f) => ({
      id: f.id,
      aliases: [],
      package: { ecosystem: 'Debian:12', name: f.pkg ?? 'openssl', layer: f.layer, purl: f.purl },
      installedVersion: f.version ?? '1.0',
      fixedVersion: f.fixed,
      severity: f.severity,
      kev: false,
      status: f.status ?? 'affected',
      source: opts.source ?? 'runsight',
    })),
  });
  return saved.scanId;
}

export interface C {
  id: string;
  image: string;
  digest?: string | null;
  digestKind?: 'repo' | 'config' | null;
  /** `os/arch[/variant]`; null: the runtime did not say. Default linux/amd64. */
  platform?: string | null;
  startedAt?: Date | null;
  cluster?: string;
  namespace?: string;
  workloadKind?: string;
  workloadName?: string;
  owner?: string | null;
  /** Seen, then gone at this time (a second delta removes it). */
  removedAt?: Date | null;
}

function observation(c: C): ContainerObservation {
  const [os, architecture, variant] = (c.platform === undefined ? 'linux/amd64' : (c.platform ?? '')).split(
    '/',
  );
  return {
    id: c.id,
    cluster: c.cluster ?? 'prod',
    namespace: c.namespace ?? 'default',
    workloadKind: c.workloadKind ?? 'Deployment',
    workloadName: c.workloadName ?? c.id.split('/')[0],
    pod: `${c.id}-pod`,
    container: 'app',
    containerKind: 'regular',
    platform: os && architecture ? { os, architecture, variant } : undefined,
    image: c.image,
    digest: c.digest ?? undefined,
    digestKind: c.digestKind ?? (c.digest ? 'repo' : undefined),
    state: 'running',
    startedAt: c.startedAt ?? undefined,
    owner: c.owner === undefined ? 'team-a' : (c.owner ?? undefined),
    labels: {},
  };
}

/**
 * Containers observed by `source` now, as one inventory delta; those with `removedAt` are then
 * removed by a second delta at that time.
 */
export async function addContainers(store: Store, source: InventorySourceSpec, cs: C[]): Promise<void> {
  const s = store;
  await applyInventoryMutation(s, source, { type: 'delta', added: cs.map(observation), removed: [] });
  const gone = cs.filter((c) => c.removedAt);
  for (const at of [...new Set(gone.map((c) => c.removedAt!.getTime()))].sort((a, b) => a - b)) {
    const removed = gone.filter((c) => c.removedAt!.getTime() === at).map((c) => c.id);
    await applyInventoryMutation(
      s,
      source,
      { type: 'delta', added: [], removed },
      { observedAt: new Date(at) },
    );
  }
}
