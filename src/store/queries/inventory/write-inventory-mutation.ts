// Lands one inventory mutation (a provider's full list, or a watch/events delta) in one transaction:
// container rows keep first_seen and bump last_seen; a full list closes (removed_at) the rows it no
// longer contains; a delta touches only its own rows; each container's exposure interval is opened,
// extended and closed with it; the run is recorded with its counts and errors (freshness per source).
// An unscoped full list writes only what changed: the rows it finds unchanged are not rewritten,
// the list's time is recorded once on the source (last_full_at), and readers take a live row's last
// sighting as greatest(last_seen, last_full_at) (last-seen.ts, docs/adr/0010-source-seen-at.md).
// It returns the ids added, changed and removed so propagation recomputes only those.
// The mutation shape is Backstage's EntityProvider pattern (docs/adr/0005-inventory.md).
// A mutation is landed batch by batch (`writeInventoryStream`), set-based: each batch is staged in a
// temporary table (COPY on PostgreSQL) and merged by one statement (docs/adr/0015-set-based-inventory-batches.md),
// so a list of any length — a 1M-row CMDB file streamed from disk, or a Kubernetes list held in
// memory — costs memory for one batch, plus the ids returned (capped by `idLimit`).
import { type Kysely, sql } from 'kysely';
import { InputError } from '../../../core/errors.js';
import type { ContainerObservation, InventoryMutation } from '../../../core/types.js';
import { CopyLines, copyField, copyFromStdin } from '../../copy-in.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { anyText } from '../../statement-size.js';
import {
  ATTRIBUTES_DIFFER,
  COLUMN_TYPES,
  CONTAINER_COLUMN_NAMES,
  CONTAINER_COLUMNS,
  type ContainerColumnKind,
  columnsDiffer,
  containerRow,
  IDENTITY_COLUMNS,
  SAME_IDENTITY,
} from './container-columns.js';
import { exposureLastSeen } from './last-seen.js';

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
  /** How many of each, also when the id lists were omitted. */
  counts: { seen: number; added: number; changed: number; identityChanged: number; removed: number };
  /**
   * More than `idLimit` ids were added, changed or removed: the lists are empty and only `counts`
   * tell. Posture must then be brought up to date by the watermark pass (maintainPosture without
   * ids), which finds unresolved and re-identified containers by itself.
   */
  idsOmitted: boolean;
}

/** How a stream of batches ends, decided once every batch has been written. */
export interface InventoryStreamEnd {
  /** `full`: rows of the source not seen in any batch are closed. `delta`: only `removed` are. */
  type: 'full' | 'delta';
  removed?: string[] | undefined;
  /** Non-fatal errors: the run is recorded as `partial`. */
  errors?: InventoryRunError[] | undefined;
}

export interface StreamApplyOptions extends Omit<ApplyOptions, 'errors' | 'progress'> {
  /** Return at most this many ids (added + changed + removed); beyond, `idsOmitted` (default: all). */
  idLimit?: number | undefined;
  /** Told how many observations were landed so far (after each batch). */
  progress?: ((done: number) => void) | undefined;
}

/** Observations per batch of the in-memory path (a stream brings its own batches). */
export const INVENTORY_BATCH = 5000;
const ID_CHUNK = 5000;
const ARRAY_CHUNK = 50_000;

/** Lands one mutation held in memory, in one transaction (batches of INVENTORY_BATCH observations). */
export async function writeInventoryMutation(
  store: StoreHandle,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts: ApplyOptions = {},
): Promise<AppliedMutation> {
  const observed = mutation.type === 'full' ? mutation.containers : mutation.added;
  // One row per id: the last observation of an id in a mutation wins.
  const byId = new Map<string, ContainerObservation>();
  for (const o of observed) byId.set(o.id, o);
  const all = [...byId.values()];
  const total = all.length;
  return writeInventoryStream(
    store,
    source,
    (async function* () {
      for (let i = 0; i < all.length; i += INVENTORY_BATCH) yield all.slice(i, i + INVENTORY_BATCH);
    })(),
    () => ({
      type: mutation.type,
      removed: mutation.type === 'delta' ? mutation.removed : undefined,
      errors: opts.errors,
    }),
    { ...opts, progress: opts.progress ? (done) => opts.progress!(done, total) : undefined },
  );
}

