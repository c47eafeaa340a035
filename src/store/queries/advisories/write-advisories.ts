// Lands normalised advisories in one transaction: each advisory row is upserted and its
// advisory_affected rows replaced. Returns the (ecosystem, package) keys touched before and after,
// which the re-matcher uses to find affected images through the reverse index.
import type { NormalizedAdvisory } from '../../../core/advisory.js';
import type { Store } from '../../open-store.js';

const CHUNK = 500;

export interface PackageKey {
  ecosystem: string;
  packageName: string;
}

export async function writeAdvisories(
  { db: tx }: Pick<Store, 'db'>,
  advisories: NormalizedAdvisory[],
): Promise<PackageKey[]> {
  const touched = new Map<string, PackageKey>();
  const add = (ecosystem: string, packageName: string) =>
    touched.set(`${ecosystem}\u0000${packageName}`, { ecosystem, packageName });
  for (let i = 0; i < advisories.length; i += CHUNK) {
    const batch = advisories.slice(i, i + CHUNK);
    for (const bySource of groupBy(batch, (a) => a.source)) {
      const ids = bySource.map((a) => a.id);
      const source = bySource[0]!.source;
      const before = await tx
        .selectFrom('advisory_affected')
        .select(['ecosystem', 'package_name'])
        .distinct()
        .where('source', '=', source)
        .where('advisory_id', 'in', ids)
        .execute();
      for (const r of before) add(r.ecosystem, r.package_name);
      await tx
        .deleteFrom('advisory_affected')
        .where('source', '=', source)
        .where('advisory_id', 'in', ids)
        .execute();
    }
    await tx
      .insertInto('advisories')
      .values(
        batch.map((a) => ({
          source: a.source,
          id: a.id,
          modified: a.modified ?? null,
          published: a.published ?? null,
          withdrawn: a.withdrawn ?? null,
          summary: a.summary ?? null,
          aliases: a.aliases,
          upstream: a.upstream,
          severity: JSON.stringify(a.severity),
          record: JSON.stringify(a.record),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['source', 'id']).doUpdateSet((eb) => ({
          modified: eb.ref('excluded.modified'),
          published: eb.ref('excluded.published'),
          withdrawn: eb.ref('excluded.withdrawn'),
          summary: eb.ref('excluded.summary'),
          aliases: eb.ref('excluded.aliases'),
          upstream: eb.ref('excluded.upstream'),
          severity: eb.ref('excluded.severity'),
          record: eb.ref('excluded.record'),
        })),
      )
      .execute();
    const rows = batch.flatMap((a) =>
      a.affected.map((f) => {
        add(f.ecosystem, f.packageName);
        return {
          source: a.source,
          advisory_id: a.id,
          ecosystem: f.ecosystem,
          package_name: f.packageName,
          purl: f.purl ?? null,
          ranges: JSON.stringify(f.ranges),
          versions: f.versions,
          severity: f.severity ?? null,
        };
      }),
    );
    for (let j = 0; j < rows.length; j += CHUNK) {
      await tx
        .insertInto('advisory_affected')
        .values(rows.slice(j, j + CHUNK))
        .execute();
    }
  }
  return [...touched.values()];
}

/** Deletes every advisory of a source that is not in `keep` (whole-source replacement, e.g. secdb). */
export async function deleteAdvisoriesNotIn(
  { db: tx }: Pick<Store, 'db'>,
  source: string,
  keep: string[],
): Promise<PackageKey[]> {
  const keepSet = new Set(keep);
  const existing = await tx.selectFrom('advisories').select('id').where('source', '=', source).execute();
  const gone = existing.map((r) => r.id).filter((id) => !keepSet.has(id));
  const touched: PackageKey[] = [];
  for (let i = 0; i < gone.length; i += CHUNK) {
    const ids = gone.slice(i, i + CHUNK);
    const rows = await tx
      .selectFrom('advisory_affected')
      .select(['ecosystem', 'package_name'])
      .distinct()
      .where('source', '=', source)
      .where('advisory_id', 'in', ids)
      .execute();
    touched.push(...rows.map((r) => ({ ecosystem: r.ecosystem, packageName: r.package_name })));
    await tx.deleteFrom('advisories').where('source', '=', source).where('id', 'in', ids).execute();
  }
  return touched;
}

function groupBy<T>(xs: T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return [...m.values()];
}
