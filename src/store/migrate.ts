// Applies migrations/ in order, once each, recording the schema version. Idempotent and safe when
// several processes start at once (PostgreSQL advisory lock; PGlite is single-process by design).
import { type Kysely, sql } from 'kysely';
import * as m001 from './migrations/001-model.js';
import * as m006 from './migrations/006-propagation.js';
import * as m007 from './migrations/007-scope-posture.js';
import * as m008 from './migrations/008-package-evidence.js';
import * as m009 from './migrations/009-cve-scores.js';
import * as m010 from './migrations/010-finding-counts.js';
import * as m012 from './migrations/012-posture-summaries.js';
import * as m013 from './migrations/013-api-access.js';
import * as m015 from './migrations/015-source-seen-at.js';
import * as m016 from './migrations/016-feeds.js';
import * as m017 from './migrations/017-job-runs.js';
import * as m018 from './migrations/018-notifications.js';
import * as m019 from './migrations/019-agents.js';
import * as m020 from './migrations/020-report-runs.js';
import * as m021 from './migrations/021-dashboard-sessions.js';
import * as m022 from './migrations/022-exposure-index.js';
import * as m025 from './migrations/025-session-sid.js';
import * as m026 from './migrations/026-layer-blobs.js';
import * as m027 from './migrations/027-session-refresh.js';
import * as m028 from './migrations/028-posture-sort-key.js';
import * as m031 from './migrations/031-findings-aliases-index.js';
import * as m032 from './migrations/032-scan-age-index.js';
import * as m033 from './migrations/033-resolution-pending.js';
import * as m034 from './migrations/034-image-exposure.js';
import * as m035 from './migrations/035-vuln-reach.js';
import * as m036 from './migrations/036-findings-without-scan-fk.js';
import * as m037 from './migrations/037-vulnerability-number-index.js';
import * as m038 from './migrations/038-image-vulns-number.js';
import * as m039 from './migrations/039-image-vulns-by-scan.js';
import type { Database } from './schema.js';

export interface Migration {
  version: number;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the untyped database.
  up(db: Kysely<any>): Promise<void>;
}

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  m001,
  m006,
  m007,
  m008,
  m009,
  m010,
  m012,
  m013,
  m015,
  m016,
  m017,
  m018,
  m019,
  m020,
  m021,
  m022,
  m025,
  m026,
  m027,
  m028,
  m031,
  m032,
  m033,
  m034,
  m035,
  m036,
  m037,
  m038,
  m039,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

const LOCK_KEY = 0x52_53_49_47; // "RSIG"

export async function migrate(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
    await sql`create table if not exists schema_migrations (
      version int primary key, name text not null, applied_at timestamptz not null default now())`.execute(
      tx,
    );
    const applied = new Set(
      (await tx.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await m.up(tx);
      await tx.insertInto('schema_migrations').values({ version: m.version, name: m.name }).execute();
    }
    return schemaVersion(tx);
  });
}

export async function schemaVersion(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}
