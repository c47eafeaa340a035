// Reports benchmark: scope reports over the propagation benchmark's fleet (bench/propagation.ts
// `generate`: 100k containers / 2k images / 250 findings per image on PGlite by default) — the JSON
// and HTML report by namespace of the whole fleet, and the CSV finding rows (container ×
// vulnerability) of one cluster streamed to a file — each with its time and the peak RSS growth
// seen while it ran (sampled every 10 ms), against the posture view alone (`getPosture` by namespace,
// what the report is built from) measured in the same run. The finding rows prove the streaming:
// millions of rows while the RSS stays flat.
//
// Knobs: RUNSIGHT_BENCH_REPORTS_SCALE=N divides the fleet by N; `--quick` divides it by 20.
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFindingRowsCsv, writeScopeReport } from '../src/reports/index.js';
import { createTestStore } from '../src/store/test-support/stores.js';
import { getPosture } from '../src/views/index.js';
import { type Bench, type BenchRow, timeIt } from './harness.js';
import { type Fleet, rolledUpFleet, scaleFleet } from './propagation.js';

const FLEET: Fleet = {
  containers: 100_000,
  images: 2_000,
  findingsPerImage: 250,
  clusters: 4,
  namespaces: 200,
};
const SCALE = Number(process.env.RUNSIGHT_BENCH_REPORTS_SCALE ?? 1) || 1;

/** Runs `fn` and returns its time and the highest RSS above the starting RSS seen while it ran (MiB). */
async function measured<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; rssMiB: number; heapMiB: number; value: T }> {
  global.gc?.();
  const start = process.memoryUsage().rss;
  const heapStart = process.memoryUsage().heapUsed;
  let peak = start;
  let heap = heapStart;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 10);
  try {
    const { ms, value } = await timeIt(fn);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { ms, rssMiB: (peak - start) / 2 ** 20, heapMiB: (heap - heapStart) / 2 ** 20, value };
  } finally {
    clearInterval(timer);
  }
}

export const bench: Bench = {
  area: 'reports',
  async run({ quick, log }) {
    const by = (quick ? 20 : 1) * SCALE;
    const fleet = scaleFleet(FLEET, by);
    const store = await createTestStore('pglite');
    const rows: BenchRow[] = [];
    const label = `${fleet.containers.toLocaleString('en')} containers`;
    try {
      await rolledUpFleet(store, fleet, log, label);
      await getPosture(store, { by: 'namespace' }); // warm
      const base = await measured(() => getPosture(store, { by: 'namespace' }));
      const baseline = { name: 'getPosture --by namespace', value: Math.round(base.ms) };
      for (const format of ['json', 'html'] as const) {
        let bytes = 0;
        const r = await measured(() =>
          writeScopeReport(store, { scope: {}, by: 'namespace', format }, {}, (chunk) => {
            bytes += Buffer.byteLength(chunk);
          }),
        );
        rows.push({
          name: `report --format ${format} --by namespace, ${label}`,
          value: Math.round(r.ms),
          unit: 'ms',
          baseline,
          ratio: r.ms / base.ms,
          goal: 'report / posture view (lower is better)',
          notes: `${(bytes / 1024).toFixed(0)} KiB; peak RSS +${r.rssMiB.toFixed(0)} MiB (posture view alone +${base.rssMiB.toFixed(0)} MiB)`,
        });
        log(`${format}: ${r.ms.toFixed(0)} ms`);
      }
      const file = join(tmpdir(), `runsight-bench-findings-${process.pid}.csv`);
      try {
        const out = createWriteStream(file);
        let bytes = 0;
        const r = await measured(() =>
          writeFindingRowsCsv(store, { clusters: ['cl0'] }, async (chunk) => {
            bytes += Buffer.byteLength(chunk);
            if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
          }),
        );
        await new Promise<void>((resolve) => out.end(() => resolve()));
        const n = r.value;
        rows.push({
          name: `report --format csv --csv-rows finding --scope cluster=cl0 (${(fleet.containers / fleet.clusters).toLocaleString('en')} containers)`,
          value: Math.round(n / (r.ms / 1000)),
          unit: 'rows/s',
          notes: `${n.toLocaleString('en')} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${(r.ms / 1000).toFixed(1)} s; peak RSS +${r.rssMiB.toFixed(0)} MiB, JS heap +${r.heapMiB.toFixed(0)} MiB (streamed: bounded by the page size, not the row count)`,
        });
        log(`finding rows: ${n} in ${r.ms.toFixed(0)} ms`);
      } finally {
        rmSync(file, { force: true });
      }
    } finally {
      await store.dispose();
    }
    return rows;
  },
};
