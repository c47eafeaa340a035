// A new PGlite store starts from a template: a migrated, empty store that the build dumps once
// (PGlite's dumpDataDir, after a checkpoint) to dist/store/store-template.tgz. Creating a cluster
// (initdb) and running every migration takes several seconds and most of a gigabyte of memory; a
// template is written into the new data directory here, natively (extractStoreTemplate), and PGlite
// then opens it as an existing store. The template is used only when its key matches the running
// code: the PGlite version and every migration (version, name and the text of its `up`). Otherwise —
// running from source, a rebuilt migration list, another PGlite — the store is created from scratch
// as before. Migrations run on open either way.
import { createHash } from 'node:crypto';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrate.js';

const TEMPLATE = new URL('./store-template.tgz', import.meta.url);
const TEMPLATE_KEY = new URL('./store-template.json', import.meta.url);

interface TemplateKey {
  key: string;
  pglite: string;
  schemaVersion: number;
}

/** What a template must have been made with to be used: this PGlite and these migrations. */
export function templateKey(): TemplateKey {
  const pglite = pgliteVersion();
  const hash = createHash('sha256').update(`pglite ${pglite}\n`);
  for (const m of MIGRATIONS) hash.update(`${m.version}\0${m.name}\0${m.up.toString()}\n`);
  return { key: hash.digest('hex'), pglite, schemaVersion: LATEST_SCHEMA_VERSION };
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = new URL('../package.json', pathToFileURL(entry));
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * The template as an uncompressed tar (what PGlite's dumpDataDir('none') makes and its
 * `loadDataDir` takes), gunzipped natively, or undefined when there is none (running from source)
 * or it does not match.
 */
export function readStoreTemplate(): Uint8Array | undefined {
  try {
    const found = JSON.parse(readFileSync(TEMPLATE_KEY, 'utf8')) as TemplateKey;
    if (found.key !== templateKey().key) return undefined;
    return gunzipSync(readFileSync(TEMPLATE));
  } catch {
    return undefined;
  }
}

/**
 * Writes a template (an uncompressed tar of a data directory, as dumpDataDir makes it) into `dir`
 * with Node's own file calls: directories 0700, files 0600. PGlite's loadDataDir writes the same
 * files through its Emscripten file system, file by file in JavaScript, which cost more than the
 * open itself. PG_VERSION (what makes a directory an existing cluster) is written last, so an
 * extraction cut short is not taken for a store: the next open extracts again over it.
 */
export function extractStoreTemplate(tar: Uint8Array, dir: string): void {
  const root = normalize(dir);
  let last: { path: string; data: Uint8Array } | undefined;
  mkdirSync(root, { recursive: true, mode: DIR_MODE });
  for (const { name, type, data } of tarEntries(tar)) {
    const rel = name.replace(/^\/+/, ''); // relative to the data directory: "/base/1/1255"
    const path = normalize(join(root, rel));
    if (path !== root && !path.startsWith(root + sep))
      throw new Error(`store template entry ${JSON.stringify(name)} is outside the data directory`);
    if (type === '5') mkdirSync(path, { recursive: true, mode: DIR_MODE });
    else if (type === '0') {
      if (rel === 'PG_VERSION') last = { path, data };
      else writeTemplateFile(path, data);
    } else throw new Error(`store template entry ${JSON.stringify(name)} has unsupported type ${type}`);
  }
  if (!last) throw new Error('the store template has no PG_VERSION');
  writeFileSync(last.path, last.data, { mode: FILE_MODE });
}

/**
 * One file of the template. A large file that ends in zero pages (the WAL segment: 16 MiB, of which
 * only the checkpoint's first pages are written) has its content written and the rest left as a
 * hole (ftruncate): it reads back the same, and the disk is spared writing the zeros.
 */
function writeTemplateFile(path: string, data: Buffer): void {
  const end = data.length >= SPARSE_FROM && data.length % PAGE === 0 ? contentEnd(data) : data.length;
  if (end === data.length) {
    writeFileSync(path, data, { mode: FILE_MODE });
    return;
  }
  const fd = openSync(path, 'w', FILE_MODE);
  try {
    for (let at = 0; at < end; ) at += writeSync(fd, data, at, end - at);
    ftruncateSync(fd, data.length);
  } finally {
    closeSync(fd);
  }
}

/** Where `data`'s trailing run of all-zero pages starts. */
function contentEnd(data: Buffer): number {
  const zero = Buffer.alloc(PAGE);
  let end = data.length;
  while (end > 0 && data.subarray(end - PAGE, end).equals(zero)) end -= PAGE;
  return end;
}

const PAGE = 8192;
const SPARSE_FROM = 1 << 20;

interface TarEntry {
  name: string;
  /** '0' a file, '5' a directory. */
  type: string;
  data: Buffer;
  /** Where the entry's header starts and where its last data block ends. */
  start: number;
  end: number;
}

/** The entries of an uncompressed ustar archive (as dumpDataDir writes one), up to its end blocks. */
function* tarEntries(tar: Uint8Array): Generator<TarEntry> {
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const text = (at: number, len: number) => {
    const field = buf.subarray(at, at + len);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? len : end).toString('utf8');
  };
  for (let at = 0; at + 512 <= buf.length; ) {
    if (buf[at] === 0) return; // the end-of-archive blocks
    const prefix = text(at + 345, 155);
    const name = `${prefix ? `${prefix}/` : ''}${text(at, 100)}`;
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(buf[at + 156] || 0x30);
    const start = at;
    at += 512 + Math.ceil(size / 512) * 512;
    yield { name, type, data: buf.subarray(start + 512, start + 512 + size), start, end: at };
  }
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * `client` (a freshly migrated, empty store) as a template: an uncompressed tar, or gzipped.
 *
 * - Only the database PGlite opens (`postgres`) is kept. initdb also makes `template0` and
 *   `template1`, which only `CREATE DATABASE` reads and a store never runs; each is a copy of the
 *   catalog, so they were half of the files a new store's first open writes (1,253 → 626) and
 *   of the template's bytes (42 → 27 MB).
 * - A checkpoint last, in a WAL segment of its own: a store made from the template then starts from
 *   it instead of replaying every migration's WAL (crash recovery) on its first open. Only the
 *   segments from the checkpoint's redo point on are kept: the one before it holds the migrations'
 *   WAL (9 MB), and PostgreSQL recycles it as a spare future segment, full of that old WAL. The
 *   segment kept is nearly all zeros, which the extraction leaves as a hole.
 * - No free-space map or visibility map forks (`_fsm`, `_vm`): PostgreSQL treats a missing one as
 *   empty and makes it when it first records into it, and the template's relations are a catalog
 *   and empty tables. That is 86 fewer files for every new store's first open to create.
 * - No `postmaster.pid`: the dumping process's lock file (PostgreSQL writes its own on open).
 *
 * 564 entries: on a file system where creating a file is slow (ext4 without a journal, after many
 * deletions: ADR 0035), each file left out counts.
 */
export async function dumpStoreTemplate(client: PGlite, compression: 'none' | 'gzip'): Promise<Uint8Array> {
  const { rows } = await client.query<{ datname: string; current: boolean }>(
    'select datname, datname = current_database() as current from pg_database',
  );
  const opened = rows.find((r) => r.current)!.datname;
  if (opened !== 'postgres')
    throw new Error(`a template is made from PGlite's database postgres, not ${opened}`);
  await client.exec('update pg_database set datistemplate = false where datname <> current_database()');
  for (const { datname } of rows.filter((r) => !r.current))
    await client.exec(`drop database ${quoteIdent(datname)}`);
  await client.exec('select pg_switch_wal()');
  await client.exec('checkpoint');
  const wal = (
    await client.query<{ first: string; last: string }>(
      `select pg_walfile_name(redo_lsn) as first, pg_walfile_name(pg_current_wal_insert_lsn()) as last
       from pg_control_checkpoint()`,
    )
  ).rows[0]!;
  const tar = new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer());
  const needed = (name: string) => {
    const segment = WAL_SEGMENT.exec(name)?.[1];
    if (segment) return segment >= wal.first && segment <= wal.last;
    return !OPTIONAL_FORK.test(name) && name !== '/postmaster.pid'; // the dumping process's lock file
  };
  const kept = [...tarEntries(tar)].filter((e) => needed(e.name));
  if (!kept.some((e) => WAL_SEGMENT.test(e.name)))
    throw new Error(`the dump holds no WAL segment from ${wal.first} to ${wal.last}`);
  const out = Buffer.concat([...kept.map((e) => tar.subarray(e.start, e.end)), Buffer.alloc(1024)]);
  return compression === 'gzip' ? gzipSync(out) : out;
}

/** A WAL segment file (timeline, log and segment number in hex): its name. */
const WAL_SEGMENT = /\/pg_wal\/([0-9A-F]{24})$/;

/** A relation's free-space map or visibility map fork: base/<database>/ or global/<relfilenode>_fsm / _vm. */
const OPTIONAL_FORK = /\/(base\/\d+|global)\/\d+_(fsm|vm)$/;

/** Writes `client`'s template beside this module, with its key (the build step). */
export async function writeStoreTemplate(client: PGlite): Promise<void> {
  writeFileSync(TEMPLATE, await dumpStoreTemplate(client, 'gzip'));
  writeFileSync(TEMPLATE_KEY, `${JSON.stringify(templateKey(), null, 1)}\n`);
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
