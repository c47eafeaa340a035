// A streamed COPY on a real PostgreSQL: rows sent as the stream yields them, never far ahead of the
// server (bounded memory whatever the stream's length), and a stream that fails aborts the COPY with
// its own error, leaving the connection usable.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_IN_FLIGHT, copyFromStdin } from './copy-in.js';
import { createTestStore, postgresAvailable, type TestStore } from './test-support/stores.js';

const pgUp = await postgresAvailable();

describe.runIf(pgUp)('a COPY fed by a stream (PostgreSQL)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('postgres');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /** `n` chunks of `lines` lines each (`<chunk>\t<padding>`), after `each` is told how far it got. */
  async function* chunks(n: number, lines: number, each?: (i: number, bytes: number) => Promise<void>) {
    const pad = 'x'.repeat(1000);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      await each?.(i, bytes);
      const chunk = Buffer.from(`${i}\t${pad}\n`.repeat(lines), 'utf8');
      bytes += chunk.length;
      yield chunk;
    }
  }

  it('loads every chunk, read as the server takes them, never more than a few MB ahead', async () => {
    // A check that costs the server time per row: it takes rows slower than the stream makes them.
    await sql`create table streamed (n int, pad text check (pad ~ '^(x|y)+$' and md5(pad) <> ''))`.execute(
      store.db,
    );
    const ahead: number[] = [];
    // The copying session's pid, read through the pool's other connections while the COPY runs.
    const pid = await store.db.connection().execute(async (db) => {
      const p = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
      const res = db.executeQuery(
        copyFromStdin(
          'streamed',
          ['n', 'pad'],
          chunks(80, 1000, async (i, sent) => {
            if (i % 8) return;
            const r = await sql<{ done: string | null }>`select bytes_processed::text as done
              from pg_stat_progress_copy where pid = ${p}`.execute(store.db);
            ahead.push(sent - Number(r.rows[0]?.done ?? 0));
          }),
        ),
      );
      await res;
      return p;
    });
    expect(pid).toBeGreaterThan(0);
    const counted = await sql<{ n: number; chunks: number }>`select count(*)::int as n,
      count(distinct n)::int as chunks from streamed`.execute(store.db);
    expect(counted.rows[0]).toEqual({ n: 80_000, chunks: 80 });
    // ~80 MB in all: without waiting on the socket the stream runs ahead by all it made (56 MB by the
    // 73rd chunk when measured); with it, 4–11 MB.
    expect(ahead.length).toBe(10);
    expect(Math.max(...ahead)).toBeLessThan(COPY_IN_FLIGHT + (16 << 20));
  });

  it('a stream that throws aborts the COPY with its own error; nothing lands, the connection goes on', async () => {
    await sql`create table aborted (n int, pad text)`.execute(store.db);
    const broken = new Error('line 1234: not UTF-8');
    await expect(
      store.db.connection().execute(async (db) => {
        await db.executeQuery(
          copyFromStdin(
            'aborted',
            ['n', 'pad'],
            chunks(5, 100, async (i) => {
              if (i === 3) throw broken;
            }),
          ),
        );
      }),
    ).rejects.toBe(broken);
    const n = await sql<{ n: number }>`select count(*)::int as n from aborted`.execute(store.db);
    expect(n.rows[0]!.n).toBe(0);
    // Every pooled session still answers (none is left in COPY mode).
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => sql<{ one: number }>`select 1 as one`.execute(store.db)),
    );
    expect(answers.map((a) => a.rows[0]!.one)).toEqual(Array(8).fill(1));
  });

  it('a row the server refuses stops the stream: the COPY fails with the server error', async () => {
    await sql`create table refused (n int primary key, pad text)`.execute(store.db);
    let asked = 0;
    const err = await store.db
      .connection()
      .execute(async (db) => {
        await db.executeQuery(
          copyFromStdin(
            'refused',
            ['n', 'pad'],
            // Chunk 2 repeats chunk 1's keys (1000 rows each: the server checks them as it
            // flushes its buffer of rows): a unique violation while later chunks are still to come.
            (async function* () {
              for (let i = 0; i < 200; i++) {
                asked++;
                const k = (i === 2 ? 1 : i) * 1000;
                yield Buffer.from(Array.from({ length: 1000 }, (_, j) => `${k + j}\tp\n`).join(''));
                await new Promise((r) => setTimeout(r, 5));
              }
            })(),
          ),
        );
      })
      .catch((e: { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('23505');
    expect(asked).toBeLessThan(50);
    const n = await sql<{ n: number }>`select count(*)::int as n from refused`.execute(store.db);
    expect(n.rows[0]!.n).toBe(0);
  });
});
