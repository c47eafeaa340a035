// `runsight serve` on PGlite keeps posture current by itself (issue 17): a real serve process with
// short cadences, the Kubernetes API stand-in running one pod, a real docker-registry holding the
// demo's Alpine 3.18 base and its patched rebuild (copied by skopeo, digests kept), and an OSV feed
// configured as a local directory (`advisories.feeds.osv.url`, the bucket's `<Ecosystem>/all.zip`
// layout) holding the demo's OSV record, loaded once by `db update` beforehand. Without any command,
// the cadences collect the inventory, scan the in-use image (scan.in-use → scan.image), maintain
// posture, and GET /api/v1/posture shows CVE-2025-26519 on the pod; after the pod is rolled out to
// the patched tag, posture follows within the cadence and the vulnerability is gone. Then the feed
// changes (its all.zip gains ALPINE-CVE-2022-48174, busybox < 1.36.1-r1 on Alpine v3.18), and
// `cadence.advisories` alone brings it in: the pod shows CVE-2022-48174 as CRITICAL without the
// image being scanned again (its scan's time unchanged, one scan.image job for it), and the feed's
// state (`db status`) says it was updated. Expected by hand (src/server/scans.int.test.ts,
// src/cli/commands/counts.test.ts): the 3.18 base has CVE-2025-26519 (HIGH, musl); the patched one
// has none; it keeps busybox 1.36.0-r9 (testdata/demo/src/installed-patched), which the new record
// affects — Trivy reports CVE-2022-48174 for busybox 1.36.0-r9 on alpine:3.18.0 as CRITICAL, fixed
// in 1.36.1-r1 (CVSS 3.1 9.8). Under CI=true a missing registry or skopeo fails, never skips.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_DIR, DEMO_VULNERABILITY } from '../cli/commands/demo/demo-pipeline.js';
import { runCli } from '../cli/test-support/run-cli.js';
import { spawnCli, waitForOutput } from '../cli/test-support/spawn-cli.js';
import { imageToolsAvailable } from '../identity/test-support/build-image.js';
import { startRegistry } from '../identity/test-support/registry-server.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../kubernetes/test-support/api-server.js';
import { requireOrSkip } from '../test-support/require-or-skip.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-serve-cadences-'));
const FEEDS = join(import.meta.dirname, '../../testdata/feeds/osv/Alpine');
/** The record the feed gains after the rollout (testdata/SOURCES.md, `feeds/osv/Alpine/all-next.zip`). */
const FEED_VULNERABILITY = 'CVE-2022-48174';
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The manifest digest of a ref in the demo's OCI layout (skopeo --preserve-digests keeps it). */
function demoDigest(ref: string): string {
  const index = JSON.parse(readFileSync(join(DEMO_DIR, 'oci/index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const m = index.manifests.find((x) => x.annotations?.['org.opencontainers.image.ref.name'] === ref);
  if (!m) throw new Error(`no ${ref} in the demo layout`);
  return m.digest;
}

function pod(image: string, digest: string, repo: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'api-1',
      namespace: 'shop',
      uid: '11111111-2222-3333-4444-555555555555',
      creationTimestamp: '2026-12-01T00:00:00Z',
      labels: { app: 'api' },
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'api', image }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'api',
          image,
          imageID: `${repo}@${digest}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: '2026-12-01T00:00:01Z' } },
        },
      ],
    },
  };
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms: number,
  log: () => string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; serve said:\n${log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface PostureDoc {
  totals: { containers: number };
  priorities: { vulnerabilityId: string }[];
}

interface SourceSummary {
  source: string;
  scannedAt: string;
  summary: { vulnerabilities: { total: number; critical: number } };
}

describe('runsight serve on PGlite runs its cadences', () => {
  it('collects, scans and maintains posture by itself, follows a rollout and a feed change', {
    timeout: 420_000,
  }, async (ctx) => {
    const reg = await startRegistry();
    if (!requireOrSkip(Boolean(reg), 'docker-registry')) return ctx.skip();
    if (!(await imageToolsAvailable())) return ctx.skip();
    const api = new FakeKubernetesApiServer();
    let served: ReturnType<typeof spawnCli> | undefined;
    const t = Date.now();
    const marks: string[] = [];
    const mark = (what: string) => marks.push(`${what} ${Date.now() - t} ms`);
    try {
      const repo = `${reg!.host}/library/alpine`;
      for (const [ref, tag] of [
        ['alpine-base-3.18', '3.18'],
        ['alpine-base-3.18-patched', '3.18-patched'],
      ] as const)
        execFileSync('skopeo', [
          'copy',
          '-q',
          '--preserve-digests',
          '--dest-tls-verify=false',
          `oci:${DEMO_DIR}oci:${ref}`,
          `docker://${repo}:${tag}`,
        ]);
      mark('images pushed');
      const vulnerable = demoDigest('alpine-base-3.18');
      const patched = demoDigest('alpine-base-3.18-patched');
      api.putPod(pod(`${repo}:3.18`, vulnerable, repo));
      const server = await api.start();
      const kubeconfig = join(tmp, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigYaml([{ name: 'lab', server }]), { mode: 0o600 });
      // The OSV feed is a local mirror: `<dir>/Alpine/all.zip`, first with the demo's musl record.
      const feedDir = join(tmp, 'osv');
      const feedZip = join(feedDir, 'Alpine', 'all.zip');
      mkdirSync(join(feedDir, 'Alpine'), { recursive: true });
      copyFileSync(join(FEEDS, 'all.zip'), feedZip);
      const config = join(tmp, 'runsight.yaml');
      writeFileSync(
        config,
        [
          `insecureRegistries: ['${reg!.host}']`,
          'inventory:',
          '  kubernetes:',
          `    - { kubeconfig: '${kubeconfig}', context: lab, clusterName: lab, namespaces: [shop] }`,
          'cadence: { inventory: 2s, scan: 2s, advisories: 3s }',
          'advisories:',
          '  feeds:',
          `    osv: { url: '${feedDir}', ecosystems: [Alpine] }`,
          '    kev: { enabled: false }',
          '    epss: { enabled: false }',
          '    cve: { enabled: false }',
          'retention: { auditLog: 30d }',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const dataDir = join(tmp, 'data');
      const base = ['--data-dir', dataDir, '--config', config];
      const up = await runCli([...base, '--format', 'json', 'db', 'update']);
      expect(up.code, up.stderr).toBe(0);
      expect(up.json<{ feeds: { name: string; outcome: string; written: number }[] }>().feeds).toMatchObject([
        { name: 'osv:Alpine', outcome: 'updated', written: 1 },
      ]);
      const tok = await runCli([...base, 'token', 'create', '--name', 'e2e', '--role', 'viewer']);
      expect(tok.code, tok.stderr).toBe(0);
      const token = /^token\s+(\S+)/m.exec(tok.stdout)![1]!;
      mark('feed loaded, token made');

      served = spawnCli([...base, '--log-level', 'info', 'serve', '--listen', '127.0.0.1:0']);
      const url = (await waitForOutput(served, /listening on (http:\/\/\S+)/, 90_000))[1]!;
      mark('serve listening');
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status, path).toBe(200);
        return (await res.json()) as T;
      };
      const posture = () => get<PostureDoc>('/api/v1/posture?by=namespace');
      const log = () => `${served!.stdout()}\n${served!.stderr()}`;

      // 1. The cadences run by themselves: the pod's image is scanned and its finding shows.
      const t0 = Date.now();
      const first = await waitFor(
        'the vulnerable image to show on the pod',
        async () => {
          const p = await posture();
          return p.totals.containers === 1 && JSON.stringify(p).includes(DEMO_VULNERABILITY) ? p : undefined;
        },
        180_000,
        log,
      );
      expect(JSON.stringify(first)).toContain('shop');
      expect(JSON.stringify(first)).not.toContain(FEED_VULNERABILITY);
      const firstMs = Date.now() - t0;
      mark('first findings');

      // 2. A rollout to the patched tag: posture follows within the cadence — the new digest is
      // scanned (its built-in scan shows in `image show`) and the vulnerability is gone.
      const runsightScan = async () => {
        const img = await get<{ sources: SourceSummary[] }>(`/api/v1/images/${patched}`);
        return img.sources.find((s) => s.source === 'runsight');
      };
      api.putPod(pod(`${repo}:3.18-patched`, patched, repo));
      const t1 = Date.now();
      const scanBefore = await waitFor(
        'posture to follow the rollout',
        async () => {
          const p = await posture();
          if (p.totals.containers !== 1 || JSON.stringify(p).includes(DEMO_VULNERABILITY)) return undefined;
          return runsightScan();
        },
        180_000,
        log,
      );
      const rolloutMs = Date.now() - t1;
      mark('rollout followed');
      const containers = await get<unknown>('/api/v1/containers');
      expect(JSON.stringify(containers)).toContain(patched);
      expect(scanBefore.summary.vulnerabilities.total).toBe(0);

      // 3. The feed changes: its all.zip gains ALPINE-CVE-2022-48174 (busybox, which the patched
      // image still has). Replaced by a rename, as a mirror sync would, so no run reads half a file.
      const next = join(feedDir, 'Alpine', 'all.zip.next');
      copyFileSync(join(FEEDS, 'all-next.zip'), next);
      renameSync(next, feedZip);
      const changedAt = new Date();
      const t2 = Date.now();
      const where = await waitFor(
        'the feed change to reach the pod',
        async () => {
          // 404 while no advisory names it.
          const res = await fetch(`${url}/api/v1/vulnerabilities/${FEED_VULNERABILITY}/where`, {
            headers: { authorization: `Bearer ${token}` },
          });
          if (res.status === 404) return undefined;
          expect(res.status).toBe(200);
          const w = (await res.json()) as { containers: unknown[]; images: string[] };
          const p = await posture();
          return w.images.includes(patched) && JSON.stringify(p).includes(FEED_VULNERABILITY)
            ? { w, p }
            : undefined;
        },
        150_000,
        log,
      );
      const feedMs = Date.now() - t2;
      mark('feed change shown');
      expect(where.w.containers).toHaveLength(1);
      expect(JSON.stringify(where.w.containers)).toContain('api-1');
      expect(where.w.images).toEqual([patched]);
      // Rated CRITICAL by the record's CVSS 3.1 vector (9.8), as Trivy rates it; busybox,
      // busybox-binsh and ssl_client (all from the busybox source package): one vulnerability, three findings.
      expect(where.p.totals).toMatchObject({
        distinctVulnerabilities: { critical: 1, total: 1 },
        summary: { findings: { critical: 3, total: 3 } },
      });
      expect(where.p.priorities).toMatchObject([
        {
          vulnerabilityId: FEED_VULNERABILITY,
          severity: 'CRITICAL',
          fixable: true,
          containers: 1,
          images: 1,
        },
      ]);
      // Re-matched from the stored SBOM, not re-scanned: the same scan, now with the new finding.
      const scanAfter = await runsightScan();
      expect(scanAfter!.scannedAt).toBe(scanBefore!.scannedAt);
      expect(scanAfter!.summary.vulnerabilities).toMatchObject({ total: 1, critical: 1 });

      // The jobs that did it are in the queue's history; the feed's state says it was updated.
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
      served = undefined;
      mark('serve stopped');
      const jobs = await runCli([...base, '--format', 'json', 'jobs', '--limit', '5000']);
      expect(jobs.code, jobs.stderr).toBe(0);
      const all =
        jobs.json<{ kind: string; key: string | null; state: string; finishedAt: string | null }[]>();
      const done = all.filter((j) => j.state === 'completed');
      for (const k of [
        'inventory.collect',
        'advisories.update',
        'scan.in-use',
        'scan.image',
        'posture.maintain',
        'retention.run',
      ])
        expect(
          done.map((j) => j.kind),
          k,
        ).toContain(k);
      // One scan of each image (keyed by its digest, or by the reference when asked for by tag), all
      // finished before the feed changed: the new finding came from re-matching the stored SBOM.
      const scans = all.filter((j) => j.kind === 'scan.image');
      expect(scans, JSON.stringify(scans)).toHaveLength(2);
      for (const [digest, ref] of [
        [vulnerable, `${repo}:3.18`],
        [patched, `${repo}:3.18-patched`],
      ])
        expect(scans.filter((j) => j.key === digest || j.key === ref)).toHaveLength(1);
      for (const j of scans) expect(new Date(j.finishedAt!) < changedAt, JSON.stringify(j)).toBe(true);
      expect(done.some((j) => j.kind === 'advisories.update' && new Date(j.finishedAt!) > changedAt)).toBe(
        true,
      );
      // No feed run failed (a job still queued when serve stopped is neither).
      expect(
        all.filter((j) => j.kind === 'advisories.update' && (j.state === 'failed' || j.state === 'retry')),
      ).toEqual([]);
      const status = await runCli([...base, '--format', 'json', 'db', 'status']);
      expect(status.code, status.stderr).toBe(0);
      const feed = status
        .json<{
          feeds: {
            name: string;
            url: string;
            lastOutcome: string;
            lastSuccessAt: string;
            lastError: string | null;
            bytes: number;
            records: number;
          }[];
        }>()
        .feeds.find((f) => f.name === 'osv:Alpine');
      expect(feed).toMatchObject({
        url: feedZip,
        lastError: null,
        bytes: statSync(feedZip).size,
        records: 2,
      });
      expect(new Date(feed!.lastSuccessAt) > changedAt).toBe(true);
      console.info(
        `serve e2e: first findings after ${firstMs} ms, rollout followed after ${rolloutMs} ms, feed change shown after ${feedMs} ms`,
      );
    } finally {
      console.info(`serve e2e steps: ${marks.join(', ')}`);
      served?.child.kill('SIGKILL');
      await api.stop();
      await reg!.stop();
    }
  });
});
