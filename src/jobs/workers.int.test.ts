// Workers on PostgreSQL, as real processes (issue 17, "Tests and figures"): `runsight serve` (the
// cadences and its own worker) plus two `runsight worker`s share one queue in a fresh database. A
// Debian docker-registry on loopback holds 50 images built by umoci (one shared base layer, one
// small distinct layer each with a dpkg status: test-support/fleet-images.ts), reached through a
// counting proxy (test-support/registry-proxy.ts: blob GETs per digest, and one GET held to catch
// a scan in the middle); the Kubernetes API stand-in runs one pod per image; a loopback feed server
// serves the recorded Debian OSV feed (testdata/feeds/osv/Debian: all-older.zip, then all.zip).
// One worker is killed (SIGKILL) while its scan's layer GET is held. Asserted from the database:
// every image ends scanned exactly once (scan rows per digest), every scan.image job completed
// (the killed one on its second attempt, after its 15 s lease), no duplicate findings per (digest,
// vulnerability, package); then the feed update (all.zip adds DLA-3008-1, openssl) re-matches every
// image and changes posture with no blob read again and no scan row added. Layer reuse (ADR 0020):
// the shared base blob is read at most once per registry slot (4), not once per image, and each
// image's own layer once (the killed scan's twice). Expected by hand: every
// image has libxml2 2.9.4+dfsg1-2.2+deb9u6 (DLA-3012-1 fixed in deb9u7) and tzdata 2021a-0+deb9u3
// (DLA-3051-1 fixed in deb9u4); openssl 1.1.0l-1~deb9u5 is affected by DLA-3008-1 (fixed in deb9u6)
// only after the update. Under CI=true a missing PostgreSQL, registry or umoci fails.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { type SpawnedCli, spawnCli, waitForOutput } from '../cli/test-support/spawn-cli.js';
import { imageToolsAvailable } from '../identity/test-support/build-image.js';
import { startRegistry } from '../identity/test-support/registry-server.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../kubernetes/test-support/api-server.js';
import { createTestStore, postgresAvailable } from '../store/test-support/stores.js';
import { requireOrSkip } from '../test-support/require-or-skip.js';
import { buildFleet, FLEET_PACKAGES, type FleetImage } from './test-support/fleet-images.js';
import { RegistryProxy } from './test-support/registry-proxy.js';

