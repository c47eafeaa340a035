// The platform manifests imported reports read behind a repo digest: a Grype report of
// `keycloak@sha256:347a…` that read manifest `sha256:d163…` for linux/amd64 says the repo digest is
// an index with that child (`stats.import.repoDigests` / `platform` of the current scans).
// Container resolution uses it for repo digests the identity graph does not know.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface ReportedManifest {
  repoDigest: string;
  digest: string;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  source: string;
}

export async function listReportedManifests(
  { db }: Pick<Store, 'db'>,
  repoDigests: string[],
): Promise<ReportedManifest[]> {
  if (!repoDigests.length) return [];
  const r = await sql<{
    repo_digest: string;
    digest: string;
    os: string | null;
    architecture: string | null;
    variant: string | null;
    source: string;
  }>`
    select distinct rd.d as repo_digest, s.image_digest as digest, s.source,
      s.stats->'import'->'platform'->>'os' as os,
      s.stats->'import'->'platform'->>'architecture' as architecture,
      s.stats->'import'->'platform'->>'variant' as variant
    from current_scans cs
    join scans s on s.id = cs.scan_id
    cross join lateral jsonb_array_elements_text(
      case when jsonb_typeof(s.stats->'import'->'repoDigests') = 'array' then s.stats->'import'->'repoDigests' else '[]'::jsonb end
    ) as rd(d)
    where rd.d = any(${repoDigests}::text[]) and s.image_digest <> rd.d
    order by rd.d, s.image_digest, s.source`.execute(db);
  return r.rows.map((x) => ({
    repoDigest: x.repo_digest,
    digest: x.digest,
    os: x.os,
    architecture: x.architecture,
    variant: x.variant,
    source: x.source,
  }));
}