/**
 * Lands a stream of observation batches for a source in ONE transaction: each batch is upserted as
 * it comes (its existing rows read back by id), then `end` says how the stream ends — a full list
 * closes the source's rows not seen, a delta closes its `removed` — and the run is recorded. `end`
 * (or the stream) throwing rolls everything back: what was there before stays. An id must not come
 * twice in a stream (the second sighting would count as unchanged).
 */
export async function writeInventoryStream(
  { db, kind }: StoreHandle,
  source: InventorySourceSpec,
  batches: AsyncIterable<ContainerObservation[]>,
  end: () => InventoryStreamEnd | Promise<InventoryStreamEnd>,
  opts: StreamApplyOptions = {},
): Promise<AppliedMutation> {
  const run = async (tx: Kysely<Database>) => {
    const now = opts.observedAt ?? new Date();
    // The source's row stays locked (ensureInventorySource's upsert) until this transaction ends:
    // the writers of one source land one after the other, so what is read of its rows below holds.
    const sourceId = await ensureInventorySource({ db: tx }, source);
    const copy = kind === 'postgres';
    const acc = new Landed(opts.idLimit ?? Number.POSITIVE_INFINITY, opts.progress);
    // A source with no rows yet (a first import) has nothing to close at the end.
    const empty = !(await sourceHasRows(tx, sourceId));
    if (copy && empty) await copyNewSource(tx, sourceId, batches, now, acc);
    else {
      acc.direct = copy;
      for await (const batch of readingAhead(batches)) {
        if (!batch.length) continue;
        if (acc.direct && (await landNewBatch(tx, sourceId, batch, now, acc))) continue;
        acc.direct = false;
        await landBatch(tx, sourceId, batch, now, acc, copy);
      }
    }
    const how = await end();
    const sourceLevel = how.type === 'full' && !opts.scope?.namespaces?.length;
    if (!sourceLevel && acc.unchanged) await touchUnchanged(tx, now);
    if (!(empty && how.type === 'full')) await closeMissing(tx, sourceId, how, now, opts, acc);
    if (sourceLevel) {
      await sql`update inventory_sources set last_full_at = ${now}::timestamptz where id = ${sourceId}`.execute(
        tx,
      );
    }
    const runId = await recordRun(tx, source, sourceId, how, now, opts, acc);
    return {
      sourceId,
      runId,
      added: acc.added,
      changed: acc.changed,
      identityChanged: acc.identityChanged,
      removed: acc.removed,
      unchanged: acc.unchanged,
      counts: { ...acc.counts },
      idsOmitted: acc.omitted,
    };
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/**
 * The batches of `source`, the next one asked for as soon as one is handed out: it is read (a CMDB
 * file's rows parsed, every stream's text cleaned) between the statements that land the one before,
 * while the database works, instead of after them (at most one batch ahead). Ending early (a batch
 * failed to land) closes the source once the batch being read is done.
 */
export async function* readingAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let done = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        done = true;
        return;
      }
      next = it.next();
      // Awaited on the next round; not unhandled if this round's batch fails to land first.
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    if (!done) {
      await next.catch(() => undefined);
      await it.return?.();
    }
  }
}

/** The store a write goes to: its query builder, and its kind (COPY on PostgreSQL). */
export type StoreHandle = Pick<Store, 'db'> & Partial<Pick<Store, 'kind'>>;

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

/** What a stream has landed so far: the ids (up to the limit) and the counts. */
class Landed {
  added: string[] = [];
  changed: string[] = [];
  identityChanged: string[] = [];
  removed: string[] = [];
  unchanged = 0;
  counts = { seen: 0, added: 0, changed: 0, identityChanged: 0, removed: 0 };
  omitted = false;
  /** The staging tables of this transaction exist. */
  staged = false;
  /** Batches are still tried as all new (landNewBatch): no batch so far held a stored id. */
  direct = false;
  /** The last count given to `progress`. */
  private reported = -1;
  constructor(
    private readonly idLimit: number,
    private readonly progress: ((done: number) => void) | undefined,
  ) {}

  report(done: number): void {
    if (!this.progress || done === this.reported) return;
    this.reported = done;
    this.progress(done);
  }

