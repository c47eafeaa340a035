// A new PGlite store starts from a template: a migrated, empty store that the build dumps once
// (PGlite's dumpDataDir) to dist/store/store-template.tgz. Creating a cluster (initdb) and running
// every migration takes several seconds and most of a gigabyte of memory; loading the template
// (PGlite's loadDataDir) costs little more than opening an existing store. The template is used only
// when its key matches the running code: the PGlite version and every migration (version, name and
// the text of its `up`). Otherwise — running from source, a rebuilt migration list, another PGlite —
// the store is created from scratch as before. Migrations run on open either way.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
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
 * The template as PGlite's `loadDataDir` takes it (an uncompressed tar: gunzipped here, natively,
 * rather than in PGlite's JavaScript), or undefined when there is none (running from source) or it
 * does not match.
 */
export function readStoreTemplate(): Blob | undefined {
  try {
    const found = JSON.parse(readFileSync(TEMPLATE_KEY, 'utf8')) as TemplateKey;
    if (found.key !== templateKey().key) return undefined;
    return new Blob([gunzipSync(readFileSync(TEMPLATE))]);
  } catch {
    return undefined;
  }
}

/** Dumps `client` (a freshly migrated, empty store) as the template, with its key. */
export async function writeStoreTemplate(client: PGlite): Promise<void> {
  const tar = await client.dumpDataDir('gzip');
  writeFileSync(TEMPLATE, Buffer.from(await tar.arrayBuffer()));
  writeFileSync(TEMPLATE_KEY, `${JSON.stringify(templateKey(), null, 1)}\n`);
}
