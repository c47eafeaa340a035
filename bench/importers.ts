// Importers: parse throughput against plain JSON.parse of the same files, and end-to-end import
// (read, validate, resolve, land) against saveScan of the already-parsed findings, both on PGlite
// in memory and measured in the same run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { importReports } from '../src/importers/import-reports.js';
import { parseReport } from '../src/importers/parse-report.js';
import { openStore, saveScan } from '../src/store/index.js';
import { type Bench, timeIt } from './harness.js';

const DIR = new URL('../testdata/importers/', import.meta.url).pathname;
const DIGEST = `sha256:${'5'.repeat(64)}`;

function files(): string[] {
  return readdirSync(DIR)
    .filter((d) => statSync(DIR + d).isDirectory() && d !== 'openvex-defectdojo')
    .flatMap((d) => readdirSync(DIR + d).map((f) => `${DIR}${d}/${f}`))
    .filter((f) => !f.endsWith('issue_10991.json') && !f.endsWith('kubernetes.json'));
}

export const bench: Bench = {
  area: 'importers',
  async run({ quick, log }) {
    const list = files();
    const texts = list.map((f) => readFileSync(f, 'utf8'));
    const rounds = quick ? 3 : 20;
    const mb = texts.reduce((n, t) => n + t.length, 0) / 2 ** 20;
    let findings = 0;
    const base = await timeIt(async () => {
      for (let i = 0; i < rounds; i++) for (const t of texts) JSON.parse(t);
    });
    const parse = await timeIt(async () => {
      findings = 0;
      for (let i = 0; i < rounds; i++)
        list.forEach((f, k) => {
          for (const r of parseReport(JSON.parse(texts[k]!), 'auto', f)) findings += r.findings.length;
        });
    });
    log(`${list.length} reports, ${mb.toFixed(2)} MiB, ${findings / rounds} findings per round`);
    const mbps = (ms: number) => (mb * rounds) / (ms / 1000);

    const store = await openStore({ dataDir: 'memory://' });
    const reports = list.flatMap((f, k) => parseReport(JSON.parse(texts[k]!), 'auto', f));
    const n = quick ? 1 : 3;
    // Warm-up (JIT, PGlite buffers) so neither measurement pays it.
    for (const f of list) await importReports(store, { format: 'auto', files: [f], image: DIGEST });
    const direct = await timeIt(async () => {
      for (let i = 0; i < n; i++)
        for (const r of reports)
          await saveScan(store, {
            imageDigest: DIGEST,
            source: r.format,
            status: 'complete',
            errors: [],
            packages: r.packages,
            findings: r.findings,
          });
    });
    const full = await timeIt(async () => {
      for (let i = 0; i < n; i++)
        for (const f of list) await importReports(store, { format: 'auto', files: [f], image: DIGEST });
    });
    await store.close();
    const perRound = reports.reduce((x, r) => x + r.findings.length, 0);
    const fps = (ms: number) => (perRound * n) / (ms / 1000);
    return [
      {
        name: `parse + validate ${list.length} real reports`,
        value: mbps(parse.ms),
        unit: 'MiB/s',
        baseline: { name: 'JSON.parse only', value: mbps(base.ms) },
        ratio: base.ms / parse.ms,
        notes: `${findings / rounds} findings per round`,
      },
      {
        name: 'import end to end (PGlite memory)',
        value: fps(full.ms),
        unit: 'findings/s',
        baseline: { name: 'saveScan of parsed findings', value: fps(direct.ms) },
        ratio: direct.ms / full.ms,
      },
    ];
  },
};