  /** Too many ids to return: from now on only the counts are kept. */
  omit(): void {
    this.omitted = true;
    this.added = [];
    this.changed = [];
    this.identityChanged = [];
    this.removed = [];
  }

  /** Room left for ids before the lists are omitted. */
  get room(): number {
    return this.omitted ? 0 : this.idLimit - this.added.length - this.changed.length - this.removed.length;
  }

  keep(added: string[], changed: string[], identityChanged: string[], removed: string[]): void {
    this.counts.added += added.length;
    this.counts.changed += changed.length;
    this.counts.identityChanged += identityChanged.length;
    this.counts.removed += removed.length;
    if (this.omitted) return;
    if (added.length + changed.length + removed.length > this.room) {
      this.omit();
      return;
    }
    this.added.push(...added);
    this.changed.push(...changed);
    this.identityChanged.push(...identityChanged);
    this.removed.push(...removed);
  }
}

/** Whether the source has any container row, live or closed. */
async function sourceHasRows(tx: Kysely<Database>, sourceId: number): Promise<boolean> {
  const res = await sql<{ found: boolean }>`select exists (
      select 1 from containers where source_id = ${sourceId}::integer) as found`.execute(tx);
  return res.rows[0]!.found;
}

/**
 * One batch none of whose ids is stored yet (a first import, new rows of a growing source), on
 * PostgreSQL: its rows and their first exposure intervals are COPYed straight into `containers` and
 * `exposures` — no staging table, no comparison, no upsert (docs/adr/0028-new-rows-copied.md).
 * Returns false, having written nothing, when some id of the batch is stored: then the batch goes
 * through the merge (landBatch), which compares, upserts and refuses ids of another source. Nothing
 * of this source can be written between the check and the COPY (its writers land one after the
 * other: see writeInventoryStream); a row of another source inserted meanwhile with one of these
 * ids fails the COPY, and the import with it, as the merge's collision check would.
 */
async function landNewBatch(
  tx: Kysely<Database>,
  sourceId: number,
  batch: ContainerObservation[],
  now: Date,
  acc: Landed,
): Promise<boolean> {
  const ids = batch.map((o) => o.id);
  // An id twice in the batch: the merge says what that means.
  if (new Set(ids).size !== ids.length) return false;
  const stored = await sql<{ found: boolean }>`select exists (
      select 1 from containers where id = any(${ids}::text[])) as found`.execute(tx);
  if (stored.rows[0]!.found) return false;
  const at = copyField(now.toISOString());
  const src = String(sourceId);
  const rows = new CopyLines(batch.length * 512);
  const opened = new CopyLines(batch.length * 96);
  for (const o of batch) {
    rows.add(newRowLine(o, src, at));
    opened.add(`${copyField(o.id)}\t\\N\t${at}\t${at}\n`);
  }
  try {
    await tx.executeQuery(copyFromStdin('containers', NEW_ROW_COLUMNS, rows.bytes()));
  } catch (err) {
    const id = collidingId(err);
    if (id === undefined) throw err;
    throw new InputError(collision(id));
  }
  await tx.executeQuery(
    copyFromStdin('exposures', ['container_id', 'image_digest', 'first_seen', 'last_seen'], opened.bytes()),
  );
  acc.counts.seen += batch.length;
  acc.keep(ids, [], [], []);
  acc.report(acc.counts.seen);
  return true;
}

/**
 * The whole stream of a source with no rows yet (a first import), on PostgreSQL: every row is new,
 * so ONE COPY into `containers` takes every batch as it comes — the server loads a batch while the
 * next is read and turned into COPY text (copy-in.ts streams it, a few MB ahead at most) — and the
 * first exposure intervals are inserted afterwards by one statement from the rows just landed
 * (docs/adr/0028-new-rows-copied.md). An id stored under another source, or twice in the stream,
 * fails the COPY: the savepoint taken before it lets the error say which.
 */
