// CLI start-up: the built CLI (dist/cli/bin.js, what an install runs) in child processes, each
// against a baseline run alternately with it in the same run: `node -e 0` for commands that need no
// store, PGlite's own open + `select 1` of the same cluster for a command on an existing store, and
// that command on an existing store for the first command on a new data directory. Wall time is the
// median of the runs (spawn to exit); peak RSS comes from the child itself (a preloaded module
// writes process.resourceUsage().maxRSS at exit), so no external `time` is needed. A last row
// counts the modules each command loads (a preloaded loader hook lists them).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASM_TIERING_FLAG } from '../src/cli/wasm-tiering.js';
import { startRegistry } from '../src/identity/test-support/registry-server.js';
import { pushImage } from '../src/scan/test-support/umoci-image.js';
import { type Bench, type BenchRow, percentile } from './harness.js';

/** The tree measured: this one (built first), or BENCH_CLI_ROOT, an already built other tree (a "before"). */
const ROOT = process.env.BENCH_CLI_ROOT ?? new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli/bin.js');

/**
 * BENCH_CLI_ROWS=start,nostore,status,new,modules (comma-separated) runs only those groups of rows:
 * `--version`/`--help`, the commands that need no store (`image resolve --no-record`, `sbom
 * convert`), `db status` on an existing store, on a new data dir, the module counts.
 */
const ROWS = process.env.BENCH_CLI_ROWS?.split(',').map((r) => r.trim());
const wanted = (group: string) => !ROWS || ROWS.includes(group);

