// Migration 26: which compressed layer blobs are known to hold which layer (ADR 0020).
// - layer_blobs: a blob digest whose bytes were read to the end, digest-checked, and decompressed to
//   exactly the diffID recorded here. A later image naming the same (blob, diffID) pair has a known
//   layer: with its layer_cache rows present, the scanner does not download it again.
import { type Kysely, sql } from 'kysely';

export const version = 26;
export const name = 'layer-blobs';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
create table layer_blobs (
  digest      text primary key,                          -- the blob as stored (usually gzip/zstd)
  diff_id     text not null,                             -- the layer its bytes decompress to (checked)
  size        bigint not null,                           -- compressed bytes
  verified_at timestamptz not null default now()         -- when it was read and checked
);
`;