async function copyNewSource(
  tx: Kysely<Database>,
  sourceId: number,
  batches: AsyncIterable<ContainerObservation[]>,
  now: Date,
  acc: Landed,
): Promise<void> {
  const at = copyField(now.toISOString());
  const src = String(sourceId);
  async function* lines(): AsyncGenerator<Uint8Array> {
    for await (const batch of batches) {
      if (!batch.length) continue;
      const rows = new CopyLines(batch.length * 512);
      for (const o of batch) rows.add(newRowLine(o, src, at));
      yield rows.bytes();
      acc.counts.seen += batch.length;
      acc.keep(
        batch.map((o) => o.id),
        [],
        [],
        [],
      );
      acc.report(acc.counts.seen);
    }
  }
  await sql`savepoint inventory_new_source`.execute(tx);
  try {
    await tx.executeQuery(copyFromStdin('containers', NEW_ROW_COLUMNS, lines()));
  } catch (err) {
    const id = collidingId(err);
    if (id === undefined) throw err;
    await sql`rollback to savepoint inventory_new_source`.execute(tx);
    const stored = await sql<{ found: boolean }>`select exists (
      select 1 from containers where id = ${id}) as found`.execute(tx);
    throw new InputError(
      stored.rows[0]!.found
        ? collision(id)
        : `container id ${id} comes twice in the list; each container must come once`,
    );
  }
  await sql`release savepoint inventory_new_source`.execute(tx);
  await sql`insert into exposures (container_id, image_digest, first_seen, last_seen)
    select id, null, ${now}::timestamptz, ${now}::timestamptz from containers where source_id = ${sourceId}`.execute(
    tx,
  );
}

/** A new row's COPY line, in NEW_ROW_COLUMNS order (`src`, `at`: COPY fields of the source id and time). */
function newRowLine(o: ContainerObservation, src: string, at: string): string {
  let line = `${copyField(o.id)}\t${src}`;
  for (const of of COLUMN_VALUES) line += `\t${copyField(asText(of(o)))}`;
  return `${line}\t${at}\t${at}\n`;
}

/** The refusal of an id stored under another source. */
function collision(id: string): string {
  return `container id ${id} already belongs to another inventory source; give this source another name so its ids do not collide`;
}

/** The id a COPY into `containers` found stored already (a unique violation of its key), if that failed it. */
function collidingId(err: unknown): string | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e.code !== '23505' || e.constraint !== 'containers_pkey') return undefined;
  return /^Key \(id\)=\((.*)\) already exists/.exec(e.detail ?? '')?.[1] ?? '(one of the list)';
}

/**
 * One batch, set-based: its rows are loaded into a temporary staging table (`inventory_batch`, not
 * WAL-logged, dropped at commit), then ONE statement compares them with the stored rows and lands
 * them — new rows and rows that came back or changed are upserted, unchanged rows are only noted
 * (in `inventory_unchanged`, for touchUnchanged and closeMissing), new containers get their first
 * exposure interval — and returns how each written row was classified. No stored row comes back to
 * the process and unchanged rows cost no write. The same code for every path and both stores.
 */
