// The match index lookup: every advisory_affected row for the given (ecosystem, package) keys,
// joined with its advisory (aliases, upstream, severity). Withdrawn advisories are left out.
// The keys travel as two array parameters joined through unnest (advisory_affected_match index),
// so a re-match's tens of thousands of keys take a few statements, each of bounded size.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { anyText, batches } from '../../statement-size.js';

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

const CHUNK = 5000;

export async function findAffected(
  { db }: Pick<Store, 'db'>,
  keys: { ecosystem: string; packageName: string }[],
): Promise<AffectedRow[]> {
  const out: AffectedRow[] = [];
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const { rows } = await sql<AffectedRow & { id: number | string }>`
      select f.id, f.source, f.advisory_id, f.ecosystem, f.package_name, f.ranges, f.versions, f.severity,
             a.aliases, a.upstream, a.severity as advisory_severity
      from unnest(${chunk.map((k) => k.ecosystem)}::text[], ${chunk.map((k) => k.packageName)}::text[])
        as k(ecosystem, package_name)
      join advisory_affected f on f.ecosystem = k.ecosystem and f.package_name = k.package_name
      join advisories a on a.source = f.source and a.id = f.advisory_id
      where a.withdrawn is null`.execute(db);
    // Index order (the rows of one key together, in the order they were written): sorted here by
    // id rather than in SQL, where a sort of this many jsonb rows spills to disk.
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    for (const { id: _id, ...row } of rows) out.push(row);
  }
  return out;
}

const ENRICHMENT_CHUNK = 5000;

export interface Enrichment {
  kev: Set<string>;
  epss: Map<string, { score: number; percentile: number }>;
}

export async function getEnrichment({ db }: Pick<Store, 'db'>, cves: string[]): Promise<Enrichment> {
  const kev = new Set<string>();
  const epss = new Map<string, { score: number; percentile: number }>();
  // One array parameter per statement (a list of binds is planned anew per length, and grows).
  for (const chunk of batches(cves, ENRICHMENT_CHUNK)) {
    for (const r of await db
      .selectFrom('kev')
      .select('cve_id')
      .where('cve_id', '=', anyText(chunk))
      .execute())
      kev.add(r.cve_id);
    for (const r of await db
      .selectFrom('epss')
      .select(['cve_id', 'score', 'percentile'])
      .where('cve_id', '=', anyText(chunk))
      .execute())
      epss.set(r.cve_id, { score: r.score, percentile: r.percentile });
  }
  return { kev, epss };
}
