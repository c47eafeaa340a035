// `runsight jobs run inventory` with its sources named in the config file (`inventory.kubernetes`),
// not in flags: the job lists the recorded k9s cluster from the local Kubernetes API stand-in with
// the real client and lands its containers under the configured cluster name and namespaces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  k8sFixture,
  namespaceObject,
} from '../../../inventory/providers/kubernetes/test-support/fixtures.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../../../kubernetes/test-support/api-server.js';
import { runCli } from '../../test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-jobs-inventory-'));
let api: FakeKubernetesApiServer;

beforeAll(async () => {
  api = new FakeKubernetesApiServer({
    pods: ['pod-nginx-replicaset', 'pod-sidecar-containerd', 'pod-cilium-operator', 'pod-busybox-init'].map(
      (f) => k8sFixture(`k9s/${f}.json`),
    ),
    namespaces: [namespaceObject('default'), namespaceObject('kube-system')],
    replicaSets: [k8sFixture('k9s/replicaset.json')],
    jobs: [k8sFixture('k9s/job.json')],
  });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml([{ name: 'k9s', server: await api.start() }]));
  writeFileSync(
    join(dir, 'runsight.yaml'),
    [
      'inventory:',
      '  kubernetes:',
      `    - kubeconfig: ${join(dir, 'kubeconfig')}`,
      '      context: k9s',
      '      clusterName: lab',
      '      namespaces: [default]',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventory jobs from the config file', () => {
  it('collects the configured cluster under its configured name and namespaces', async () => {
    const env = { RUNSIGHT_DATA_DIR: join(dir, 'data'), RUNSIGHT_CONFIG: join(dir, 'runsight.yaml') };
    const run = await runCli(['--format', 'json', 'jobs', 'run', 'inventory'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ kind: string; state: string }[]>()[0]).toMatchObject({
      kind: 'inventory.collect',
      state: 'completed',
    });
    const containers = await runCli(['--format', 'json', 'containers'], env);
    expect(containers.code, containers.stderr).toBe(0);
    const rows = containers.json<{ source: string; cluster: string; namespace: string }[]>();
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => `${r.source} ${r.cluster} ${r.namespace}`))).toEqual(
      new Set(['lab lab default']),
    );
  }, 240_000);
});