async function landBatch(
  tx: Kysely<Database>,
  sourceId: number,
  batch: ContainerObservation[],
  now: Date,
  acc: Landed,
  copy: boolean,
): Promise<void> {
  if (!acc.staged) {
    await sql
      .raw(`create temporary table if not exists inventory_batch (${STAGING_COLUMNS}) on commit drop`)
      .execute(tx);
    await sql`create temporary table if not exists inventory_unchanged (id text not null) on commit drop`.execute(
      tx,
    );
    // (Another stream may have used them earlier in the same transaction.)
    await sql`truncate inventory_unchanged`.execute(tx);
    acc.staged = true;
  }
  await sql`truncate inventory_batch`.execute(tx);
  await stageBatch(tx, batch, sourceId, now, copy);

  // Upsert: new rows, rows that came back, and rows whose attributes changed; unchanged rows (and
  // rows of another source) are left out before the insert. Resolution columns reset when identity
  // changed. All parts of the statement see the rows as they were before it (one snapshot).
  const src = sql`${sourceId}::integer`;
  const at = sql`${now}::timestamptz`;
  const res = await sql<{ id: string | null; how: string; n: number }>`
    with prev as (
      select c.id, c.source_id, c.removed_at,
        ${columnsDiffer('c', 'b')} as differs,
        ${columnsDiffer('c', 'b', IDENTITY_COLUMNS)} as identity_differs
      from inventory_batch b join containers c on c.id = b.id
    ), up as (
      insert into containers (${COLUMNS})
      select b.id, ${src}, ${STAGED}, ${at}, ${at} from inventory_batch b
      where not exists (select 1 from prev p where p.id = b.id
        and (p.source_id <> ${src} or (p.removed_at is null and not p.differs)))
      on conflict (id) do update set ${FROM_EXCLUDED},
        last_seen = excluded.last_seen,
        removed_at = null,
        image_digest = case when ${SAME_IDENTITY} then containers.image_digest else null end,
        match_method = case when ${SAME_IDENTITY} then containers.match_method else 'unresolved' end,
        confidence = case when ${SAME_IDENTITY} then containers.confidence else 'none' end,
        resolved_at = case when ${SAME_IDENTITY} then containers.resolved_at else null end
      where containers.source_id = excluded.source_id
        and (containers.removed_at is not null or ${ATTRIBUTES_DIFFER})
      returning id
    ), same as (
      insert into inventory_unchanged (id)
      select p.id from prev p where p.source_id = ${src} and p.removed_at is null and not p.differs
      returning id
    ), opened as (
      insert into exposures (container_id, image_digest, first_seen, last_seen)
      select up.id, null, ${at}, ${at} from up where not exists (select 1 from prev p where p.id = up.id)
    )
    select up.id, case when p.id is null then 'new' when p.removed_at is not null then 'back'
        when p.identity_differs then 'identity' else 'changed' end as how, 0 as n
      from up left join prev p on p.id = up.id
      where not ${acc.omitted} or p.id is not null
    union all
    select null, 'new', (select count(*) from up where not exists (select 1 from prev p where p.id = up.id))::int
      where ${acc.omitted}
    union all
    select b.id, 'other', 0 from inventory_batch b
      where not exists (select 1 from up where up.id = b.id)
        and not exists (select 1 from prev p where p.id = b.id and p.source_id = ${src})
    union all
    select null, 'unchanged', (select count(*) from same)::int`.execute(tx);

  const added: string[] = [];
  const cameBack: string[] = [];
  const changed: string[] = [];
  const identityChanged: string[] = [];
  const collisions: string[] = [];
  let unchanged = 0;
  let newCount = 0;
  for (const r of res.rows) {
    if (r.how === 'unchanged') unchanged = r.n;
    else if (r.how === 'other') collisions.push(r.id!);
    // Once the ids are omitted, new rows come back as one count (`n`) instead of one row each.
    else if (r.how === 'new' && r.id === null) newCount = r.n;
    else if (r.how === 'new') added.push(r.id!);
    else if (r.how === 'back') {
      added.push(r.id!);
      cameBack.push(r.id!);
    } else {
      changed.push(r.id!);
      if (r.how === 'identity') identityChanged.push(r.id!);
    }
  }
  if (collisions.length) {
    collisions.sort();
    throw new InputError(
      `container id${collisions.length > 1 ? 's' : ''} ${collisions.slice(0, 3).join(', ')}${collisions.length > 3 ? ' …' : ''} already belong to another inventory source; give this source another name so its ids do not collide`,
    );
  }

  // Exposure intervals (new containers got theirs above): a changed identity closes the old
  // interval at its last sighting and opens one, unresolved; a container that came back opens one
  // with the digest its row has now (kept when its identity is the same).
  for (const c of chunks(identityChanged, ID_CHUNK)) {
    await tx
      .updateTable('exposures')
      .set({ closed_at: now, last_seen: exposureLastSeen('exposures') })
      .where('container_id', '=', anyText(c))
      .where('closed_at', 'is', null)
      .execute();
  }
  for (const c of chunks(identityChanged, ARRAY_CHUNK)) {
    await sql`insert into exposures (container_id, image_digest, first_seen, last_seen)
      select id, null, ${at}, ${at} from unnest(${c}::text[]) as t(id)`.execute(tx);
  }
  for (const c of chunks(cameBack, ID_CHUNK)) {
    await tx
      .insertInto('exposures')
      .columns(['container_id', 'image_digest', 'first_seen', 'last_seen'])
      .expression((eb) =>
        eb
          .selectFrom('containers')
          .select(['id', 'image_digest', sql<Date>`${at}`.as('first_seen'), sql<Date>`${at}`.as('last_seen')])
          .where('id', '=', anyText(c)),
      )
      .execute();
  }
  // Extend the open intervals of the changed rows (fresh intervals already end now). By id,
  // through the exposures_container index: a join on last_seen can turn quadratic on stale stats.
  for (const c of chunks(changed, ARRAY_CHUNK)) {
    await sql`update exposures set last_seen = ${at}
      where container_id = any(${c}::text[]) and closed_at is null and last_seen < ${at}`.execute(tx);
  }

  acc.counts.seen += batch.length;
  acc.unchanged += unchanged;
  acc.keep(added, changed, identityChanged, []);
  acc.counts.added += newCount;
  acc.report(acc.counts.seen);
}

