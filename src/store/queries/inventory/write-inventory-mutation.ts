// Lands one inventory mutation (a provider's full list, or a watch/events delta) in one transaction:
// container rows keep first_seen and bump last_seen; a full list closes (removed_at) the rows it no
// longer contains; a delta touches only its own rows; each container's exposure interval is opened,
// extended and closed with it; the run is recorded with its counts and errors (freshness per source).
// It returns the ids added, changed and removed so propagation recomputes only those.
// The mutation shape is Backstage's EntityProvider pattern (docs/adr/0005-inventory.md).
import { type RawBuilder, sql, type Transaction, type UpdateType } from 'kysely';
import { InputError } from '../../../core/errors.js';
import type { ContainerObservation, InventoryMutation } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { ContainersTable, Database } from '../../schema.js';
import { anyText } from '../../statement-size.js';
import {
  ATTRIBUTES_DIFFER,
  CONTAINER_COLUMN_NAMES,
  type ContainerColumn,
  containerIdentity,
  containerRow,
  containerSignature,
  SAME_IDENTITY,
} from './container-columns.js';

export type InventorySourceKind = 'kubernetes' | 'docker' | 'cmdb';

export interface InventorySourceSpec {
  /** Unique name: a cluster name, a Docker host name, a CMDB file's source name. */
  name: string;
  kind: InventorySourceKind;
  config?: Record<string, unknown> | undefined;
}

export interface InventoryRunError {
  /** Where it happened: a namespace, a file line, an API path… */
  where?: string | undefined;
  message: string;
}

export interface ApplyOptions {
  /** When the observation was made (default: now). Every row seen gets exactly this last_seen. */
  observedAt?: Date | undefined;
  /** When the collection began (default: observedAt). */
  startedAt?: Date | undefined;
  /** A full list that covered only these namespaces closes only rows in them. */
  scope?: { namespaces?: string[] | undefined } | undefined;
  /** Non-fatal collection errors: the run is recorded as `partial`. */
  errors?: InventoryRunError[] | undefined;
  /** Accumulate into this (watch session) run instead of recording a new one. */
  runId?: number | undefined;
  /** Told how many container rows were written so far, after each batch (a long list). */
  progress?: ((written: number, total: number) => void) | undefined;
}

export interface AppliedMutation {
  sourceId: number;
  runId: number;
  /** New containers, and containers that came back after being removed. */
  added: string[];
  /** Live containers whose observed attributes changed (image, state, labels…). */
  changed: string[];
  /** Changed containers whose image identity (image, imageId, digest, platform) changed: resolve again. */
  identityChanged: string[];
  removed: string[];
  /** Seen again with nothing changed: only last_seen moved. */
  unchanged: number;
}

const CHUNK = 1000;
const ID_CHUNK = 5000;
const ARRAY_CHUNK = 50_000;

export async function writeInventoryMutation(
  { db }: Pick<Store, 'db'>,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts: ApplyOptions = {},
): Promise<AppliedMutation> {
  return db.transaction().execute((tx) => applyIn(tx, source, mutation, opts));
}

/** Creates the source on first use; a name already used by another kind of source is an input error. */
export async function ensureInventorySource(
  { db }: Pick<Store, 'db'>,
  source: InventorySourceSpec,
): Promise<number> {
  const row = await db
    .insertInto('inventory_sources')
    .values({ name: source.name, kind: source.kind, config: JSON.stringify(source.config ?? {}) })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet(source.config ? { config: JSON.stringify(source.config) } : { name: source.name }),
    )
    .returning(['id', 'kind'])
    .executeTakeFirstOrThrow();
  if (row.kind !== source.kind) {
    throw new InputError(
      `inventory source "${source.name}" already exists as a ${row.kind} source, not ${source.kind}; choose another name (--name / --cluster-name / --source-name)`,
    );
  }
  return row.id;
}

