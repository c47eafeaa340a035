// One report import in a process of its own (for import-memory.test.ts and bench/importers.ts), so
// its peak RSS is the import's alone. Modes, each on a PGlite data directory (or a PostgreSQL URL):
//   floor <dir>          opens the store and reads it, nothing else (the process's floor)
//   import <dir> <file>  `runsight import auto <file>` as the CLI runs it (streamed; a Trivy
//                        SchemaVersion 2, Grype or CycloneDX file staged and saved in batches, ADR 0029)
//   whole <dir> <file>   the path before ADR 0021: the file read whole, JSON.parse, then imported
//   parse <file> / parse-whole <file>   everything importReports does before the store (read,
//                        parse, clean, report digest), streamed / whole-file; no store opened
// Prints one JSON object: wall time inside the mode, peak RSS (MiB), what landed, any errors.
import { readFile } from 'node:fs/promises';
import { openStore } from '../../store/index.js';
import { importReports } from '../import-reports.js';
import { parseReport } from '../parse-report.js';
import { parseReportText, readReportFile } from '../read-report.js';
import { reportDigest } from '../report-digest.js';

const [mode, dir, file] = process.argv.slice(2) as [string, string, string | undefined];
let ms = 0;
let result: unknown;
if (mode === 'parse' || mode === 'parse-whole') {
  const t0 = performance.now();
  const doc =
    mode === 'parse' ? await readReportFile(dir) : parseReportText(await readFile(dir, 'utf8'), dir);
  const reports = parseReport(doc, 'auto', dir);
  result = {
    imported: reports.map((r) => r.findings.length),
    digests: reports.map(reportDigest),
    errors: [],
  };
  ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, result }));
  process.exit(0);
}
// A postgres:// URL in place of the directory opens that database instead (the bench's PostgreSQL rows).
const store = await openStore(dir.startsWith('postgres') ? { databaseUrl: dir } : { dataDir: dir });
await store.db
  .selectFrom('scans')
  .select((eb) => eb.fn.countAll().as('n'))
  .executeTakeFirst();
if (mode === 'import' || mode === 'whole') {
  const t0 = performance.now();
  const r =
    mode === 'import'
      ? await importReports(store, { format: 'auto', files: [file!] })
      : await importReports(store, {
          format: 'auto',
          files: [],
          documents: [{ origin: file!, data: parseReportText(await readFile(file!, 'utf8'), file!) }],
        });
  ms = performance.now() - t0;
  result = {
    imported: r.images.map((i) => i.imported),
    digests: r.images.map((i) => i.digest),
    errors: r.errors.map((e) => e.message),
  };
}
await store.close();
process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, result }));
