// Importers: parse throughput against plain JSON.parse of the same files, and end-to-end import
// (read, validate, resolve, land) against saveScan of the already-parsed findings, both on PGlite
// in memory and measured in the same run.
// Big reports (issue 15, ADR 0021): a generated Trivy report per size in RUNSIGHT_BENCH_IMPORT_SIZES
// (MiB, default 50,200; quick 20) imported by a child process on a fresh copy of one PGlite store —
// peak RSS above the floor (a child that only opens and reads the store) and wall time, the
// streamed reader against the whole-file path (read, JSON.parse, import) in the same run.
// RUNSIGHT_BENCH_IMPORT_ONLY=big runs only these rows.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importReports } from '../src/importers/import-reports.js';
import { parseReport } from '../src/importers/parse-report.js';
import { writeBigTrivyReport } from '../src/importers/test-support/big-report.js';
import { openStore, saveScan } from '../src/store/index.js';
import { type Bench, type BenchRow, timeIt } from './harness.js';

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
    const big = await bigReports(quick, log);
    if (process.env.RUNSIGHT_BENCH_IMPORT_ONLY === 'big') return big;
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
      ...big,
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

const SMALL = `${DIR}trivy-defectdojo/scheme_2_many_vulns.json`;
const CHILD = new URL('../src/importers/test-support/import-child.ts', import.meta.url).pathname;

interface ChildRun {
  ms: number;
  maxRssMiB: number;
  wallMs: number;
  result?: { imported: number[]; errors: string[] };
}

/** Runs src/importers/test-support/import-child.ts; returns its JSON and wall time. */
function child(args: string[]): ChildRun {
  const t0 = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { ...JSON.parse(out), wallMs: performance.now() - t0 };
}

async function bigReports(quick: boolean, log: (m: string) => void): Promise<BenchRow[]> {
  const sizes = (process.env.RUNSIGHT_BENCH_IMPORT_SIZES ?? (quick ? '20' : '50,200')).split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'runsight-bench-import-'));
  const rows: BenchRow[] = [];
  try {
    const base = join(dir, 'store');
    child(['floor', base]); // creates and migrates the store: not part of any figure
    let n = 0;
    const fresh = () => {
      const d = join(dir, `store-${n++}`);
      cpSync(base, d, { recursive: true });
      return d;
    };
    for (const size of sizes) {
      const file = join(dir, `trivy-${size}.json`);
      const report = await writeBigTrivyReport(file, size * 2 ** 20);
      const mib = report.bytes / 2 ** 20;
      log(
        `${file}: ${mib.toFixed(0)} MiB, ${report.vulnerabilities} vulnerabilities, ${report.packages} packages`,
      );
      const floor = child(['floor', fresh()]);
      const streamed = child(['import', fresh(), file]);
      const whole = child(['whole', fresh(), file]);
      const floor2 = child(['floor', fresh()]);
      for (const [name, r] of [
        ['streamed', streamed],
        ['whole', whole],
      ] as const)
        if (r.result?.imported[0] !== report.vulnerabilities)
          throw new Error(
            `${name} import landed ${JSON.stringify(r.result)}; expected ${report.vulnerabilities}`,
          );
      // Everything before the store (read, parse, clean, digest), floor: the same on a tiny report.
      const parseFloor = child(['parse', SMALL]);
      const parsed = child(['parse', file]);
      const parsedWhole = child(['parse-whole', file]);
      const base = Math.max(floor.maxRssMiB, floor2.maxRssMiB);
      log(
        `${size} MiB: floor ${floor.maxRssMiB.toFixed(0)}/${floor2.maxRssMiB.toFixed(0)} MiB; streamed ${streamed.maxRssMiB.toFixed(0)} MiB ${streamed.wallMs.toFixed(0)} ms; whole ${whole.maxRssMiB.toFixed(0)} MiB ${whole.wallMs.toFixed(0)} ms`,
      );
      const what = `import a ${mib.toFixed(0)} MiB Trivy report (${report.vulnerabilities} findings), PGlite`;
      rows.push(
        {
          name: `${what}: peak RSS above the floor`,
          value: Math.round(streamed.maxRssMiB - base),
          unit: 'MiB',
          baseline: { name: 'whole-file read + JSON.parse', value: Math.round(whole.maxRssMiB - base) },
          ratio: (streamed.maxRssMiB - base) / (whole.maxRssMiB - base),
          goal: 'bounded (not growing with the report)',
          notes: `peak ${Math.round(streamed.maxRssMiB)} MiB (whole-file ${Math.round(whole.maxRssMiB)}); floor (open + read the store) ${Math.round(floor.maxRssMiB)}/${Math.round(floor2.maxRssMiB)} MiB`,
        },
        {
          name: `read + parse the ${mib.toFixed(0)} MiB report, no store: peak RSS above the floor`,
          value: Math.round(parsed.maxRssMiB - parseFloor.maxRssMiB),
          unit: 'MiB',
          baseline: {
            name: 'whole-file read + JSON.parse',
            value: Math.round(parsedWhole.maxRssMiB - parseFloor.maxRssMiB),
          },
          ratio: (parsed.maxRssMiB - parseFloor.maxRssMiB) / (parsedWhole.maxRssMiB - parseFloor.maxRssMiB),
          notes: `peak ${Math.round(parsed.maxRssMiB)} MiB (whole-file ${Math.round(parsedWhole.maxRssMiB)}); floor (the same child on a 16 KB report) ${Math.round(parseFloor.maxRssMiB)} MiB; ${Math.round(parsed.ms)} ms (whole-file ${Math.round(parsedWhole.ms)})`,
        },
        {
          name: `${what}: wall time (child process)`,
          value: Math.round(streamed.wallMs),
          unit: 'ms',
          baseline: { name: 'whole-file read + JSON.parse', value: Math.round(whole.wallMs) },
          ratio: streamed.wallMs / whole.wallMs,
          notes: `${Math.round(streamed.ms)} ms in importReports (whole-file ${Math.round(whole.ms)}); floor child ${Math.round(floor.wallMs)} ms`,
        },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
