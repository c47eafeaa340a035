// Writes a batch of resolutions in one statement, with the identity input they were computed from,
// and points the containers' open exposure intervals at the resolved digest. A container whose
// identity changed since it was read (its input is no longer the one resolved) is not written: the
// change cleared its resolved_at (migration 33), so the next sync resolves it from the new identity.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { resolutionInput } from './list-containers-to-resolve.js';

export interface ResolutionRow {
  id: string;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  /** The identity input the resolution was computed from (ContainerToResolve.input). */
  input: string;
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
  const inputs = rows.map((r) => r.input);
  await sql`with saved as (
      update containers as c set
        image_digest = v.digest, match_method = v.method, confidence = v.confidence,
        resolved_at = ${at}, resolution_input = v.input
      from unnest(${ids}::text[], ${digests}::text[], ${methods}::text[], ${confidences}::text[], ${inputs}::text[])
        as v(id, digest, method, confidence, input)
      where c.id = v.id and ${sql.raw(resolutionInput('c'))} = v.input
      returning c.id, c.image_digest
    )
    -- Open exposure intervals follow the container's resolved digest (the ledger counts per digest).
    update exposures as e set image_digest = s.image_digest from saved s
    where e.container_id = s.id and e.closed_at is null and e.image_digest is distinct from s.image_digest`.execute(
    db,
  );
}
