// A new PGlite store made from a template (a dump of a migrated empty store) is a complete store:
// at the code's schema version, usable, private, and said to be created while it is; a template
// behind the code is migrated on open like any store.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Progress } from '../core/progress.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from './migrate.js';
import { openStore } from './open-store.js';
import { PGliteDialect } from './pglite-dialect.js';
import { getStoreStatus } from './queries/status/get-store-status.js';
import type { Database } from './schema.js';
import { dumpStoreTemplate, extractStoreTemplate, readStoreTemplate, templateKey } from './store-template.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-template-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// One cluster made from scratch: dumped bare (no schema) and again once migrated, as the build
// dumps its template.
const client = await PGlite.create();
const bare = await client.dumpDataDir('none');
const kdb = new Kysely<Database>({ dialect: new PGliteDialect(client) });
await migrate(kdb);
const migrated = await dumpStoreTemplate(client, 'none');
await kdb.destroy();

describe('store template', () => {
  it('a new data directory starts from the template, reports its creation, and is a full store', async () => {
    const dir = join(tmp, 'from-template');
    const seen: Progress[] = [];
    const store = await openStore({ dataDir: dir, template: migrated, onProgress: (p) => seen.push(p) });
    try {
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      expect(seen.map((p) => `${p.done}/${p.total}`)).toEqual(['0/1', '1/1']);
      expect(seen[0]!.task).toContain(dir);
      // Every table the status counts is there, empty, and the store takes writes.
      expect(Object.values((await getStoreStatus(store)).counts).every((n) => n === 0)).toBe(true);
      // Only the database PGlite opens: initdb's template0 and template1 are not written.
      const dbs = await sql<{ datname: string }>`select datname from pg_database`.execute(store.db);
      expect(dbs.rows).toEqual([{ datname: 'postgres' }]);
      expect(existsSync(join(dir, 'pg', 'base', '1'))).toBe(false);
      // No free-space or visibility map forks are written; PostgreSQL makes them when it needs them.
      const forks = readdirSync(join(dir, 'pg'), { recursive: true }).filter((p) =>
        /_(fsm|vm)$/.test(String(p)),
      );
      expect(forks).toEqual([]);
      // One WAL segment, the checkpoint's, written as a hole past its first pages; the migrations'
      // WAL and the spare segment PostgreSQL recycled it into are not in the template.
      const segments = readdirSync(join(dir, 'pg', 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f));
      expect(segments).toHaveLength(1);
      const segment = statSync(join(dir, 'pg', 'pg_wal', segments[0]!));
      expect(segment.size).toBe(16 * 1024 * 1024);
      expect(segment.blocks * 512).toBeLessThan(1024 * 1024);
      await sql`create table written_here (x int)`.execute(store.db);
      await sql`insert into written_here select generate_series(1, 2000)`.execute(store.db);
      await sql`delete from written_here where x > 1`.execute(store.db);
      await sql`vacuum written_here, pg_class`.execute(store.db);
      const made = await sql<{ rel: string }>`
        select c.relname as rel from pg_class c
        where c.relname in ('written_here', 'pg_class')
          and pg_relation_size(c.oid, 'fsm') > 0 and pg_relation_size(c.oid, 'vm') > 0`.execute(store.db);
      expect(made.rows.map((r) => r.rel).sort()).toEqual(['pg_class', 'written_here']);
    } finally {
      await store.close();
    }
    const loose = readdirSync(join(dir, 'pg'), { recursive: true })
      .map((p) => join(dir, 'pg', String(p)))
      .filter((p) => (statSync(p).mode & 0o777) !== (statSync(p).isDirectory() ? 0o700 : 0o600));
    expect(loose).toEqual([]);
    // Reopening is quiet: nothing is created.
    const again: Progress[] = [];
    const reopened = await openStore({ dataDir: dir, onProgress: (p) => again.push(p) });
    expect(reopened.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const kept = await sql<{ x: number }>`select x from written_here`.execute(reopened.db);
    await reopened.close();
    expect(kept.rows).toEqual([{ x: 1 }]);
    expect(again).toEqual([]);
  });

  it('a template behind the code is migrated on open', async () => {
    const store = await openStore({ dataDir: join(tmp, 'bare'), template: bare });
    try {
      expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
      const applied = await store.db.selectFrom('schema_migrations').select('version').execute();
      expect(applied.map((r) => r.version).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await store.close();
    }
  });

  it('refuses a template entry outside the data directory, and one without PG_VERSION', () => {
    /** A ustar archive of regular files (header: name, octal size, type '0'; end blocks). */
    const tar = (files: Record<string, string>) =>
      Buffer.concat([
        ...Object.entries(files).flatMap(([name, text]) => {
          const header = Buffer.alloc(512);
          header.write(name, 0);
          header.write(`${Buffer.byteLength(text).toString(8).padStart(11, '0')}\0`, 124);
          header.write('0', 156);
          const body = Buffer.alloc(Math.ceil(Buffer.byteLength(text) / 512) * 512);
          body.write(text);
          return [header, body];
        }),
        Buffer.alloc(1024),
      ]);
    const dir = join(tmp, 'hostile', 'pg');
    expect(() => extractStoreTemplate(tar({ '/PG_VERSION': '17', '/../escaped': 'x' }), dir)).toThrow(
      /outside the data directory/,
    );
    expect(existsSync(join(tmp, 'hostile', 'escaped'))).toBe(false);
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false); // written last, so never here
    expect(() => extractStoreTemplate(tar({ '/x': 'x' }), join(tmp, 'partial', 'pg'))).toThrow(
      /no PG_VERSION/,
    );
  });

  it('is keyed by PGlite version and migrations; from source there is none', () => {
    const key = templateKey();
    expect(key.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(key.pglite).toMatch(/^\d+\.\d+\.\d+/);
    expect(key.key).toMatch(/^[0-9a-f]{64}$/);
    expect(readStoreTemplate()).toBeUndefined();
  });
});
