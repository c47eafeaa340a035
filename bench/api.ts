// API benchmark: the posture report and the CVE-first view (`vuln where`) through HTTP — the real
// app (`createApp`) served on loopback by @hono/node-server, asked by the typed client the CLI's
// remote mode uses — against the same view function called in-process on the same store, in the
// same run (p50/p95 and the ratio); then 200 concurrent viewers (200 clients, Promise.all) asking
// for one namespace's posture, with the error count. The fleet is the propagation benchmark's
// (bench/propagation.ts `generate`): 100k containers / 2k images / 500k findings on PGlite by default.
//
// Knobs: RUNSIGHT_BENCH_API_STORES = `pglite` (default), `postgres` (1M containers / 20k images / 5M
// findings, when a server is reachable) or `both`; RUNSIGHT_BENCH_API_SCALE=N divides the fleets
// by N. `--quick` divides them by 20. RUNSIGHT_BENCH_FLEET_REUSE=<database> keeps the PostgreSQL
// fleet in that database for later runs of this and the dashboard benchmark (bench/fleet-store.ts). Most of a default run is building the fleet (generate +
// recompute: 6–10 min on a loaded 2-core machine, 1–2 min on an idle one); the measurements take
// about 3 min, the 200 viewers about one of them (PGlite serves them one at a time). vuln where is
// timed a page at a time (limit 100: the first page, and the second through its cursor); the whole
// answer (every carrier, what the CLI prints) only with RUNSIGHT_BENCH_API_WHOLE_WHERE=1: in one
// request, and walked in pages as the CLI's client (`vuln where --server`) does.
// RUNSIGHT_BENCH_API_RUNS=N raises every row's alternating runs to at least N. Each row's notes give
// what HTTP adds pair by pair (p50, p95 of HTTP run minus the in-process run just before it).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createClient } from '../src/server/client.js';
import type { TestStore } from '../src/store/test-support/stores.js';
import { getPosture, type PostureQuery, vulnWhere } from '../src/views/index.js';
import { overFleetStores, viewerApp } from './fleet-store.js';
import { type Bench, type BenchRow, percentile, timeIt } from './harness.js';
import type { Fleet } from './propagation.js';

const FLEETS: Record<'pglite' | 'postgres', Fleet> = {
  pglite: { containers: 100_000, images: 2_000, findingsPerImage: 250, clusters: 4, namespaces: 200 },
  postgres: { containers: 1_000_000, images: 20_000, findingsPerImage: 250, clusters: 10, namespaces: 2_000 },
};
const STORES = process.env.RUNSIGHT_BENCH_API_STORES ?? 'pglite';
const SCALE = Number(process.env.RUNSIGHT_BENCH_API_SCALE ?? 1) || 1;
const VIEWERS = 200;
/** Containers per vuln where page (the dashboard's page). */
const PAGE = 100;
/** RUNSIGHT_BENCH_API_WHOLE_WHERE=1 also times the whole vuln where answer (5–9 s a call at 1M). */
const WHOLE_WHERE = process.env.RUNSIGHT_BENCH_API_WHOLE_WHERE === '1';
/** RUNSIGHT_BENCH_API_RUNS=N: at least N alternating runs per row (a p95 of 10 runs is their slowest). */
const MIN_RUNS = Number(process.env.RUNSIGHT_BENCH_API_RUNS ?? 0) || 0;
const whereOf = (id: string) => `vulnerabilities/${encodeURIComponent(id)}/where`;
const TOKEN = 'bench-viewer-token';

export const bench: Bench = {
  area: 'api',
  async run({ quick, log }) {
    return overFleetStores(STORES, FLEETS, (quick ? 20 : 1) * SCALE, log, (store, kind, fleet, label) =>
      runOne(store, kind, fleet, label, log),
    );
  },
};

