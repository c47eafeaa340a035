// Advisory freshness for `db status`: per source (kind, records, newest `modified`, when it was
// last updated and how long ago) and per advisory ecosystem (advisories and affected packages).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface AdvisoryStatus {
  sources: {
    name: string;
    kind: string;
    location: string | null;
    records: number;
    lastModified: string | null;
    updatedAt: string;
    ageSeconds: number;
  }[];
  ecosystems: {
    ecosystem: string;
    advisories: number;
    packages: number;
    /** Newest `modified` among the ecosystem's advisories. */
    lastModified: string | null;
    /** When a source holding this ecosystem was last updated, and how long ago. */
    updatedAt: string | null;
    ageSeconds: number | null;
  }[];
  /** The most recent update of any source; null before the first `db update`. */
  lastUpdated: string | null;
}

export async function getAdvisoryStatus({ db }: Pick<Store, 'db'>): Promise<AdvisoryStatus> {
  const now = Date.now();
  const sources = await db.selectFrom('advisory_sources').selectAll().orderBy('name').execute();
  const ecosystems = await db
    .selectFrom('advisory_affected as f')
    .innerJoin('advisories as a', (j) =>
      j.onRef('a.source', '=', 'f.source').onRef('a.id', '=', 'f.advisory_id'),
    )
    .innerJoin('advisory_sources as s', 's.name', 'f.source')
    .select([
      'f.ecosystem',
      sql<number>`count(distinct (f.source, f.advisory_id))`.as('advisories'),
      sql<number>`count(distinct f.package_name)`.as('packages'),
      sql<Date | null>`max(a.modified)`.as('last_modified'),
      sql<Date | null>`max(s.updated_at)`.as('updated_at'),
    ])
    .groupBy('f.ecosystem')
    .orderBy('f.ecosystem')
    .execute();
  const updated = sources.map((s) => s.updated_at.getTime());
  return {
    sources: sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      location: s.location,
      records: s.record_count,
      lastModified: s.last_modified?.toISOString() ?? null,
      updatedAt: s.updated_at.toISOString(),
      ageSeconds: Math.max(0, Math.round((now - s.updated_at.getTime()) / 1000)),
    })),
    ecosystems: ecosystems.map((e) => {
      const updatedAt = e.updated_at ? new Date(e.updated_at) : null;
      return {
        ecosystem: e.ecosystem,
        advisories: Number(e.advisories),
        packages: Number(e.packages),
        lastModified: e.last_modified ? new Date(e.last_modified).toISOString() : null,
        updatedAt: updatedAt?.toISOString() ?? null,
        ageSeconds: updatedAt ? Math.max(0, Math.round((now - updatedAt.getTime()) / 1000)) : null,
      };
    }),
    lastUpdated: updated.length ? new Date(Math.max(...updated)).toISOString() : null,
  };
}
