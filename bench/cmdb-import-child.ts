// One CMDB import in a process of its own, for bench/inventory.ts: its wall time and peak RSS are
// the import's alone. `import <store> <file>` imports the file as source "bench"; `floor <store>`
// only opens the store and reads it (the store's own memory floor). <store> is a PostgreSQL URL or a
// PGlite data directory. Prints one JSON object.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
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
const serverCpuMs = target.startsWith('postgres') ? await backendCpuMs() : undefined;
await store.close();
const usage = process.resourceUsage();
// cpuMs: the process's own CPU (user + system): the import's JS work, apart from the database's.
const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
process.stdout.write(JSON.stringify({ ms, cpuMs, serverCpuMs, maxRssMiB: usage.maxRSS / 1024, result }));

/**
 * The CPU the database's backends have used so far (user + system, from /proc): the server's share
 * of the import, when the server runs on this machine (else undefined). Under load, wall times
 * stretch with the machine's other work; CPU times stretch much less.
 */
async function backendCpuMs(): Promise<number | undefined> {
  try {
    const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend'`.execute(store.db);
    let ticks = 0;
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}