async function runOne(
  store: TestStore,
  kind: string,
  fleet: Fleet,
  label: string,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const app = viewerApp(store, TOKEN);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createClient({ url, token: TOKEN, timeoutMs: 600_000 });
  const out: BenchRow[] = [];
  try {
    // The two must answer the same before their times mean anything.
    const q: PostureQuery = { by: 'namespace', cluster: 'cl0' };
    const local = await getPosture(store, q);
    const remote = await client.posture(q);
    if (JSON.stringify(remote.totals) !== JSON.stringify(local.totals))
      throw new Error('benchmark results disagree: posture totals through HTTP differ from in-process');

    const pairs: [string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>, number][] = [
      [
        'posture report --by namespace --cluster',
        (i) => getPosture(store, { by: 'namespace', cluster: `cl${i % fleet.clusters}` }),
        (i) => client.posture({ by: 'namespace', cluster: `cl${i % fleet.clusters}` }),
        10,
      ],
      [
        'posture report --by workload --namespace',
        (i) => getPosture(store, { by: 'workload', namespace: `ns${(i * 7) % fleet.namespaces}` }),
        (i) => client.posture({ by: 'workload', namespace: `ns${(i * 7) % fleet.namespaces}` }),
        20,
      ],
      // A page as the dashboard and a paging API client ask for it: 100 containers read in SQL
      // (keyset), the whole workloads and images aggregated in SQL. The first page, then the one
      // after it (the keyset condition at work).
      [
        `vuln where (CVE-first), first page of ${PAGE}`,
        (i) => vulnWhere(store, cve(i, fleet), {}, { limit: PAGE }),
        (i) => client.get(whereOf(cve(i, fleet)), { limit: PAGE }),
        20,
      ],
      [
        `vuln where (CVE-first), second page of ${PAGE}`,
        (i) => vulnWhere(store, cve(i, fleet), {}, { limit: PAGE, cursor: seconds.get(i % 21) }),
        (i) => client.get(whereOf(cve(i, fleet)), { limit: PAGE, after: seconds.get(i % 21) }),
        20,
      ],
    ];
    if (WHOLE_WHERE)
      pairs.push(
        [
          'vuln where (CVE-first), whole answer in one request',
          (i) => vulnWhere(store, cve(i, fleet)),
          (i) => client.get(whereOf(cve(i, fleet))),
          20,
        ],
        // What `vuln where --server` does: pages of 10,000 through the cursor (later ones without the summary), the document assembled.
        [
          'vuln where (CVE-first), whole answer walked in pages (the CLI client)',
          (i) => vulnWhere(store, cve(i, fleet)),
          (i) => client.vulnerabilityWhere(cve(i, fleet)),
          20,
        ],
      );
    // The second pages' cursors (runs 0–19 and the warm-up run 20), and one page compared whole.
    const seconds = new Map<number, string | undefined>();
    for (let i = 0; i <= 20; i++)
      seconds.set(i, (await vulnWhere(store, cve(i, fleet), {}, { limit: PAGE })).next ?? undefined);
    const localPage = await vulnWhere(store, cve(1, fleet), {}, { limit: PAGE, cursor: seconds.get(1) });
    const remotePage = await client.get(whereOf(cve(1, fleet)), { limit: PAGE, after: seconds.get(1) });
    if (JSON.stringify(remotePage) !== JSON.stringify(localPage))
      throw new Error('benchmark results disagree: a vuln where page through HTTP differs from in-process');
    for (const [name, inProcess, http, rowRuns] of pairs) {
      const runs = Math.max(rowRuns, MIN_RUNS);
      const answer = JSON.stringify(await inProcess(runs)).length; // warm both paths once
      await http(runs);
      const a: number[] = [];
      const b: number[] = [];
      // CPU time of this process per run (user + system): the database's own work is another
      // process on PostgreSQL, so this is what the view, and for HTTP the server and the client
      // (both here), cost — steadier than wall time on a loaded machine.
      const cpuA: number[] = [];
      const cpuB: number[] = [];
      const timed = async (f: () => Promise<unknown>, wall: number[], cpu: number[]) => {
        const c0 = process.cpuUsage();
        wall.push((await timeIt(f)).ms);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      };
      // Alternating, so that the shared machine's load falls on both alike.
      for (let i = 0; i < runs; i++) {
        await timed(() => inProcess(i), a, cpuA);
        await timed(() => http(i), b, cpuB);
      }
      // What HTTP adds, pair by pair (each HTTP run against the in-process run just before it): the
      // load of the moment falls on both, where a difference of two p95s compares two slow outliers.
      const added = b.map((x, i) => x - a[i]!);
      log(
        `${kind}: ${name}: in-process p50 ${ms(percentile(a, 50))} ms, HTTP p50 ${ms(percentile(b, 50))} ms`,
      );
      out.push({
        name: `${kind}: ${name} through HTTP (p50)`,
        value: ms(percentile(b, 50)),
        unit: 'ms',
        baseline: { name: 'same view in-process (p50)', value: ms(percentile(a, 50)) },
        ratio: percentile(b, 50) / percentile(a, 50),
        goal: 'HTTP/in-process',
        notes: `p95 ${ms(percentile(b, 95))} ms vs ${ms(percentile(a, 95))} ms in-process (HTTP adds ${ms(percentile(b, 95) - percentile(a, 95))} ms, ${(percentile(b, 95) / percentile(a, 95)).toFixed(2)}×); paired HTTP − in-process p50 ${ms(percentile(added, 50))} ms, p95 ${ms(percentile(added, 95))} ms; CPU per request p50 ${ms(percentile(cpuA, 50))} ms in-process, ${ms(percentile(cpuB, 50))} ms through HTTP (server and client in this process); ${runs} runs; answer ${(answer / 1024).toFixed(0)} KiB; ${label}`,
      });
    }

    // 200 viewers at once, each with its own client, asking for one namespace's posture.
    const ns = 'ns3';
    const single = (await timeIt(() => getPosture(store, { by: 'workload', namespace: ns }))).ms;
    const each: number[] = [];
    let errors = 0;
    const all = await timeIt(() =>
      Promise.all(
        Array.from({ length: VIEWERS }, async () => {
          const viewerClient = createClient({ url, token: TOKEN, timeoutMs: 600_000 });
          const t0 = performance.now();
          try {
            await viewerClient.posture({ by: 'workload', namespace: ns });
            each.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }),
      ),
    );
    log(`${kind}: ${VIEWERS} viewers in ${ms(all.ms)} ms, ${errors} errors`);
    out.push({
      name: `${kind}: ${VIEWERS} concurrent viewers, posture --by workload --namespace (wall)`,
      value: ms(all.ms),
      unit: 'ms',
      baseline: { name: 'one report in-process', value: ms(single) },
      ratio: all.ms / single,
      notes: `${errors} errors; per request p50 ${ms(percentile(each, 50))} ms, p95 ${ms(percentile(each, 95))} ms; ${(VIEWERS / (all.ms / 1000)).toFixed(1)} req/s; ${label}`,
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return out;
}

/** A vulnerability the fleet carries: finding 0 of image 7i (see generate() in propagation.ts). */
function cve(i: number, fleet: Fleet): string {
  return `CVE-2024-${(((i * 7) % fleet.images) * 131) % 30_000}`;
}

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}