const FEEDS = join(import.meta.dirname, '../../testdata/feeds/osv/Debian');
const IMAGES = 50;
const pg = requireOrSkip(await postgresAvailable(), 'PostgreSQL at 127.0.0.1:5432');
const tmp = mkdtempSync(join(tmpdir(), 'runsight-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Serves one OSV ecosystem zip at /osv/Debian/all.zip with an ETag of its content; swappable. */
function feedServer(): { server: Server; base: Promise<string>; serve(file: string): void } {
  let body = Buffer.alloc(0);
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/osv/Debian/all.zip') {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end();
    else res.writeHead(200, { etag, 'content-length': String(body.length) }).end(body);
  });
  const base = new Promise<string>((r) =>
    server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
  return { server, base, serve: (file) => (body = readFileSync(join(FEEDS, file))) };
}

function pod(i: number, host: string, img: FleetImage) {
  const image = `${host}/${img.repository}:${img.tag}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `app-${i}`,
      namespace: 'fleet',
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      creationTimestamp: '2026-12-01T00:00:00Z',
      labels: { app: `app-${i}` },
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image,
          imageID: `${host}/${img.repository}@${img.digest}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: '2026-12-01T00:00:01Z' } },
        },
      ],
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number, log: () => string) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log().slice(-6000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.skipIf(!pg)('serve + two workers on PostgreSQL', () => {
  it('scans 50 images exactly once through a killed worker, and re-matches a feed update without pulling', {
    timeout: 900_000,
  }, async (ctx) => {
    const reg = await startRegistry();
    if (!requireOrSkip(Boolean(reg), 'docker-registry')) return ctx.skip();
    if (!(await imageToolsAvailable())) return ctx.skip();
    const store = await createTestStore('postgres');
    const proxy = new RegistryProxy(reg!.url);
    const api = new FakeKubernetesApiServer();
    const feeds = feedServer();
    const procs: Record<string, SpawnedCli> = {};
    const knobs = ['LEASE', 'MAINTENANCE', 'POLL', 'RETRY_DELAY'].map((k) => `RUNSIGHT_JOBS_${k}_SECONDS`);
    const log = () =>
      Object.entries(procs)
        .map(([n, p]) => `--- ${n}\n${p.stdout().slice(-2000)}\n${p.stderr().slice(-3000)}`)
        .join('\n');
    try {
      const db = (await sql<{ d: string }>`select current_database() as d`.execute(store.db)).rows[0]!.d;
      const u = new URL(process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
      u.pathname = `/${db}`;
      const dbUrl = u.toString();
      const host = await proxy.start();
      const t0 = Date.now();
      const images = await buildFleet(reg!.url, IMAGES);
      console.info(`workers e2e: ${IMAGES} images built and pushed in ${Date.now() - t0} ms`);
      const byDigest = new Map(images.map((img) => [img.digest, img]));
      for (const [i, img] of images.entries()) api.putPod(pod(i, host, img));
      const kubeconfig = join(tmp, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigYaml([{ name: 'lab', server: await api.start() }]), {
        mode: 0o600,
      });
      feeds.serve('all-older.zip');
      const config = join(tmp, 'runsight.yaml');
      writeFileSync(
        config,
        [
          `insecureRegistries: ['${host}']`,
          'inventory:',
          '  kubernetes:',
          `    - { kubeconfig: '${kubeconfig}', context: lab, clusterName: lab, namespaces: [fleet] }`,
          'cadence: { inventory: 3s, scan: 3s, advisories: 24h }',
          'advisories:',
          '  feeds:',
          `    osv: { url: '${await feeds.base}/osv', ecosystems: [Debian] }`,
          '    kev: { enabled: false }',
          '    epss: { enabled: false }',
          '    cve: { enabled: false }',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      // Short queue timings for every process (docs/operations.md#workers).
      Object.assign(process.env, {
        RUNSIGHT_JOBS_LEASE_SECONDS: '15',
        RUNSIGHT_JOBS_MAINTENANCE_SECONDS: '1',
        RUNSIGHT_JOBS_POLL_SECONDS: '0.5',
        RUNSIGHT_JOBS_RETRY_DELAY_SECONDS: '1',
      });
      const base = ['--database-url', dbUrl, '--config', config];
      const up = await runCli([...base, 'db', 'update']);
      expect(up.code, up.stderr).toBe(0);

      // Workers first (they wait for jobs), then serve (its cadences queue them).
      const workerArgs = [
        ...base,
        '--log-level',
        'info',
        'worker',
        '--concurrency',
        '2',
        '--registry-concurrency',
        '3',
      ];
      procs.a = spawnCli(workerArgs);
      procs.b = spawnCli(workerArgs);
      await Promise.all(
        ['a', 'b'].map((n) =>
          until(
            'a worker to start',
            async () => (/worker running/.test(procs[n]!.stderr()) ? true : undefined),
            180_000,
            log,
          ),
        ),
      );
      // Hold the first GET of each distinct layer from the 11th image on: the first held GET
      // whose scan is on a worker (not on serve's own) is where that worker dies.
      for (const img of images.slice(10)) proxy.holdNext.add(img.layers[1]);
      procs.serve = spawnCli([
        ...base,
        '--log-level',
        'info',
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--concurrency',
        '1',
      ]);
      await waitForOutput(procs.serve, /listening on (http:\/\/\S+)/, 180_000);

      const layerOwner = new Map(images.map((img) => [img.layers[1], img]));
      // Which process runs the scan job of an image now: its `job started` logged, no `job completed`
      // (scan.in-use keys a job by the digest, or by the reference when the inventory has none).
      const scanningOn = (img: FleetImage): string | undefined => {
        const keys = [img.digest, `${host}/${img.repository}:${img.tag}`].map((k) => `"key":"${k}"`);
        for (const [n, p] of Object.entries(procs)) {
          const lines = p
            .stderr()
            .split('\n')
            .filter((l) => keys.some((k) => l.includes(k)));
          const started = lines.filter((l) => l.includes('job started')).length;
          const finished = lines.filter(
            (l) => l.includes('job completed') || l.includes('job failed'),
          ).length;
          if (started > finished) return n;
        }
        return undefined;
      };
      const killed = await until(
        'a held layer GET of a scan on a worker',
        async () => {
          for (const h of proxy.held.splice(0)) {
            const img = layerOwner.get(h.blob)!;
            const on = scanningOn(img);
            if (on === 'a' || on === 'b') {
              procs[on]!.child.kill('SIGKILL');
              await procs[on]!.exited;
              h.release(); // to a dead socket: nothing is sent
              for (const rest of proxy.held.splice(0)) rest.release();
              proxy.holdNext.clear();
              return { worker: on, image: img };
            }
            h.release();
          }
          return undefined;
        },
        240_000,
        log,
      );
      const survivor = killed.worker === 'a' ? 'b' : 'a';
      console.info(`workers e2e: killed worker ${killed.worker} scanning ${killed.image.repository}`);

      // Every image scanned; every scan job completed.
      const scanRows = async () =>
        (
          await sql<{ digest: string; n: string }>`select image_digest as digest, count(*) as n from scans
            where source = 'runsight' group by image_digest`.execute(store.db)
        ).rows;
      await until(
        'all 50 images scanned',
        async () => ((await scanRows()).length >= IMAGES ? true : undefined),
        300_000,
        log,
      );
      const jobsJson = async () => {
        const r = await runCli([...base, '--format', 'json', 'jobs', '--limit', '5000']);
        expect(r.code, r.stderr).toBe(0);
        return r.json<
          {
            id: string;
            kind: string;
            key: string | null;
            state: string;
            attempts: number;
            error: string | null;
          }[]
        >();
      };
      const scanJobs = await until(
        'every scan.image job completed',
        async () => {
          const j = (await jobsJson()).filter((x) => x.kind === 'scan.image');
          return j.length >= IMAGES && j.every((x) => x.state === 'completed') ? j : undefined;
        },
        120_000,
        log,
      );
      // Exactly once: one scan row per digest, of the 50 and no others.
      const rows = await scanRows();
      expect(rows.map((r) => r.digest).sort()).toEqual([...byDigest.keys()].sort());
      expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
      // No job lost: every digest has a completed scan job; the killed one took a second attempt.
      const keyOf = (img: FleetImage) => [img.digest, `${host}/${img.repository}:${img.tag}`];
      for (const img of images)
        expect(
          scanJobs.some((j) => keyOf(img).includes(j.key ?? '')),
          img.repository,
        ).toBe(true);
      const victim = scanJobs.filter((j) => keyOf(killed.image).includes(j.key ?? ''));
      expect(victim.map((j) => [j.state, j.attempts])).toContainEqual(['completed', 2]);
      expect((await jobsJson()).filter((j) => j.state === 'failed')).toEqual([]);
      // The survivor and serve are still running.
      expect(procs[survivor]!.child.exitCode).toBeNull();
      expect(procs.serve.child.exitCode).toBeNull();

      const findings = async () =>
        (
          await sql<{ digest: string; vuln: string; pkg: string; n: string }>`
            select f.image_digest as digest, f.vulnerability_id as vuln, f.package_name as pkg, count(*) as n
            from findings f join current_scans c on c.scan_id = f.scan_id
            where f.source = 'runsight' group by 1, 2, 3`.execute(store.db)
        ).rows;
      const before = await findings();
      expect(before.filter((f) => Number(f.n) !== 1)).toEqual([]); // no duplicates
      for (const d of byDigest.keys())
        expect(
          before
            .filter((f) => f.digest === d)
            .map((f) => `${f.pkg} ${f.vuln}`)
            .sort(),
          d,
        ).toEqual(['libxml2 CVE-2022-29824', 'tzdata DLA-3051-1']); // a DLA with one upstream CVE is known by the CVE

      // The feed update: all.zip adds DLA-3008-1 (openssl; CVE-2022-1292). Nothing may be pulled again.
      const posture = async () => {
        const r = await runCli([...base, '--format', 'json', 'posture']);
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      };
      const postureBefore = await posture();
      const blobGets = proxy.count();
      const layerGets = proxy.count(new Set(images.flatMap((i) => i.layers)));
      // Layer reuse (ADR 0020): the shared base blob is read only by the scans that started before
      // any had recorded it — at most one per registry slot (the workers' --registry-concurrency 3,
      // serve's default 4: 4 scans at once), not once per image. Each image's own layer is read
      // once or twice: again for each scan the killed worker had in flight (its --concurrency 2)
      // that had reached its layer (the held one at least) and was retried, and a GET the client
      // re-issues (a resumed download, a held answer) counts again — seen: 52 and 53 of 50 with 2
      // scans retried. What must not happen is a layer read once per scan of another image.
      const baseGets = proxy.count([images[0]!.layers[0]]);
      expect(baseGets).toBeGreaterThanOrEqual(1);
      expect(baseGets).toBeLessThanOrEqual(4);
      const retried = scanJobs.filter((j) => j.attempts > 1).length;
      expect(retried).toBeLessThanOrEqual(2);
      for (const img of images)
        expect(proxy.count([img.layers[1]]), img.repository).toBeGreaterThanOrEqual(1);
      for (const img of images) expect(proxy.count([img.layers[1]]), img.repository).toBeLessThanOrEqual(2);
      const ownGets = proxy.count(images.map((i) => i.layers[1]));
      expect(ownGets).toBeGreaterThanOrEqual(IMAGES + 1);
      expect(ownGets).toBeLessThanOrEqual(IMAGES + retried + 2);
      feeds.serve('all.zip');
      const upd = await runCli([...base, '--format', 'json', 'jobs', 'run', 'advisories.update']);
      expect(upd.code, `${upd.stdout}\n${upd.stderr}`).toBe(0);
      const after = await until(
        'openssl findings on every image',
        async () => {
          const f = await findings();
          return f.filter((x) => x.vuln === 'CVE-2022-1292').length === IMAGES ? f : undefined;
        },
        120_000,
        log,
      );
      expect(after.filter((f) => Number(f.n) !== 1)).toEqual([]);
      const added = FLEET_PACKAGES.find((p) => p.advisory === 'DLA-3008-1')!;
      for (const d of byDigest.keys())
        expect(
          after
            .filter((f) => f.digest === d)
            .map((f) => `${f.pkg} ${f.vuln}`)
            .sort(),
          d,
        ).toEqual(['libxml2 CVE-2022-29824', `${added.name} CVE-2022-1292`, 'tzdata DLA-3051-1'].sort());
      const postureAfter = await until(
        'posture to change',
        async () => {
          const p = await posture();
          return p !== postureBefore ? p : undefined;
        },
        60_000,
        log,
      );
      expect(postureAfter).not.toEqual(postureBefore);
      expect(proxy.count(new Set(images.flatMap((i) => i.layers)))).toBe(layerGets);
      expect(proxy.count()).toBe(blobGets);
      expect((await scanRows()).filter((r) => Number(r.n) !== 1)).toEqual([]);
      console.info(
        `workers e2e: ${layerGets} layer GETs for ${IMAGES} images (${new Set(images.map((i) => i.layers[0])).size} shared base, read ${baseGets} times; own layers ${ownGets}, ${retried} scans retried), 0 after the feed update; whole run ${Date.now() - t0} ms`,
      );
    } finally {
      for (const k of knobs) delete process.env[k];
      for (const p of Object.values(procs))
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(Object.values(procs).map((p) => p.exited));
      await proxy.stop();
      await api.stop();
      await new Promise((r) => feeds.server.close(r));
      await reg!.stop();
      await store.dispose();
    }
  });
});
