// Containers whose resolution is missing or out of date, one keyset page at a time. A container is
// out of date when its identity fields (image, image ID, digest, platform, start time) changed
// since its resolution was computed, or — with `includeNonExact` — when it did not resolve exactly
// and the identity graph has grown since. A change of identity clears resolved_at (migration 33's
// trigger, for every writer), so "missing or out of date" is `resolved_at is null`: a walk of the
// partial index containers_unresolved, which is empty when nothing changed — not a comparison of
// every row with its resolution_input (a sequential scan of the table).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

/** The identity fields a resolution depends on, as one text; migration 006 stores it per row. */
export function resolutionInput(alias = ''): string {
  const c = alias ? `${alias}.` : '';
  return `concat_ws('|', ${c}image, coalesce(${c}image_id, ''), coalesce(${c}digest, ''), coalesce(${c}digest_kind, ''), coalesce(${c}platform, ''), coalesce(extract(epoch from ${c}started_at)::text, ''))`;
}

export interface ContainerToResolve {
  id: string;
  image: string;
  image_id: string | null;
  digest: string | null;
  digest_kind: string | null;
  platform: string | null;
  started_at: Date | null;
  image_digest: string | null;
  match_method: string;
  confidence: string;
  /** resolutionInput() as read: saveResolutions saves only if the row still has it. */
  input: string;
}

export interface ResolveSelection {
  /** Exactly these containers (any state). */
  ids?: string[] | undefined;
  /** Every container, regardless of what changed (full recompute). */
  all?: boolean | undefined;
  /** Also containers that did not resolve exactly (the identity graph changed). */
  includeNonExact?: boolean | undefined;
}

export async function listContainersToResolve(
  { db }: Pick<Store, 'db'>,
  sel: ResolveSelection,
  after: string | null,
  limit: number,
): Promise<ContainerToResolve[]> {
  let q = db
    .selectFrom('containers')
    .select([
      'id',
      'image',
      'image_id',
      'digest',
      'digest_kind',
      'platform',
      'started_at',
      'image_digest',
      'match_method',
      'confidence',
      sql.raw<string>(resolutionInput()).as('input'),
    ])
    .orderBy('id')
    .limit(limit);
  if (after !== null) q = q.where('id', '>', after);
  if (sel.ids) q = q.where('id', '=', sql<string>`any(${sel.ids}::text[])`);
  else if (!sel.all) {
    q = sel.includeNonExact
      ? q.where((eb) => eb.or([eb('resolved_at', 'is', null), eb('confidence', '<>', 'exact')]))
      : q.where('resolved_at', 'is', null);
  }
  return q.execute();
}
