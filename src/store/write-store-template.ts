// Build step (`npm run build`, after tsc): makes the template new PGlite stores start from
// (store-template.ts) — a cluster made from scratch, every migration applied, dumped beside this
// file as store-template.tgz with its key. Run as `node dist/store/write-store-template.js`.
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrate } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';
import { templateKey, writeStoreTemplate } from './store-template.js';

const client = await PGlite.create();
const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
const version = await migrate(db);
await writeStoreTemplate(client);
await db.destroy();
const { key } = templateKey();
process.stdout.write(`store-template.tgz: schema version ${version}, key ${key.slice(0, 12)}\n`);