/**
 * Loads a batch into inventory_batch: on PostgreSQL by COPY (copy-in.ts), else (PGlite) one
 * statement with one text[] parameter per column (`unnest`), so the parameter count does not grow
 * with the rows.
 */
async function stageBatch(
  tx: Kysely<Database>,
  batch: ContainerObservation[],
  sourceId: number,
  now: Date,
  copy: boolean,
): Promise<void> {
  if (copy) {
    // Straight from each observation to its COPY line (no row object per observation).
    const text = new CopyLines(batch.length * 512);
    for (const o of batch) {
      let line = copyField(o.id);
      for (const of of COLUMN_VALUES) line += `\t${copyField(asText(of(o)))}`;
      text.add(`${line}\n`);
    }
    await tx.executeQuery(copyFromStdin('inventory_batch', ['id', ...CONTAINER_COLUMN_NAMES], text.bytes()));
    return;
  }
  const rows = batch.map((o) => containerRow(o, sourceId, now));
  const arrays = CONTAINER_COLUMN_NAMES.map((c) => rows.map((r) => asText(r[c])));
  const selected = sql.join(
    CONTAINER_COLUMN_NAMES.map((c, i) => sql.raw(`t.c${i}${CAST[CONTAINER_COLUMNS[c].kind]}`)),
  );
  const unnested = sql.join([sql`${rows.map((r) => r.id)}::text[]`, ...arrays.map((a) => sql`${a}::text[]`)]);
  const names = sql.raw(['id', ...CONTAINER_COLUMN_NAMES.map((_, i) => `c${i}`)].join(', '));
  await sql`insert into inventory_batch (id, ${sql.join(CONTAINER_COLUMN_NAMES.map((c) => sql.ref(c)))})
    select t.id, ${selected} from unnest(${unnested}) as t(${names})`.execute(tx);
}

/**
 * A delta, or a full list scoped to some namespaces, says nothing of the source's other rows: the
 * rows it saw unchanged get last_seen (and their open intervals) one by one, as written rows do.
 */
async function touchUnchanged(tx: Kysely<Database>, now: Date): Promise<void> {
  await sql`update containers set last_seen = ${now}::timestamptz
    from inventory_unchanged u where containers.id = u.id`.execute(tx);
  await sql`update exposures set last_seen = ${now}::timestamptz
    from inventory_unchanged u
    where exposures.container_id = u.id and exposures.closed_at is null
      and exposures.last_seen < ${now}::timestamptz`.execute(tx);
}

/**
 * Removals: what a full list did not contain, or what a delta says went away; their intervals
 * close. A row closed by a full list gets its last sighting written: the source's previous full
 * list saw it, if it is later than the row's own last_seen.
 */
