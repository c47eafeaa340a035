// Opens the store: a PostgreSQL server when a URL is given (it wins), otherwise PGlite in a data
// directory. Migrations are applied on open. docs/adr/0001-store.md explains the choice. Only the
// driver in use is loaded (PGlite or pg), and a new PGlite store starts from the build's template
// (store-template.ts) when there is one.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { StoreError } from '../core/errors.js';
import type { ProgressSink } from '../core/progress.js';
import { copyingClient } from './copy-in.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';
import { withStatementSizeCheck } from './statement-size.js';
import { extractStoreTemplate, readStoreTemplate } from './store-template.js';

export type StoreKind = 'pglite' | 'postgres';

/**
 * The store port: what every stage is handed. Its query functions (src/store/index.ts) take it;
 * `db` is the query builder those functions use — SQL lives only inside src/store.
 */
export interface Store {
  readonly db: Kysely<Database>;
  kind: StoreKind;
  /** Where it lives: the data directory, or the server URL with any password removed. */
  location: string;
  schemaVersion: number;
  /** Runs `fn` in one transaction: what it writes lands together or not at all. Nested calls join it. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A Store over a query builder: `transaction` opens one (or joins the one `db` already is). */
function storeOver(db: Kysely<Database>, base: Omit<Store, 'db' | 'transaction'>): Store {
  const store: Store = {
    ...base,
    db,
    transaction: (fn) =>
      db.isTransaction ? fn(store) : db.transaction().execute((tx) => fn(storeOver(tx, store))),
  };
  return store;
}

export interface StoreOptions {
  /** PostgreSQL server URL; when set it wins over dataDir. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` keeps everything in memory (tests). */
  dataDir?: string | undefined;
  /**
   * Every transaction read-only (PostgreSQL's default_transaction_read_only): nothing can be
   * written, and migrations are not applied — a store behind the code's schema is refused. For
   * processes that only serve views, and for the test that proves views never write.
   */
  readOnly?: boolean | undefined;
  /** Told how far creating a new PGlite store got (a face shows it; opening an existing one is quiet). */
  onProgress?: ProgressSink | undefined;
  /**
   * What a new PGlite store starts from: a dump of a migrated empty store (PGlite's dumpDataDir,
   * uncompressed), `false` for a cluster made from scratch; by default the build's template when it
   * matches this code (store-template.ts).
   */
  template?: Blob | Uint8Array | false | undefined;
}

/** `$RUNSIGHT_DATA_DIR`, else `$XDG_DATA_HOME/runsight`, else `~/.local/share/runsight`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNSIGHT_DATA_DIR) return env.RUNSIGHT_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'runsight');
}

const INT8 = 20;
const NUMERIC = 1700;

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const store = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts.readOnly)
    : await openPglite(opts.dataDir ?? defaultDataDir(), opts);
  try {
    // A store that has every migration needs one read, not the migration transaction (its lock
    // and DDL); a missing table (a new store) or a missing migration takes the full path.
    const applied = await store.db
      .selectFrom('schema_migrations')
      .select('version')
      .execute()
      .then((rows) => rows.map((r) => r.version))
      .catch((): number[] => []);
    if (MIGRATIONS.every((m) => applied.includes(m.version))) {
      store.schemaVersion = Math.max(...applied);
    } else if (opts.readOnly) {
      store.schemaVersion = await schemaVersion(store.db);
      if (store.schemaVersion !== LATEST_SCHEMA_VERSION)
        throw new Error(
          `schema version ${store.schemaVersion}, this Runsight needs ${LATEST_SCHEMA_VERSION}: open it once read-write to migrate`,
        );
    } else {
      store.schemaVersion = await migrate(store.db);
    }
  } catch (err) {
    await store.close().catch(() => {});
    throw new StoreError(`could not open the ${store.kind} store at ${store.location}: ${errorText(err)}`, {
      cause: err,
    });
  }
  return store;
}

/** How long a pooled PostgreSQL connection may sit idle before it is closed. */
export const POOL_IDLE_MS = 5 * 60_000;

async function openPostgres(url: string, readOnly = false): Promise<Store> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    Client: copyingClient(pg.Client),
    connectionString: url,
    ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    max: 8,
    // A connection idle this long is closed (pg's default is 10 s). A new backend pays its catalog
    // caches and first plans again: at 1M containers the cluster report took ~400 ms on new
    // connections against ~150 ms on used ones, so with the default a dashboard user who read a
    // page for more than ten seconds paid that on the next click. Idle connections do not keep the
    // process alive (a CLI command exits as before).
    idleTimeoutMillis: POOL_IDLE_MS,
    allowExitOnIdle: true,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8 || oid === NUMERIC
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: withStatementSizeCheck(new PostgresDialect({ pool })) });
  return storeOver(db, {
    kind: 'postgres',
    location: redactUrl(url),
    schemaVersion: 0,
    close: () => db.destroy(),
  });
}

/** PGlite's buffer pool (PostgreSQL's default is 128MB): what the store's RSS can grow to for pages. */
export const PGLITE_SHARED_BUFFERS = '32MB';