async function applyIn(
  tx: Transaction<Database>,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts: ApplyOptions,
): Promise<AppliedMutation> {
  const now = opts.observedAt ?? new Date();
  const sourceId = await ensureInventorySource({ db: tx }, source);
  const observed = mutation.type === 'full' ? mutation.containers : mutation.added;
  // One row per id: the last observation of an id in a mutation wins.
  const byId = new Map<string, ContainerObservation>();
  for (const o of observed) byId.set(o.id, o);
  const ids = [...byId.keys()];

  // What we knew before: the source's rows (a full list) or just the rows this delta names, with a
  // signature of the observed columns so unchanged rows are never sent back to the database.
  type Known = { removed_at: Date | null; identity: string; signature: string };
  const known = new Map<string, Known>();
  const base = tx
    .selectFrom('containers')
    .select(['id', 'removed_at', ...CONTAINER_COLUMN_NAMES])
    .where('source_id', '=', sourceId);
  const rowsBefore =
    mutation.type === 'full'
      ? await base.execute()
      : (
          await Promise.all(
            chunks([...ids, ...mutation.removed], ID_CHUNK).map((c) =>
              base.where('id', '=', anyText(c)).execute(),
            ),
          )
        ).flat();
  for (const r of rowsBefore) {
    known.set(r.id, {
      removed_at: r.removed_at,
      identity: containerIdentity(r),
      signature: containerSignature(r),
    });
  }

  // Upsert: new rows, rows that came back, and rows whose attributes changed. Unchanged rows are
  // left alone here and only get last_seen below. Resolution columns reset when identity changed.
  // (The SQL guard repeats the comparison, so a stale signature can only cost a no-op write.)
  const written = new Set<string>();
  const unchangedIds: string[] = [];
  const toWrite: ReturnType<typeof containerRow>[] = [];
  for (const id of ids) {
    const row = containerRow(byId.get(id)!, sourceId, now);
    const before = known.get(id);
    if (before && !before.removed_at && before.signature === containerSignature(row)) unchangedIds.push(id);
    else toWrite.push(row);
  }
  let writtenRows = 0;
  for (const rows of chunks(toWrite, CHUNK)) {
    writtenRows += rows.length;
    opts.progress?.(writtenRows, toWrite.length);
    const res = await tx
      .insertInto('containers')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            ...FROM_EXCLUDED,
            last_seen: eb.ref('excluded.last_seen'),
            removed_at: null,
            image_digest: sql`case when ${SAME_IDENTITY} then containers.image_digest else null end`,
            match_method: sql`case when ${SAME_IDENTITY} then containers.match_method else 'unresolved' end`,
            confidence: sql`case when ${SAME_IDENTITY} then containers.confidence else 'none' end`,
            resolved_at: sql`case when ${SAME_IDENTITY} then containers.resolved_at else null end`,
          }))
          .where(sql<boolean>`containers.source_id = excluded.source_id`)
          .where(sql<boolean>`(containers.removed_at is not null or ${ATTRIBUTES_DIFFER})`),
      )
      .returning('id')
      .execute();
    for (const r of res) written.add(r.id);
  }

  const added: string[] = [];
  const changed: string[] = [];
  const identityChanged: string[] = [];
  const collisions: string[] = [];
  for (const row of toWrite) {
    const id = row.id;
    const before = known.get(id);
    if (!written.has(id)) {
      if (before) unchangedIds.push(id);
      else collisions.push(id);
      continue;
    }
    if (!before || before.removed_at) {
      added.push(id);
      continue;
    }
    changed.push(id);
    if (before.identity !== containerIdentity(row)) identityChanged.push(id);
  }
  if (collisions.length) {
    throw new InputError(
      `container id${collisions.length > 1 ? 's' : ''} ${collisions.slice(0, 3).join(', ')}${collisions.length > 3 ? ' …' : ''} already belong to another inventory source; give this source another name so its ids do not collide`,
    );
  }
  // One statement with an array parameter: far cheaper than many IN lists on PGlite.
  for (const c of chunks(unchangedIds, ARRAY_CHUNK)) {
    await sql`update containers set last_seen = ${now} where id = any(${c}::text[])`.execute(tx);
  }

  // Exposure intervals: a changed identity closes the old interval; new identities open one.
  for (const c of chunks(identityChanged, ID_CHUNK)) {
    await tx
      .updateTable('exposures')
      .set({ closed_at: now })
      .where('container_id', '=', anyText(c))
      .where('closed_at', 'is', null)
      .execute();
  }
  // New containers and changed identities start unresolved (image_digest null); a container that
  // came back with the same identity keeps its resolved digest on the new interval.
  const fresh = [...added.filter((id) => !known.get(id)), ...identityChanged];
  for (const c of chunks(fresh, CHUNK)) {
    await tx
      .insertInto('exposures')
      .values(c.map((id) => ({ container_id: id, image_digest: null, first_seen: now, last_seen: now })))
      .execute();
  }
  for (const c of chunks(
    added.filter((id) => known.get(id)),
    ID_CHUNK,
  )) {
    await tx
      .insertInto('exposures')
      .columns(['container_id', 'image_digest', 'first_seen', 'last_seen'])
      .expression((eb) =>
        eb
          .selectFrom('containers')
          .select([
            'id',
            'image_digest',
            sql<Date>`${now}::timestamptz`.as('first_seen'),
            sql<Date>`${now}::timestamptz`.as('last_seen'),
          ])
          .where('id', '=', anyText(c)),
      )
      .execute();
  }
  // Extend the open intervals of everything seen again (fresh intervals already end now). By id,
  // through the exposures_container index: a join on last_seen can turn quadratic on stale stats.
  const seenAgain = [...unchangedIds, ...changed, ...added.filter((id) => known.get(id))];
  for (const c of chunks(seenAgain, ARRAY_CHUNK)) {
    await sql`update exposures set last_seen = ${now}
      where container_id = any(${c}::text[]) and closed_at is null and last_seen < ${now}`.execute(tx);
  }

  // Removals: what a full list no longer contains, or what a delta says went away.
  const removed: string[] = [];
  if (mutation.type === 'full') {
    let q = tx
      .updateTable('containers')
      .set({ removed_at: now })
      .where('source_id', '=', sourceId)
      .where('removed_at', 'is', null)
      .where('last_seen', '<', now);
    const namespaces = opts.scope?.namespaces;
    if (namespaces?.length) q = q.where('namespace', '=', anyText(namespaces));
    for (const r of await q.returning('id').execute()) removed.push(r.id);
  } else {
    for (const c of chunks(mutation.removed, ID_CHUNK)) {
      const res = await tx
        .updateTable('containers')
        .set({ removed_at: now, last_seen: sql`greatest(last_seen, ${now}::timestamptz)` })
        .where('source_id', '=', sourceId)
        .where('removed_at', 'is', null)
        .where('id', '=', anyText(c))
        .returning('id')
        .execute();
      for (const r of res) removed.push(r.id);
    }
  }
  for (const c of chunks(removed, ID_CHUNK)) {
    await tx
      .updateTable('exposures')
      .from('containers')
      .set({ closed_at: now, last_seen: sql`containers.last_seen` })
      .whereRef('containers.id', '=', 'exposures.container_id')
      .where('exposures.closed_at', 'is', null)
      .where('exposures.container_id', '=', anyText(c))
      .execute();
  }

  const counts = {
    seen: ids.length,
    added: added.length,
    changed: changed.length,
    removed: removed.length,
    unchanged: unchangedIds.length,
  };
  const errors = opts.errors ?? [];
  let runId: number;
  if (opts.runId !== undefined) {
    const run = await tx
      .selectFrom('inventory_runs')
      .select(['counts', 'errors'])
      .where('id', '=', opts.runId)
      .where('source_id', '=', sourceId)
      .executeTakeFirst();
    if (!run) throw new InputError(`inventory run ${opts.runId} does not belong to source "${source.name}"`);
    const sum: Record<string, number> = { ...run.counts };
    for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
    sum.deltas = (sum.deltas ?? 0) + 1;
    await tx
      .updateTable('inventory_runs')
      .set({
        counts: JSON.stringify(sum),
        errors: JSON.stringify([...run.errors, ...errors].slice(-100)),
        finished_at: now,
      })
      .where('id', '=', opts.runId)
      .execute();
    runId = opts.runId;
  } else {
    const run = await tx
      .insertInto('inventory_runs')
      .values({
        source_id: sourceId,
        mode: mutation.type,
        status: errors.length ? 'partial' : 'ok',
        started_at: opts.startedAt ?? now,
        finished_at: now,
        counts: JSON.stringify(counts),
        errors: JSON.stringify(errors),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    runId = run.id;
  }
  return { sourceId, runId, added, changed, identityChanged, removed, unchanged: unchangedIds.length };
}

/** `column = excluded.column` for every observed column: the upsert's update. */
const FROM_EXCLUDED = Object.fromEntries(
  CONTAINER_COLUMN_NAMES.map((c) => [c, sql.ref(`excluded.${c}`)]),
) as { [C in ContainerColumn]: RawBuilder<UpdateType<ContainersTable[C]>> };

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
