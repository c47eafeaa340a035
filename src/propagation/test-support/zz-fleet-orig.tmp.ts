// Test support: writes identity-graph, scan and inventory rows straight into a store, the way the
// identity, scanner and inventory stages do, so propagation is tested on its own.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Finding, Severity } from '../../core/types.js';
import { type Database, saveScan } from '../../store/index.js';

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export async function addSource(db: Kysely<Database>, name = 'k8s', kind = 'kubernetes'): Promise<number> {
  const r = await db
    .insertInto('inventory_sources')
    .values({ name, kind })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function addManifest(
  db: Kysely<Database>,
  digest: string,
  opts: { config?: string; arch?: string; variant?: string; layers?: string[] } = {},
): Promise<void> {
  await db
    .insertInto('images')
    .values({
      digest,
      kind: 'manifest',
      media_type: 'application/vnd.oci.image.manifest.v1+json',
      config_digest: opts.config ?? digestOf(`config-${digest}`),
      os: 'linux',
      architecture: opts.arch ?? 'amd64',
      variant: opts.variant ?? null,
    })
    .execute();
  if (opts.layers?.length) {
    await db
      .insertInto('image_layers')
      .values(
        opts.layers.map((diffId, position) => ({
          image_digest: digest,
          position,
          layer_digest: digestOf(`blob-${diffId}`),
          diff_id: diffId,
        })),
      )
      .execute();
  }
}

export async function addIndex(
  db: Kysely<Database>,
  digest: string,
  children: { digest: string; arch: string; variant?: string; os?: string }[],
): Promise<void> {
  await db
    .insertInto('images')
    .values({ digest, kind: 'index', media_type: 'application/vnd.oci.image.index.v1+json' })
    .execute();
  await db
    .insertInto('image_children')
    .values(
      children.map((c) => ({
        index_digest: digest,
        child_digest: c.digest,
        os: c.os ?? 'linux',
        architecture: c.arch,
        variant: c.variant ?? null,
      })),
    )
    .execute();
}

export async function addTag(
  db: Kysely<Database>,
  name: { registry: string; repository: string; tag: string },
  digest: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('tag_history')
    .values({ ...name, digest, observed_at: at })
    .execute();
}

export interface F {
  id: string;
  severity: Severity;
  pkg?: string;
  fixed?: string;
  status?: Finding['status'];
  layer?: string;
  version?: string;
}

export async function addScan(
  db: Kysely<Database>,
  digest: string,
  findings: F[],
  opts: { source?: string; reference?: string; startedAt?: Date } = {},
): Promise<number> {
  const saved = await saveScan({ db }, {
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
      package: { ecosystem: 'Debian:12', name: f.pkg ?? 'openssl', layer: f.layer },
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
  platform?: string | null;
  startedAt?: Date | null;
  cluster?: string;
  namespace?: string;
  workloadKind?: string;
  workloadName?: string;
  owner?: string | null;
  removedAt?: Date | null;
}

export async function addContainers(db: Kysely<Database>, sourceId: number, cs: C[]): Promise<void> {
  await db
    .insertInto('containers')
    .values(
      cs.map((c) => ({
        id: c.id,
        source_id: sourceId,
        cluster: c.cluster ?? 'prod',
        namespace: c.namespace ?? 'default',
        workload_kind: c.workloadKind ?? 'Deployment',
        workload_name: c.workloadName ?? c.id.split('/')[0],
        pod: `${c.id}-pod`,
        container_name: 'app',
        container_kind: 'regular',
        platform: c.platform === undefined ? 'linux/amd64' : c.platform,
        image: c.image,
        digest: c.digest ?? null,
        digest_kind: c.digestKind ?? (c.digest ? 'repo' : null),
        state: 'running',
        started_at: c.startedAt ?? null,
        owner: c.owner === undefined ? 'team-a' : c.owner,
        removed_at: c.removedAt ?? null,
      })),
    )
    .execute();
}
