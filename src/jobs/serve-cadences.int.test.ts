// `runsight serve` on PGlite keeps posture current by itself (issue 17): a real serve process with
// short cadences, the Kubernetes API stand-in running one pod, a real docker-registry holding the
// demo's Alpine 3.18 base and its patched rebuild (copied by skopeo, digests kept), and the demo's
// OSV record loaded by `db update --source` beforehand. Without any command, the cadences collect
// the inventory, scan the in-use image (scan.in-use → scan.image), maintain posture, and
// GET /api/v1/posture shows CVE-2025-26519 on the pod; after the pod is rolled out to the patched
// tag, posture follows within the cadence and the vulnerability is gone. Expected by hand
// (src/server/scans.int.test.ts, src/cli/commands/counts.test.ts): the 3.18 base has
// CVE-2025-26519 (HIGH, musl); the patched one has none. Under CI=true a missing registry or
// skopeo fails, never skips.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

describe('runsight serve on PGlite runs its cadences', () => {
  it('collects, scans and maintains posture by itself, and follows a rollout', {
    timeout: 420_000,
  }, async (ctx) => {
    const reg = await startRegistry();
    if (!requireOrSkip(Boolean(reg), 'docker-registry')) return ctx.skip();
    if (!(await imageToolsAvailable())) return ctx.skip();
    const api = new FakeKubernetesApiServer();
    let served: ReturnType<typeof spawnCli> | undefined;
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
      const vulnerable = demoDigest('alpine-base-3.18');
      const patched = demoDigest('alpine-base-3.18-patched');
      api.putPod(pod(`${repo}:3.18`, vulnerable, repo));
      const server = await api.start();
      const kubeconfig = join(tmp, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigYaml([{ name: 'lab', server }]), { mode: 0o600 });
      const config = join(tmp, 'runsight.yaml');
      writeFileSync(
        config,
        [
          `insecureRegistries: ['${reg!.host}']`,
          'inventory:',
          '  kubernetes:',
          `    - { kubeconfig: '${kubeconfig}', context: lab, clusterName: lab, namespaces: [shop] }`,
          'cadence: { inventory: 2s, scan: 2s, advisories: 24h }',
          'retention: { auditLog: 30d }',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const dataDir = join(tmp, 'data');
      const base = ['--data-dir', dataDir, '--config', config];
      const up = await runCli([...base, 'db', 'update', '--source', join(DEMO_DIR, 'advisories')]);
      expect(up.code, up.stderr).toBe(0);
      const tok = await runCli([...base, 'token', 'create', '--name', 'e2e', '--role', 'viewer']);
      expect(tok.code, tok.stderr).toBe(0);
      const token = /^token\s+(\S+)/m.exec(tok.stdout)![1]!;

      served = spawnCli([...base, '--log-level', 'info', 'serve', '--listen', '127.0.0.1:0']);
      const url = (await waitForOutput(served, /listening on (http:\/\/\S+)/, 90_000))[1]!;
      const posture = async () => {
        const res = await fetch(`${url}/api/v1/posture?by=namespace`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        return (await res.json()) as { totals: { containers: number } };
      };
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
      const firstMs = Date.now() - t0;

      // 2. A rollout to the patched tag: posture follows within the cadence.
      api.putPod(pod(`${repo}:3.18-patched`, patched, repo));
      const t1 = Date.now();
      await waitFor(
        'posture to follow the rollout',
        async () => {
          const p = await posture();
          return p.totals.containers === 1 && !JSON.stringify(p).includes(DEMO_VULNERABILITY) ? p : undefined;
        },
        180_000,
        log,
      );
      const rolloutMs = Date.now() - t1;
      const res = await fetch(`${url}/api/v1/containers`, { headers: { authorization: `Bearer ${token}` } });
      expect(JSON.stringify(await res.json())).toContain(patched);

      // The jobs that did it are in the queue's history.
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
      served = undefined;
      const jobs = await runCli([...base, '--format', 'json', 'jobs', '--limit', '200']);
      expect(jobs.code, jobs.stderr).toBe(0);
      const done = jobs
        .json<{ kind: string; state: string }[]>()
        .filter((j) => j.state === 'completed')
        .map((j) => j.kind);
      for (const k of ['inventory.collect', 'scan.in-use', 'scan.image', 'posture.maintain', 'retention.run'])
        expect(done, k).toContain(k);
      console.info(`serve e2e: first findings after ${firstMs} ms, rollout followed after ${rolloutMs} ms`);
    } finally {
      served?.child.kill('SIGKILL');
      await api.stop();
      await reg!.stop();
    }
  });
});