async function openPglite(dataDir: string, opts: StoreOptions): Promise<Store> {
  const inMemory = dataDir.startsWith('memory://');
  let unlock = () => {};
  // Whether the last session closed a private store (0700, no lock left behind by a dead process):
  // its files are 0600 then, and opening it rewrites only the relcache init files.
  let closedPrivate = false;
  if (!inMemory) {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    restrictDataDir(dir);
    mkdirSync(join(dir, 'pg'), { mode: PRIVATE_DIR, recursive: true });
    const lock = lockDataDir(dir);
    unlock = lock.unlock;
    closedPrivate = !lock.tookOver && (lstatSync(join(dir, 'pg')).mode & 0o777) === PRIVATE_DIR;
    dataDir = dir;
  }
  let client: PGlite;
  try {
    const fresh = inMemory || !existsSync(join(dataDir, 'pg', 'PG_VERSION'));
    const task = `create the store in ${inMemory ? 'memory' : dataDir}`;
    if (fresh) opts.onProgress?.({ task, done: 0, total: 1, unit: 'steps' });
    const [{ PGlite }, template] = await Promise.all([
      import('@electric-sql/pglite'),
      // A read-only open of a new directory stays as it was: an empty cluster, refused for its schema.
      fresh && !opts.readOnly ? templateFor(opts.template) : undefined,
    ]);
    // On disk the template is written natively first and PGlite opens it as an existing cluster;
    // in memory PGlite loads it itself.
    if (template && !inMemory) extractStoreTemplate(template, join(dataDir, 'pg'));
    client = await PGlite.create(inMemory ? undefined : join(dataDir, 'pg'), {
      parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
      ...(template && inMemory ? { loadDataDir: new Blob([template]) } : {}),
      // PGlite's WebAssembly memory never shrinks and its buffer pool is filled by the pages a
      // session touches: at the default 128 MB a 110k-finding import kept ~145 MiB more RSS (issue 15,
      // docs/benchmarks.md "Report import memory bounded"). Pages not in the pool come from the OS's
      // file cache; PGlite serves one process, so its pool only has to hold one session's working set.
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    });
    if (fresh) opts.onProgress?.({ task, done: 1, total: 1, unit: 'steps' });
    if (!inMemory) {
      if (closedPrivate && !fresh) restrictRelcacheInitFiles(join(dataDir, 'pg'));
      else restrictTree(join(dataDir, 'pg'));
    }
  } catch (err) {
    unlock();
    throw new StoreError(`could not open PGlite in ${dataDir}: ${errorText(err)}`, { cause: err });
  }
  if (opts.readOnly) await client.exec('set default_transaction_read_only = on');
  const db = new Kysely<Database>({ dialect: withStatementSizeCheck(new PGliteDialect(client)) });
  return storeOver(db, {
    kind: 'pglite',
    location: dataDir,
    schemaVersion: 0,
    close: async () => {
      await db.destroy();
      // Files PGlite created during the session (WAL segments, new relations) are 0666 too.
      if (!inMemory) restrictTree(join(dataDir, 'pg'));
      unlock();
    },
  });
}

/** The template a new store starts from (an uncompressed tar), or undefined for a cluster made from scratch. */
async function templateFor(given: StoreOptions['template']): Promise<Uint8Array | undefined> {
  if (given === false) return undefined;
  if (given) return given instanceof Blob ? new Uint8Array(await given.arrayBuffer()) : given;
  return readStoreTemplate();
}

/**
 * The store is readable by its owner only: directories 0700, files 0600. PGlite's Emscripten file
 * system chmods the files it writes to 0666 whatever the umask, so the modes are set after PGlite
 * opens the directory and again when it closes; the 0700 directories keep others out in between.
 */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Every directory under `root` (and root) 0700, every file 0600; symbolic links are left alone. */
function restrictTree(root: string): void {
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    const mode = st.isDirectory() ? PRIVATE_DIR : PRIVATE_FILE;
    if ((st.mode & 0o777) !== mode) chmodSync(path, mode);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
}

/**
 * The files PGlite rewrites each time it opens a cluster (the relcache init files, global/ and one
 * per database under base/), 0600: on a store its last session closed, the only loose files after
 * the open, found without walking the cluster's thousand-odd files.
 */
function restrictRelcacheInitFiles(pgDir: string): void {
  const dirs = [
    join(pgDir, 'global'),
    ...readdirSync(join(pgDir, 'base')).map((db) => join(pgDir, 'base', db)),
  ];
  for (const dir of dirs) {
    const file = join(dir, 'pg_internal.init');
    if (existsSync(file) && (lstatSync(file).mode & 0o777) !== PRIVATE_FILE) chmodSync(file, PRIVATE_FILE);
  }
}

/**
 * The data directory itself is made 0700 when it holds only what Runsight puts there (the PGlite
 * directory and the lock file): a directory created by an older Runsight with a loose mode is
 * tightened. A directory that holds other files too (the user pointed --data-dir at a shared
 * place) keeps its mode; the store inside it (pg/) is 0700 either way.
 */
function restrictDataDir(dir: string): void {
  if ((lstatSync(dir).mode & 0o777) === PRIVATE_DIR) return;
  if (readdirSync(dir).every((name) => RUNSIGHT_ENTRIES.has(name))) chmodSync(dir, PRIVATE_DIR);
}

const RUNSIGHT_ENTRIES = new Set(['pg', 'runsight.lock']);

/**
 * PGlite is one process's database: two processes on one directory corrupt it. A lock file with
 * the owner's pid refuses the second; a lock left by a dead process is taken over.
 */
function lockDataDir(dir: string): { unlock: () => void; tookOver: boolean } {
  const file = join(dir, 'runsight.lock');
  let tookOver = false;
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE });
  } catch {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new StoreError(
        `the data directory ${dir} is in use by process ${pid}. PGlite serves one process at a time: stop that process, or use a PostgreSQL server (--database-url) to share a store.`,
      );
    }
    writeFileSync(file, String(process.pid), { mode: PRIVATE_FILE });
    tookOver = true;
  }
  return { unlock: () => rmSync(file, { force: true }), tookOver };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database url>';
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
