// Metrics benchmark: GET /metrics (the real app in-process, a viewer's token) over the propagation
// benchmark's fleet (bench/propagation.ts `generate`): scrape time and series count with the
// default labels, with namespace labels (cap 50), and a scoped viewer's scrape — against
// the posture view by cluster (`getPosture`, in-process) in the same run.
// Goal (issue 19): a scrape < 500 ms at 1M containers, < 5k series by default.
//
// Knobs: RUNSIGHT_BENCH_METRICS_STORES = `pglite` (default: 100k containers / 2k images / 500k
// findings), `postgres` (1M containers / 20k images / 5M findings, when a server is reachable) or
// `both`; RUNSIGHT_BENCH_METRICS_SCALE=N divides the fleets by N; `--quick` divides them by 20.
import type { Principal } from '../src/core/access.js';
import { silentLogger } from '../src/core/logger.js';
import { createApp } from '../src/server/app.js';
import type { AppConfig } from '../src/server/config.js';
import type { TestStore } from '../src/store/test-support/stores.js';
import { getPosture } from '../src/views/index.js';
import { type Bench, type BenchRow, percentile, timeIt } from './harness.js';
import { type Fleet, overStores, rolledUpFleet } from './propagation.js';

const FLEETS: Record<'pglite' | 'postgres', Fleet> = {
  pglite: { containers: 100_000, images: 2_000, findingsPerImage: 250, clusters: 4, namespaces: 200 },
  postgres: { containers: 1_000_000, images: 20_000, findingsPerImage: 250, clusters: 10, namespaces: 2_000 },
};
const STORES = process.env.RUNSIGHT_BENCH_METRICS_STORES ?? 'pglite';
const SCALE = Number(process.env.RUNSIGHT_BENCH_METRICS_SCALE ?? 1) || 1;
const RUNS = 10;

export const bench: Bench = {
  area: 'metrics',
  async run({ quick, log }) {
    return overStores(STORES, FLEETS, (quick ? 20 : 1) * SCALE, (store, kind, fleet) =>
      runOne(store, kind, fleet, log),
    );
  },
};

/** Sample lines of an exposition (every series once). */
function seriesCount(text: string): number {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).length;
}

async function runOne(
  store: TestStore,
  kind: string,
  fleet: Fleet,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const label = `${kind} ${fleet.containers.toLocaleString('en')} containers / ${fleet.images.toLocaleString('en')} images, ${fleet.clusters} clusters × 2 environments, ${fleet.namespaces} namespaces, 40 owners`;
  await rolledUpFleet(store, fleet, (m) => log(`${kind}: ${m}`), label);

  const principals: Record<string, Principal> = {
    viewer: { subject: 'token:bench', role: 'viewer', scope: {}, via: 'token' },
    scoped: { subject: 'token:scoped', role: 'viewer', scope: { namespaces: ['ns3'] }, via: 'token' },
  };
  const appFor = (config: AppConfig) =>
    createApp({
      store,
      config,
      logger: silentLogger,
      authenticate: async (h) =>
        principals[h?.replace(/^Bearer /, '') ?? ''] ?? { status: 401, message: 'no' },
    });
  const scrape = (app: ReturnType<typeof appFor>, token: string) => async () => {
    const res = await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  };
  const baseline = () => getPosture(store, { by: 'cluster' });

  const cases: [string, () => Promise<string>][] = [
    ['GET /metrics, default labels', scrape(appFor({}), 'viewer')],
    [
      'GET /metrics, namespace labels (cap 50)',
      scrape(appFor({ metrics: { labels: ['namespace'], labelCap: 50 } }), 'viewer'),
    ],
    ['GET /metrics, viewer scoped to one namespace', scrape(appFor({}), 'scoped')],
  ];
  const out: BenchRow[] = [];
  for (const [name, fn] of cases) {
    const text = await fn(); // warm
    await baseline();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      a.push((await timeIt(fn)).ms);
      b.push((await timeIt(baseline)).ms);
    }
    const series = seriesCount(text);
    log(
      `${kind}: ${name}: p50 ${ms(percentile(a, 50))} ms, ${series} series; posture by cluster p50 ${ms(percentile(b, 50))} ms`,
    );
    out.push({
      name: `${kind}: ${name} (p50)`,
      value: ms(percentile(a, 50)),
      unit: 'ms',
      baseline: { name: 'posture view --by cluster in-process (p50)', value: ms(percentile(b, 50)) },
      ratio: percentile(a, 50) / percentile(b, 50),
      goal: '< 500 ms at 1M; < 5k series (default)',
      notes: `${series} series (${series - seriesCount(text.replace(/^(?!runsight_(containers|containers_unresolved|containers_unscanned|vulnerable_containers|finding_instances|vulnerabilities|fleet_vulnerabilities)[{ ]).*$/gm, ''))} other than posture); p95 ${ms(percentile(a, 95))} ms; ${RUNS} runs; ${label}`,
    });
  }
  return out;
}

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}
