// Lists real VulnerabilityReports through @kubernetes/client-node from a local HTTP server that
// answers the Kubernetes list endpoint (paged with limit/continue) — the client's real requests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/run-cli.js';
import { raw } from '../test-support/reports.js';
import { kubernetesReportLister, listVulnerabilityReports } from './cluster.js';

const ITEMS = [
  raw('trivy-operator-defectdojo/vulnerabilityreport_extended.json'),
  raw('trivy-operator-defectdojo/vulnerabilityreport_single_vuln.json'),
];
let server: Server;
let kubeconfig: string;
const tmp = mkdtempSync(join(tmpdir(), 'runsight-cluster-'));
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}?${url.searchParams.toString()}`);
    if (url.pathname === '/apis/aquasecurity.github.io/v1alpha1/namespaces/forbidden/vulnerabilityreports') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'forbidden' }));
      return;
    }
    if (url.pathname !== '/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports') {
      res.writeHead(404).end();
      return;
    }
    // One item per page: the client must follow `continue`.
    const i = Number(url.searchParams.get('continue') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'aquasecurity.github.io/v1alpha1',
        kind: 'VulnerabilityReportList',
        metadata: i + 1 < ITEMS.length ? { continue: String(i + 1) } : {},
        items: [ITEMS[i]],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = join(tmp, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: test, user: {token: t0ken}}]
contexts: [{name: test, context: {cluster: test, user: test}}]
current-context: test
`,
  );
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
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
  });
});
