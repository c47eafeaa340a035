// One CMDB import in a process of its own, for bench/inventory.ts: its wall time and peak RSS are
// the import's alone. `import <store> <file>` imports the file as source "bench"; `floor <store>`
// only opens the store and reads it (the store's own memory floor). <store> is a PostgreSQL URL or a
// PGlite data directory. Prints one JSON object.
import { importCmdbFile } from '../src/inventory/import-cmdb.js';
import { metadataKeys } from '../src/inventory/metadata-keys.js';
import { openStore } from '../src/store/index.js';

const [mode, target, file] = process.argv.slice(2) as [string, string, string | undefined];
const store = await openStore(target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target });
let ms = 0;
let result: unknown;
if (mode === 'import') {
  const t0 = performance.now();
  const r = await importCmdbFile(store, { path: file! }, { sourceName: 'bench', keys: metadataKeys() });
  ms = performance.now() - t0;
  result = { seen: r.seen, added: r.counts.added, changed: r.counts.changed, idsOmitted: r.idsOmitted };
} else {
  await store.db
    .selectFrom('containers')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
}
await store.close();
const usage = process.resourceUsage();
// cpuMs: the process's own CPU (user + system): the import's JS work, apart from the database's.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.stdout.write(JSON.stringify({ ms, cpuMs, maxRssMiB: usage.maxRSS / 1024, result }));
