// Advisory freshness for `db status`: per source (kind, records, newest `modified`, when it was
// last updated and how long ago) and per advisory ecosystem (advisories and affected packages).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../schema.js';

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
  ecosystems: { ecosystem: string; advisories: number; packages: number }[];
  /** The most recent update of any source; null before the first `db update`. */
  lastUpdated: string | null;
}

export async function getAdvisoryStatus(db: Kysely<Database>): Promise<AdvisoryStatus> {
  const now = Date.now();
  const sources = await db.selectFrom('advisory_sources').selectAll().orderBy('name').execute();
  const ecosystems = await db
    .selectFrom('advisory_affected')
    .select([
      'ecosystem',
      sql<number>`count(distinct (source, advisory_id))`.as('advisories'),
      sql<number>`count(distinct package_name)`.as('packages'),
    ])
    .groupBy('ecosystem')
    .orderBy('ecosystem')
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
    ecosystems: ecosystems.map((e) => ({
      ecosystem: e.ecosystem,
      advisories: Number(e.advisories),
      packages: Number(e.packages),
    })),
    lastUpdated: updated.length ? new Date(Math.max(...updated)).toISOString() : null,
  };
}
