// `runsight inventory …` and `runsight containers` in-process, against the local Kubernetes API
// server serving the recorded kind cluster, and the CMDB files in testdata/inventory/cmdb.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  k8sFixture,
  kindCluster,
  namespaceObject,
} from '../../inventory/providers/kubernetes/test-support/fixtures.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../../kubernetes/test-support/api-server.js';
import { openStore, readScopePosture } from '../../store/index.js';
import { main } from '../main.js';
import { runCli } from '../test-support/run-cli.js';

const CMDB = new URL('../../../testdata/inventory/cmdb/', import.meta.url).pathname;
const FIELDS = [
  'id',
  'source',
  'cluster',
  'namespace',
  'workloadKind',
  'workloadName',
  'pod',
  'container',
  'containerKind',
  'node',
  'platform',
  'image',
  'imageId',
  'digest',
  'digestKind',
  'state',
  'firstSeen',
  'lastSeen',
  'owner',
  'environment',
  'labels',
  // Added by propagation: the resolved platform digest, how, and the image's counts.
  'imageDigest',
  'matchMethod',
  'confidence',
  'counts',
  // Vulnerabilities and findings by severity (docs/cli.md#counts-vulnerabilities-and-findings).
  'summary',
];

describe('runsight inventory and containers', () => {
  let server: FakeKubernetesApiServer;
  let dir: string;
  let kubeconfig: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const { pods, nodes } = kindCluster();
    server = new FakeKubernetesApiServer({
      pods,
      nodes,
      namespaces: [namespaceObject('kube-system', { team: 'platform' })],
    });
    dir = mkdtempSync(join(tmpdir(), 'runsight-cli-inv-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml([{ name: 'kind', server: await server.start() }]));
    env = { RUNSIGHT_DATA_DIR: join(dir, 'data') };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects a cluster and lists its containers as the documented JSON', async () => {
    const collected = await runCli(
      [
        '--format',
        'json',
        'inventory',
        'collect',
        'kubernetes',
        '--kubeconfig',
        kubeconfig,
        '--cluster-name',
        'prod-eu',
      ],
      env,
    );
    expect(collected.stderr).toBe('');
    expect(collected.code).toBe(0);
    expect(collected.json()).toEqual([
      {
        source: 'prod-eu',
        kind: 'kubernetes',
        status: 'ok',
        runId: expect.any(Number),
        seen: 24,
        added: 24,
        changed: 0,
        removed: 0,
        errors: [],
      },
    ]);

    const listed = await runCli(['--format', 'json', 'containers', '--namespace', 'kube-system'], env);
    expect(listed.code).toBe(0);
    const rows = listed.json<Record<string, unknown>[]>();
    expect(rows).toHaveLength(14);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual([...FIELDS].sort());
    const coredns = rows.find((r) => r.pod === 'coredns-74ff55c5b-cpfqs')!;
    expect(coredns).toMatchObject({
      id: 'prod-eu/kube-system/coredns-74ff55c5b-cpfqs/coredns',
      source: 'prod-eu',
      cluster: 'prod-eu',
      workloadKind: 'Deployment',
      workloadName: 'coredns',
      containerKind: 'regular',
      node: 'kind-control-plane',
      platform: 'linux/amd64',
      image: 'k8s.gcr.io/coredns:1.7.0',
      imageId: 'sha256:bfe3a36ebd2528b454be6aebece806db5b40407b833e2af9617bf39afaff8c16',
      digest: 'sha256:bfe3a36ebd2528b454be6aebece806db5b40407b833e2af9617bf39afaff8c16',
      digestKind: 'config',
      state: 'running',
      owner: 'platform',
      environment: null,
    });
    expect(Number.isNaN(Date.parse(coredns.firstSeen as string))).toBe(false);

    // Collect again after a pod went away: it is closed, and --all shows it as removed.
    server.deletePod('kube-system', 'kube-proxy-8jj5r');
    const again = await runCli(
      [
        '--format',
        'json',
        'inventory',
        'collect',
        'kubernetes',
        '--kubeconfig',
        kubeconfig,
        '--cluster-name',
        'prod-eu',
      ],
      env,
    );
    expect(again.json()).toMatchObject([{ seen: 23, added: 0, removed: 1 }]);
    const all = (await runCli(['--format', 'json', 'containers', '--all', '--source', 'prod-eu'], env)).json<
      { pod: string; state: string }[]
    >();
    expect(all.find((r) => r.pod === 'kube-proxy-8jj5r')?.state).toBe('removed');
    expect(
      (await runCli(['--format', 'json', 'containers', '--source', 'prod-eu'], env)).json<unknown[]>(),
    ).toHaveLength(23);
    server.putPod(
      kindCluster().pods.find((p: { metadata: { name: string } }) => p.metadata.name === 'kube-proxy-8jj5r'),
    );
  });

  it('imports a clean CMDB file and refuses a bad one whole, unless --allow-partial', async () => {
    const good = await runCli(
      ['--format', 'json', 'inventory', 'import', join(CMDB, 'good.csv'), '--source-name', 'assets'],
      env,
    );
    expect(good.code).toBe(0);
    expect(good.json()).toMatchObject([{ source: 'assets', kind: 'cmdb', status: 'ok', seen: 3, added: 3 }]);

    const bad = await runCli(['inventory', 'import', join(CMDB, 'bad.csv')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('7 bad rows; nothing was imported');
    expect(bad.stderr).toContain('line 4: digest: expected sha256:<64 hex digits>');
    expect(bad.stderr).toContain('line 9: source_id "ok-1" already used on line 2');
    expect((await runCli(['--format', 'json', 'containers', '--source', 'bad'], env)).json()).toEqual([]);

    const partial = await runCli(
      ['--format', 'json', 'inventory', 'import', join(CMDB, 'bad.csv'), '--allow-partial'],
      env,
    );
    expect(partial.code).toBe(0);
    expect(partial.json()).toMatchObject([{ source: 'bad', status: 'partial', seen: 1, added: 1 }]);
    expect((partial.json() as { errors: unknown[] }[])[0]!.errors).toHaveLength(7);

    const sources = (await runCli(['--format', 'json', 'inventory', 'sources'], env)).json<
      { name: string; lastRun: { status: string } }[]
    >();
    expect(sources.map((s) => [s.name, s.lastRun.status])).toEqual([
      ['assets', 'ok'],
      ['bad', 'partial'],
      ['prod-eu', 'ok'],
    ]);
  });

  it('records an unreachable Docker host as a failed run and exits 3', async () => {
    const r = await runCli(
      [
        '--format',
        'json',
        'inventory',
        'collect',
        'docker',
        '--host',
        'unix:///nonexistent/docker.sock',
        '--name',
        'laptop',
      ],
      env,
    );
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject([{ source: 'laptop', status: 'failed' }]);
    expect(r.stderr).toMatch(/could not be collected: laptop \(cannot reach the Docker Engine API/);
    const bad = await runCli(['inventory', 'collect', 'docker', '--host', 'ftp://x'], env);
    expect(bad.code).toBe(2);
  });

  it('watches until the signal fires, then stops cleanly with a summary', async () => {
    const ac = new AbortController();
    let stdout = '';
    const job = k8sFixture('k9s/pod-busybox-init.json');
    const running = main(
      [
        '--format',
        'json',
        'inventory',
        'watch',
        'kubernetes',
        '--kubeconfig',
        kubeconfig,
        '--cluster-name',
        'watched',
      ],
      {
        env,
        stdout: (s) => {
          stdout += s;
        },
        stderr: () => {},
        stderrIsTTY: false,
        signal: ac.signal,
      },
    );
    const deadline = Date.now() + 15_000;
    while (!server.requests.some((r) => r.query.watch === 'true' && r.query.resourceVersion)) {
      if (Date.now() > deadline) throw new Error('no watch request');
      await new Promise((r) => setTimeout(r, 50));
    }
    server.putPod(job);
    await new Promise((r) => setTimeout(r, 800));
    ac.abort();
    expect(await running).toBe(0);
    const [summary] = JSON.parse(stdout);
    expect(summary).toMatchObject({ source: 'watched', kind: 'kubernetes', status: 'ok' });
    expect(summary.added).toBe(26); // 24 listed + 2 containers of the pod seen through the watch
    // Posture followed the watch: the pod seen through it is resolved and rolled up.
    const store = await openStore({ dataDir: env.RUNSIGHT_DATA_DIR! });
    try {
      const pod = await store.db
        .selectFrom('containers')
        .select(['id', 'resolved_at'])
        .where('cluster', '=', 'watched')
        .where('pod', '=', job.metadata.name)
        .execute();
      expect(pod).toHaveLength(2);
      for (const c of pod) expect(c.resolved_at).not.toBeNull();
      const [cluster] = await readScopePosture(store, 'cluster', { keys: ['watched'] });
      expect(cluster?.containers).toBe(26 - summary.removed);
    } finally {
      await store.close();
    }
  });

  it('the runsight process stops cleanly on SIGTERM and SIGINT while watching', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const before = server.requests.length;
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/bin.ts',
          '--format',
          'json',
          'inventory',
          'watch',
          'kubernetes',
          '--kubeconfig',
          kubeconfig,
          '--cluster-name',
          `proc-${signal}`,
        ],
        { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (!server.requests.slice(before).some((r) => r.query.watch === 'true')) {
        if (Date.now() > deadline) throw new Error('the process never started watching');
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill(signal);
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('hung'), 15_000))]);
      if (code === 'hung') child.kill('SIGKILL');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject([{ source: `proc-${signal}`, status: 'ok' }]);
      expect(JSON.parse(stdout)[0].seen).toBeGreaterThanOrEqual(24);
    }
  }, 120_000);
});
