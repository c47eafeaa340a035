// The match index lookup: every advisory_affected row for the given (ecosystem, package) keys,
// joined with its advisory (aliases, upstream, severity). Withdrawn advisories are left out.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface AffectedRow {
  source: string;
  advisory_id: string;
  ecosystem: string;
  package_name: string;
  ranges: unknown[];
  versions: string[];
  severity: string | null;
  aliases: string[];
  upstream: string[];
  advisory_severity: unknown[];
}

const CHUNK = 500;

export async function findAffected(
  { db }: Pick<Store, 'db'>,
  keys: { ecosystem: string; packageName: string }[],
): Promise<AffectedRow[]> {
  const out: AffectedRow[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('advisory_affected as f')
      .innerJoin('advisories as a', (j) =>
        j.onRef('a.source', '=', 'f.source').onRef('a.id', '=', 'f.advisory_id'),
      )
      .select([
        'f.source',
        'f.advisory_id',
        'f.ecosystem',
        'f.package_name',
        'f.ranges',
        'f.versions',
        'f.severity',
        'a.aliases',
        'a.upstream',
        'a.severity as advisory_severity',
      ])
      .where('a.withdrawn', 'is', null)
      .where((eb) =>
        eb(
          sql`(f.ecosystem, f.package_name)`,
          'in',
          sql`(values ${sql.join(chunk.map((k) => sql`(${k.ecosystem}, ${k.packageName})`))})`,
        ),
      )
      .execute();
    out.push(...(rows as AffectedRow[]));
  }
  return out;
}

export interface Enrichment {
  kev: Set<string>;
  epss: Map<string, { score: number; percentile: number }>;
}

export async function getEnrichment({ db }: Pick<Store, 'db'>, cves: string[]): Promise<Enrichment> {
  const kev = new Set<string>();
  const epss = new Map<string, { score: number; percentile: number }>();
  for (let i = 0; i < cves.length; i += 1000) {
    const chunk = cves.slice(i, i + 1000);
    if (!chunk.length) continue;
    for (const r of await db.selectFrom('kev').select('cve_id').where('cve_id', 'in', chunk).execute())
      kev.add(r.cve_id);
    for (const r of await db
      .selectFrom('epss')
      .select(['cve_id', 'score', 'percentile'])
      .where('cve_id', 'in', chunk)
      .execute())
      epss.set(r.cve_id, { score: r.score, percentile: r.percentile });
  }
  return { kev, epss };
}