/**
 * Preloaded into every measured child: its peak RSS (KiB) and CPU time (user + system, µs) to the
 * file named by BENCH_RSS_FILE. CPU time moves far less than wall time when other work loads the
 * machine, so the notes give its ratio too.
 */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.resourceUsage();writeFileSync(process.env.BENCH_RSS_FILE,u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime))});",
)}`;

/** Preloaded to list the modules a command loads (one `file:` URL per line on fd 3's file). */
const TRACE_PRELOAD = `data:text/javascript,${encodeURIComponent(
  `import{register}from'node:module';register('data:text/javascript,'+encodeURIComponent(${JSON.stringify(
    "import{appendFileSync}from'node:fs';export async function load(u,c,n){if(u.startsWith('file:'))appendFileSync(process.env.BENCH_TRACE_FILE,u+'\\n');return n(u,c);}",
  )}));`,
)}`;

interface Sample {
  ms: number;
  rssMiB: number;
  cpuMs: number;
}

/** A command's start against `node -e 0`: the < 0.3 s goal. */
function startRow(name: string, s: Series, bare: Series, note = ''): BenchRow {
  return {
    name: `runsight ${name} (dist, wall, p50)`,
    value: s.ms,
    unit: 'ms',
    baseline: { name: 'node -e 0', value: bare.ms },
    ratio: s.ms / bare.ms,
    goal: '< 300 ms',
    notes: `${note}peak RSS ${s.rssMiB.toFixed(0)} MiB (node -e 0: ${bare.rssMiB.toFixed(0)} MiB); ${spread(s)}; ${cpu(s, bare)}`,
  };
}

const OCI_LAYOUT = join(ROOT, 'testdata/identity/regclient-testrepo');
const SBOM = join(ROOT, 'testdata/scan/pkgdb/sbom/trivy-centos-7-cyclonedx.json');

/**
 * The commands that need no store, against `node -e 0`: `image resolve --no-record` of a remote
 * reference (an image pushed to a docker-registry on loopback: start plus two registry round trips)
 * and `sbom convert`. Each runs with a data directory that must not appear.
 */
async function noStoreRows(tmp: string, n: number, log: (m: string) => void): Promise<BenchRow[]> {
  const reg = await startRegistry();
  if (!reg) throw new Error('the cli bench needs a docker-registry for image resolve --no-record');
  try {
    const ref = `${reg.host}/bench/app:v1`;
    await pushImage(OCI_LAYOUT, 'v1', ref);
    const never = join(tmp, 'never-opened');
    const cmd =
      (...args: string[]) =>
      () =>
        runChild(tmp, [BIN, '--data-dir', never, ...args]);
    log(`image resolve --no-record, sbom convert vs node -e 0 (${n} runs each, alternating)`);
    const [bare, resolve, convert] = alternate(n, [
      () => runChild(tmp, ['-e', '0']),
      cmd('--insecure-registry', reg.host, 'image', 'resolve', '--no-record', ref),
      cmd('sbom', 'convert', SBOM, '--to', 'spdx', '--output', join(tmp, 'converted.spdx.json')),
    ]);
    if (existsSync(never)) throw new Error(`a command that needs no store created ${never}`);
    const rows: [string, Series][] = [
      ['image resolve --no-record REF (loopback registry)', resolve!],
      ['sbom convert FILE --to spdx', convert!],
    ];
    return rows.map(([name, s]) => startRow(name, s, bare!, 'no store opened; '));
  } finally {
    await reg.stop();
  }
}

function runChild(tmp: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const rssFile = join(tmp, 'rss');
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', RSS_PRELOAD, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
  return { ms, rssMiB: rss! / 1024, cpuMs: cpu! / 1000 };
}

interface Series {
  samples: Sample[];
  ms: number;
  rssMiB: number;
  cpuMs: number;
}

/** Runs each command `n` times, alternating between them, and returns each one's medians. */
function alternate(n: number, commands: (() => Sample)[]): Series[] {
  const all = commands.map(() => [] as Sample[]);
  for (let i = 0; i < n; i++) for (const [k, c] of commands.entries()) all[k]!.push(c());
  return all.map((samples) => ({
    samples,
    ms: percentile(
      samples.map((s) => s.ms),
      50,
    ),
    rssMiB: percentile(
      samples.map((s) => s.rssMiB),
      50,
    ),
    cpuMs: percentile(
      samples.map((s) => s.cpuMs),
      50,
    ),
  }));
}

function spread(s: Series): string {
  const ms = s.samples.map((x) => x.ms);
  return `min ${Math.min(...ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`;
}

/** CPU time (user + system) p50 of `s` against its baseline's. */
function cpu(s: Series, base: Series): string {
  return `CPU p50 ${s.cpuMs.toFixed(0)} ms vs ${base.cpuMs.toFixed(0)} ms (${(s.cpuMs / base.cpuMs).toFixed(3)}×)`;
}

/**
 * `npm run build`, step by step: type errors from tsc (another change in progress in the tree) are
 * reported and what it emitted is measured; the manifest and template steps must succeed.
 */
function build(log: (msg: string) => void): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } };
  log(`building dist/: ${pkg.scripts.build}`);
  for (const [i, step] of pkg.scripts.build.split(' && ').entries()) {
    try {
      execFileSync('sh', ['-c', step], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
      });
    } catch (err) {
      const out = String((err as { stdout?: unknown }).stdout ?? err);
      if (i > 0) throw new Error(`${step} failed: ${out}`);
      log(
        `${step} reported errors; measuring what it emitted:\n${out.trim().split('\n').slice(0, 5).join('\n')}`,
      );
    }
  }
}

/**
 * The file system the new data directories are made on (Linux: /proc/self/mountinfo), named in the
 * first-run row because that row is mostly file creation. ext4 without a journal is called out: it
 * will not reuse an inode freed in the last 60 s (360 s while its inode table block is dirty), and
 * checks every such inode on each create (fs/ext4/ialloc.c, recently_deleted), so after many
 * deletions (a test suite, an earlier bench) each create can cost 0.3-0.7 ms instead of ~0.02 ms.
 */
function filesystem(dir: string): string {
  try {
    let best: { point: string; type: string; source: string } | undefined;
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      const point = left?.split(' ')[4]?.replace(/\\040/g, ' ');
      const [type, source] = right?.split(' ') ?? [];
      if (!point || !type || !source) continue;
      const inside = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
      if (inside && point.length >= (best?.point.length ?? 0)) best = { point, type, source };
    }
    if (!best) return 'file system unknown';
    const at = `${best.type} (${best.source} on ${best.point})`;
    if (best.type !== 'ext4') return `data dirs on ${at}`;
    const dev = best.source.replace(/^\/dev\//, '');
    const journaled =
      existsSync('/proc/fs/jbd2') && readdirSync('/proc/fs/jbd2').some((j) => j.startsWith(`${dev}-`));
    return journaled
      ? `data dirs on ${at}, journaled`
      : `data dirs on ${at} WITHOUT a journal: creates skip inodes freed in the last 60-360 s, so this row rises after mass deletions (docs/benchmarks.md)`;
  } catch {
    return 'file system unknown';
  }
}

const PGLITE_OPEN = (dir: string) =>
  `import{PGlite}from'@electric-sql/pglite';const pg=await PGlite.create(${JSON.stringify(dir)});await pg.query('select 1');await pg.close();`;

export const bench: Bench = {
  area: 'cli',
  async run({ quick, log }) {
    if (!process.env.BENCH_CLI_ROOT) build(log);
    // A tree given with BENCH_CLI_ROOT is measured as built; a tsc-only dist/ (what bench/scan.ts
    // leaves) is not what an install runs: its start would be measured unbundled, without the template.
    else if (!existsSync(join(ROOT, 'dist/cli/bundle/bin.js')))
      throw new Error(
        `${ROOT}/dist is not a full build (no dist/cli/bundle/bin.js): run npm run build there first`,
      );
    const tmp = mkdtempSync(join(tmpdir(), 'runsight-bench-cli-'));
    try {
      const rows: BenchRow[] = [];
      const n = quick ? 3 : 7;
      const runsight =
        (...args: string[]) =>
        () =>
          runChild(tmp, [BIN, ...args]);
      const nodeBare = () => runChild(tmp, ['-e', '0']);

      if (wanted('start')) {
        log(`--version, --help vs node -e 0 (${n} runs each, alternating)`);
        const [bare, version, help] = alternate(n, [nodeBare, runsight('--version'), runsight('--help')]);
        rows.push(startRow('--version', version!, bare!), startRow('--help', help!, bare!));
      }

      if (wanted('nostore')) rows.push(...(await noStoreRows(tmp, n, log)));

      const existing = join(tmp, 'existing');
      runChild(tmp, [BIN, '--data-dir', existing, 'db', 'status']); // creates it
      const m = quick ? 3 : 5;
      if (wanted('status')) {
        log(`db status on an existing store vs PGlite open + select 1 (${m} runs each, alternating)`);
        // The CLI runs with a larger WebAssembly tiering budget (src/cli/wasm-tiering.ts): the row's
        // baseline is PGlite as it runs by default (the goal's); its notes give PGlite with the CLI's
        // budget too, to show the part of the gain that is not the command's own.
        const pglite = (flags: string[]) => () =>
          runChild(tmp, [...flags, '--input-type=module', '-e', PGLITE_OPEN(join(existing, 'pg'))]);
        const [pgOpen, pgOpenBudget, status] = alternate(m, [
          pglite([]),
          pglite([WASM_TIERING_FLAG]),
          runsight('--data-dir', existing, 'db', 'status'),
        ]);
        rows.push({
          name: 'runsight db status, existing PGlite store (dist, wall, p50)',
          value: status!.ms,
          unit: 'ms',
          baseline: { name: 'PGlite open + select 1, same cluster', value: pgOpen!.ms },
          ratio: status!.ms / pgOpen!.ms,
          goal: '<= 1.2× baseline',
          notes: `peak RSS ${status!.rssMiB.toFixed(0)} MiB (PGlite: ${pgOpen!.rssMiB.toFixed(0)} MiB); ${spread(status!)}; ${cpu(status!, pgOpen!)}; PGlite with the CLI's ${WASM_TIERING_FLAG}: ${pgOpenBudget!.ms.toFixed(0)} ms (db status ${(status!.ms / pgOpenBudget!.ms).toFixed(3)}×), ${cpu(status!, pgOpenBudget!)}`,
        });
      }

      if (wanted('new')) {
        log(`db status on a new data dir vs on an existing store (${m} runs each, alternating)`);
        let k = 0;
        const [again, fresh, pgCreate] = alternate(m, [
          runsight('--data-dir', existing, 'db', 'status'),
          () => runChild(tmp, [BIN, '--data-dir', join(tmp, `new-${k++}`), 'db', 'status']),
          () => runChild(tmp, ['--input-type=module', '-e', PGLITE_OPEN(join(tmp, `pglite-new-${k++}`))]),
        ]);
        rows.push({
          name: 'runsight db status, new data dir (first run, dist, wall, p50)',
          value: fresh!.ms,
          unit: 'ms',
          baseline: { name: 'db status, existing store', value: again!.ms },
          ratio: fresh!.ms / again!.ms,
          goal: '<= 1.5× baseline',
          notes: `peak RSS ${fresh!.rssMiB.toFixed(0)} MiB (existing: ${again!.rssMiB.toFixed(0)} MiB); ${cpu(fresh!, again!)}; PGlite's own create + select 1: ${pgCreate!.ms.toFixed(0)} ms, ${pgCreate!.rssMiB.toFixed(0)} MiB; ${filesystem(tmp)}`,
        });
      }

      if (!wanted('modules')) return rows;
      log('modules loaded per command');
      const traced = (args: string[]) => {
        const file = join(tmp, 'trace');
        rmSync(file, { force: true });
        execFileSync(process.execPath, ['--import', TRACE_PRELOAD, BIN, ...args], {
          cwd: ROOT,
          env: { ...process.env, BENCH_TRACE_FILE: file },
          stdio: 'ignore',
        });
        const urls = readFileSync(file, 'utf8').trim().split('\n');
        const pkgs = new Set(urls.flatMap((u) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []));
        return { count: urls.length, pkgs: [...pkgs].sort() };
      };
      cpSync(existing, join(tmp, 'traced'), { recursive: true });
      for (const args of [
        ['--version'],
        ['--help'],
        ['--data-dir', join(tmp, 'traced'), 'db', 'status'],
        ['image', 'resolve', '--no-record', `oci:${OCI_LAYOUT}:v1`],
        ['sbom', 'convert', SBOM, '--to', 'spdx', '--output', join(tmp, 'traced.spdx.json')],
      ]) {
        const t = traced(args);
        rows.push({
          name: `ES modules loaded by runsight ${args
            .filter((a) => !a.includes(tmp) && a !== '--data-dir' && a !== '--output')
            .map((a) => (a.startsWith('oci:') ? 'oci:LAYOUT' : a.endsWith('.json') ? 'FILE' : a))
            .join(' ')}`,
          value: t.count,
          unit: 'modules',
          notes: `packages: ${t.pkgs.join(', ') || 'none but commander (CommonJS)'}`,
        });
      }
      return rows;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