async function closeMissing(
  tx: Kysely<Database>,
  sourceId: number,
  how: InventoryStreamEnd,
  now: Date,
  opts: StreamApplyOptions,
  acc: Landed,
): Promise<void> {
  if (how.type === 'full') {
    // One statement, however many rows go: the ids come back only as far as the lists have room.
    const namespaces = opts.scope?.namespaces;
    const inScope = namespaces?.length ? sql`and namespace = any(${[...namespaces]}::text[])` : sql``;
    const room = Math.min(acc.room + 1, 2 ** 31 - 1);
    const res = await sql<{ n: number; ids: string[] }>`
      with gone as (
        update containers set removed_at = ${now},
          last_seen = greatest(last_seen, (select last_full_at from inventory_sources where id = ${sourceId}))
        where source_id = ${sourceId} and removed_at is null and last_seen < ${now} ${inScope}
          ${acc.unchanged ? sql`and not exists (select 1 from inventory_unchanged u where u.id = containers.id)` : sql``}
        returning id, last_seen
      ), closed as (
        update exposures set closed_at = ${now}, last_seen = gone.last_seen
        from gone where exposures.container_id = gone.id and exposures.closed_at is null
      )
      select (select count(*) from gone)::int as n,
             array(select id from gone order by id limit ${room}) as ids`.execute(tx);
    const { n, ids } = res.rows[0]!;
    if (n === ids.length) acc.keep([], [], [], ids);
    else {
      acc.counts.removed += n;
      acc.omit();
    }
    return;
  }
  for (const c of chunks(how.removed ?? [], ID_CHUNK)) {
    const res = await tx
      .updateTable('containers')
      .set({ removed_at: now, last_seen: sql`greatest(last_seen, ${now}::timestamptz)` })
      .where('source_id', '=', sourceId)
      .where('removed_at', 'is', null)
      .where('id', '=', anyText(c))
      .returning('id')
      .execute();
    const removed = res.map((r) => r.id);
    if (removed.length) {
      await tx
        .updateTable('exposures')
        .from('containers')
        .set({ closed_at: now, last_seen: sql`containers.last_seen` })
        .whereRef('containers.id', '=', 'exposures.container_id')
        .where('exposures.closed_at', 'is', null)
        .where('exposures.container_id', '=', anyText(removed))
        .execute();
    }
    acc.keep([], [], [], removed);
  }
}

/** The run: a new one with the counts and errors, or the watch session's run they accumulate into. */
async function recordRun(
  tx: Kysely<Database>,
  source: InventorySourceSpec,
  sourceId: number,
  how: InventoryStreamEnd,
  now: Date,
  opts: StreamApplyOptions,
  acc: Landed,
): Promise<number> {
  const counts = {
    seen: acc.counts.seen,
    added: acc.counts.added,
    changed: acc.counts.changed,
    removed: acc.counts.removed,
    unchanged: acc.unchanged,
  };
  const errors = how.errors ?? [];
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
    return opts.runId;
  }
  const run = await tx
    .insertInto('inventory_runs')
    .values({
      source_id: sourceId,
      mode: how.type,
      status: errors.length ? 'partial' : 'ok',
      started_at: opts.startedAt ?? now,
      finished_at: now,
      counts: JSON.stringify(counts),
      errors: JSON.stringify(errors),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
}

/** The cast that turns a column's text (as sent in a text[] parameter) back into its type. */
const CAST: Record<ContainerColumnKind, string> = {
  text: '',
  'text?': '',
  'int?': '::integer',
  'time?': '::timestamptz',
  labels: '::jsonb',
};

/** A value as an element of a text[] parameter. */
function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

const COLUMNS = sql.join(
  ['id', 'source_id', ...CONTAINER_COLUMN_NAMES, 'first_seen', 'last_seen'].map((c) => sql.ref(c)),
);
/** The columns a new row is COPYed with: the rest take their defaults (unresolved, not removed). */
const NEW_ROW_COLUMNS = ['id', 'source_id', ...CONTAINER_COLUMN_NAMES, 'first_seen', 'last_seen'];
const FROM_EXCLUDED = sql.join(
  CONTAINER_COLUMN_NAMES.map((c) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`),
);
/** Each observed column's value of an observation, in CONTAINER_COLUMN_NAMES order. */
const COLUMN_VALUES: ((o: ContainerObservation) => unknown)[] = CONTAINER_COLUMN_NAMES.map(
  (c) => CONTAINER_COLUMNS[c].of,
);
const STAGED = sql.join(CONTAINER_COLUMN_NAMES.map((c) => sql.ref(`b.${c}`)));
/** The staging table's columns: the id and the observed columns, typed as in `containers`. */
const STAGING_COLUMNS = [
  'id text not null',
  ...CONTAINER_COLUMN_NAMES.map((c) => `${c} ${COLUMN_TYPES[CONTAINER_COLUMNS[c].kind]}`),
].join(', ');

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
