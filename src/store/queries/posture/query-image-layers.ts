// Layer facts for remediation: an image's ordered layers (diffIDs), the known images whose layers
// are a strict prefix of them (its base image candidates, longest first), and the names a digest
// goes by (image_names, tag history, scan references).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export async function queryImageLayers(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<{ position: number; diffId: string | null; layerDigest: string }[]> {
  const rows = await db
    .selectFrom('image_layers')
    .select(['position', 'diff_id', 'layer_digest'])
    .where('image_digest', '=', digest)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ position: r.position, diffId: r.diff_id, layerDigest: r.layer_digest }));
}

/** Known manifests whose whole layer list is a strict prefix of `digest`'s, longest first. */
export async function queryBaseCandidates(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<{ digest: string; layers: number }[]> {
  const r = await sql<{ image_digest: string; n: number }>`
    with target as (select position, diff_id from image_layers where image_digest = ${digest} and diff_id is not null),
    sizes as (select image_digest, count(*) as total from image_layers group by image_digest)
    select l.image_digest, count(*) as n
    from image_layers l
    join target t on t.position = l.position and t.diff_id = l.diff_id
    join sizes s on s.image_digest = l.image_digest
    where l.image_digest <> ${digest}
    group by l.image_digest, s.total
    having count(*) = s.total and count(*) < (select count(*) from target)
    order by n desc, l.image_digest`.execute(db);
  return r.rows.map((x) => ({ digest: x.image_digest, layers: Number(x.n) }));
}

/** Names a digest is known by: `registry/repo:tag` from tag history (newest first), else `registry/repo`, else scan references. */
export async function queryImageNames(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!digests.length) return out;
  const add = (d: string, n: string) => {
    const list = out.get(d) ?? [];
    if (!list.includes(n)) list.push(n);
    out.set(d, list);
  };
  const viaIndex = await sql<{ child: string; index: string }>`
    select child_digest as child, index_digest as index from image_children where child_digest = any(${digests}::text[])`.execute(
    db,
  );
  const all = [...new Set([...digests, ...viaIndex.rows.map((r) => r.index)])];
  const tags = await sql<{ digest: string; name: string }>`
    select digest, registry || '/' || repository || ':' || tag as name from tag_history
    where digest = any(${all}::text[]) order by observed_at desc`.execute(db);
  const names = await sql<{ digest: string; name: string }>`
    select digest, registry || '/' || repository as name from image_names where digest = any(${all}::text[]) order by last_seen desc`.execute(
    db,
  );
  const refs = await sql<{ digest: string; name: string }>`
    select image_digest as digest, reference as name from scans where image_digest = any(${all}::text[]) and reference is not null
    order by started_at desc`.execute(db);
  const parentOf = new Map<string, string[]>();
  for (const r of viaIndex.rows) parentOf.set(r.index, [...(parentOf.get(r.index) ?? []), r.child]);
  for (const row of [...tags.rows, ...names.rows, ...refs.rows]) {
    for (const d of digests.includes(row.digest) ? [row.digest] : []) add(d, row.name);
    for (const child of parentOf.get(row.digest) ?? []) add(child, row.name);
  }
  return out;
}

/** Digests that a user-given reference can mean: a scan reference, a tag (latest), a repo@digest. */
export async function queryDigestsForReference(
  { db }: Pick<Store, 'db'>,
  ref: { registry?: string; repository?: string; tag?: string; text: string },
): Promise<string[]> {
  const out: string[] = [];
  const scans = await db
    .selectFrom('scans')
    .select('image_digest')
    .where('reference', '=', ref.text)
    .where('status', 'in', ['complete', 'partial'])
    .orderBy('started_at', 'desc')
    .execute();
  out.push(...scans.map((s) => s.image_digest));
  if (ref.registry && ref.repository && ref.tag) {
    const t = await db
      .selectFrom('tag_history')
      .select('digest')
      .where('registry', '=', ref.registry)
      .where('repository', '=', ref.repository)
      .where('tag', '=', ref.tag)
      .orderBy('observed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    out.push(...t.map((x) => x.digest));
  }
  return [...new Set(out)];
}
