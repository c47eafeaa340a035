// Lists real VulnerabilityReports through @kubernetes/client-node from a local HTTP server that
// answers the Kubernetes list endpoint (paged with limit/continue) — the client's real requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/run-cli.js';
import { startTrivyOperatorApi, type TrivyOperatorApi } from '../test-support/trivy-operator-api.js';
import { kubernetesReportLister, listVulnerabilityReports } from './cluster.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-cluster-'));
let api: TrivyOperatorApi;
let kubeconfig: string;
let seen: string[];

beforeAll(async () => {
  api = await startTrivyOperatorApi(tmp);
  ({ kubeconfig, seen } = api);
});
afterAll(async () => {
  await api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('trivy-operator reports listed from a cluster', () => {
  it('follows continue tokens and returns every report', async () => {
    const lister = await kubernetesReportLister({ kubeconfig });
    const list = await listVulnerabilityReports(lister, { pageSize: 1 });
    expect(list.items).toHaveLength(2);
    expect(seen.filter((s) => s.includes('limit=1'))).toHaveLength(2);
  });

  it('an API error says what failed and what to check', async () => {
    const lister = await kubernetesReportLister({ kubeconfig });
    await expect(listVulnerabilityReports(lister, { namespace: 'forbidden' })).rejects.toThrow(
      /listing vulnerabilityreports.aquasecurity.github.io failed.*check the kube context/,
    );
  });

  it('runsight import trivy-operator --from-cluster imports what it can map', async () => {
    const dir = join(tmp, 'data');
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'import',
      'trivy-operator',
      '--from-cluster',
      '--kubeconfig',
      kubeconfig,
    ]);
    // The ubuntu report carries its digest; the nginx one names only a tag never observed.
    expect(r.code).toBe(2);
    const images = r.json<{ images: { digest: string | null; matchMethod: string; imported: number }[] }>()
      .images;
    expect(images).toEqual([
      expect.objectContaining({
        digest: 'sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f',
        matchMethod: 'repo-digest',
        imported: 5,
      }),
      expect.objectContaining({ digest: null, matchMethod: 'unresolved', imported: 0 }),
    ]);
  }, 180_000); // a CLI process creating its store: over a minute on a loaded 2-core machine
});
