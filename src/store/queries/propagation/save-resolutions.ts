// Writes a batch of resolutions in one statement, with the identity input they were computed from,
// and points the containers' open exposure intervals at the resolved digest.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { resolutionInput } from './list-containers-to-resolve.js';

export interface ResolutionRow {
  id: string;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
}

export async function saveResolutions(
  { db }: Pick<Store, 'db'>,
  rows: ResolutionRow[],
  at: Date,
): Promise<void> {
  if (!rows.length) return;
  const ids = rows.map((r) => r.id);
  const digests = rows.map((r) => r.imageDigest);
  const methods = rows.map((r) => r.matchMethod);
  const confidences = rows.map((r) => r.confidence);
  await sql`update containers as c set
      image_digest = v.digest, match_method = v.method, confidence = v.confidence,
      resolved_at = ${at}, resolution_input = ${sql.raw(resolutionInput('c'))}
    from unnest(${ids}::text[], ${digests}::text[], ${methods}::text[], ${confidences}::text[])
      as v(id, digest, method, confidence)
    where c.id = v.id`.execute(db);
  // Open exposure intervals follow the container's resolved digest (the ledger counts per digest).
  await sql`update exposures as e set image_digest = v.digest
    from unnest(${ids}::text[], ${digests}::text[]) as v(id, digest)
    where e.container_id = v.id and e.closed_at is null and e.image_digest is distinct from v.digest`.execute(
    db,
  );
}
