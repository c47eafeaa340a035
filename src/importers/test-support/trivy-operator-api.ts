// A local stand-in for the Kubernetes API as trivy-operator's VulnerabilityReports are listed from
// it: the cluster-wide list endpoint, one real report per page (the client must follow `continue`),
// 403 for the namespace `forbidden`, 404 elsewhere; and a kubeconfig that points at it.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { raw } from './reports.js';

const LIST = '/apis/aquasecurity.github.io/v1alpha1/vulnerabilityreports';
const FORBIDDEN = '/apis/aquasecurity.github.io/v1alpha1/namespaces/forbidden/vulnerabilityreports';

export interface TrivyOperatorApi {
  /** The path of a kubeconfig (current context `test`) for this server. */
  kubeconfig: string;
  /** Every request's `path?query`, in order. */
  seen: string[];
  close(): Promise<void>;
}

/** Starts the stand-in on loopback; writes its kubeconfig into `dir`. */
export async function startTrivyOperatorApi(dir: string): Promise<TrivyOperatorApi> {
  const items = [
    raw('trivy-operator-defectdojo/vulnerabilityreport_extended.json'),
    raw('trivy-operator-defectdojo/vulnerabilityreport_single_vuln.json'),
  ];
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}?${url.searchParams.toString()}`);
    if (url.pathname === FORBIDDEN) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'forbidden' }));
      return;
    }
    if (url.pathname !== LIST) {
      res.writeHead(404).end();
      return;
    }
    const i = Number(url.searchParams.get('continue') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'aquasecurity.github.io/v1alpha1',
        kind: 'VulnerabilityReportList',
        metadata: i + 1 < items.length ? { continue: String(i + 1) } : {},
        items: [items[i]],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig.yaml');
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
  return { kubeconfig, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}
