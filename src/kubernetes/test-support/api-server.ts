// Test support: a small Kubernetes API server (node:http) that speaks the real list and watch
// protocol the client library uses: JSON lists with metadata.resourceVersion and limit/continue
// paging; `?watch=true` chunked streams of JSON lines from a resourceVersion with ADDED / MODIFIED /
// DELETED events, BOOKMARK events when allowWatchBookmarks is set, server-side timeoutSeconds, and
// 410 Gone for a compacted resourceVersion (as an HTTP status or an ERROR event, both as real
// servers do). It serves recorded objects (testdata/inventory/k8s) and lets a test change pods.
// Not a general apiserver: pods change; nodes, namespaces, ReplicaSets and Jobs are static.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string } } & Record<
  string,
  unknown
>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface FakeApiServerOptions {
  pods?: Obj[];
  nodes?: Obj[];
  namespaces?: Obj[];
  replicaSets?: Obj[];
  jobs?: Obj[];
  /** Required bearer token; requests without it get 401. */
  token?: string | undefined;
  /** How a compacted resourceVersion is reported on watch: HTTP 410 or an ERROR event (default). */
  goneAs?: 'status' | 'event';
  /** Interval of BOOKMARK events on watches that allow them (default 200 ms). */
  bookmarkMs?: number;
  /** Serve HTTPS with this key and certificate (see selfSignedCertificate). */
  tls?: { key: string; cert: string } | undefined;
}

/** A self-signed certificate for 127.0.0.1 made with the system's openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runsight-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
}

export class FakeKubernetesApiServer {
  private server: Server | undefined;
  private rv = 1000;
  private readonly pods = new Map<string, Obj>();
  private readonly events: { rv: number; type: EventType; object: Obj }[] = [];
  /** Watches from a resourceVersion older than this get 410 Gone. */
  private compactedRv = 0;
  private paused: (() => void)[] | undefined;
  private readonly watchers = new Set<{ ns?: string | undefined; res: ServerResponse }>();
  readonly requests: RequestLog[] = [];
  /** Called before each request is served (a test may compact or change pods here). */
  onRequest: ((r: RequestLog) => void) | undefined;
  url = '';

  constructor(private readonly opts: FakeApiServerOptions = {}) {
    for (const p of opts.pods ?? []) this.store(structuredClone(p));
  }

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    };
    this.server = this.opts.tls ? createHttpsServer(this.opts.tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const scheme = this.opts.tls ? 'https' : 'http';
    this.url = `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Adds or replaces a pod, as the apiserver would after a create or a status update. */
  putPod(pod: Obj): void {
    const key = podKey(pod);
    const type: EventType = this.pods.has(key) ? 'MODIFIED' : 'ADDED';
    this.emit(type, this.store(structuredClone(pod)));
  }

  deletePod(namespace: string, name: string): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    this.pods.delete(`${namespace}/${name}`);
    pod.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', pod);
  }

  /** Forgets history, as etcd compaction does: watches from older resourceVersions get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.events.length = 0;
  }

  /** Holds new watch requests until resume() (while a test changes the world behind the watch). */
  pauseWatches(): void {
    this.paused ??= [];
  }

  resumeWatches(): void {
    const held = this.paused ?? [];
    this.paused = undefined;
    for (const go of held) go();
  }

  /** Ends every open watch stream (as a server restart or timeout would). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  private store(pod: Obj): Obj {
    pod.metadata.resourceVersion = String(++this.rv);
    this.pods.set(podKey(pod), pod);
    return pod;
  }

  private emit(type: EventType, object: Obj): void {
    this.events.push({ rv: Number(object.metadata.resourceVersion), type, object: structuredClone(object) });
    for (const w of this.watchers) {
      if (!w.ns || w.ns === object.metadata.namespace) w.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const logged = { method: req.method ?? 'GET', path: url.pathname, query };
    this.requests.push(logged);
    this.onRequest?.(logged);
    if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) {
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    const p = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const watch = query.watch === 'true' || query.watch === '1';
    // /api/v1/... or /apis/<group>/<version>/...
    const rest = p[0] === 'api' ? p.slice(2) : p[0] === 'apis' ? p.slice(3) : undefined;
    if (!rest) return status(res, 404, 'NotFound', `no route ${url.pathname}`);
    let ns: string | undefined;
    let resource: string;
    let name: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1];
      resource = rest[2]!;
      name = rest[3];
    } else {
      resource = rest[0]!;
      name = rest[1];
    }
    const collection = this.collection(resource, ns);
    if (!collection)
      return status(res, 404, 'NotFound', `the server could not find the requested resource (${resource})`);
    if (name !== undefined) {
      const found = collection.items.find((o) => o.metadata.name === name);
      return found ? json(res, 200, found) : status(res, 404, 'NotFound', `${resource} "${name}" not found`);
    }
    if (watch) {
      if (resource !== 'pods') return status(res, 405, 'MethodNotAllowed', 'only pods are watchable here');
      if (this.paused) {
        this.paused.push(() => this.watch(res, ns, query));
        return;
      }
      return this.watch(res, ns, query);
    }
    const limit = Number(query.limit ?? 0);
    // A continue token carries the list's resourceVersion; after compaction it has expired (410).
    const [offsetText, tokenRv] = query.continue
      ? Buffer.from(query.continue, 'base64url').toString().split(':')
      : ['0'];
    if (tokenRv !== undefined && Number(tokenRv) < this.compactedRv) {
      return status(
        res,
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result.',
      );
    }
    const offset = Number(offsetText);
    const page = limit ? collection.items.slice(offset, offset + limit) : collection.items.slice(offset);
    const next = limit && offset + limit < collection.items.length ? offset + limit : undefined;
    return json(res, 200, {
      kind: collection.kind,
      apiVersion: collection.apiVersion,
      metadata: {
        resourceVersion: this.resourceVersion,
        ...(next !== undefined ? { continue: Buffer.from(`${next}:${this.rv}`).toString('base64url') } : {}),
      },
      items: page,
    });
  }

  private collection(
    resource: string,
    ns: string | undefined,
  ): { kind: string; apiVersion: string; items: Obj[] } | undefined {
    const inNs = (items: Obj[]) => (ns ? items.filter((o) => o.metadata.namespace === ns) : items);
    switch (resource) {
      case 'pods':
        return { kind: 'PodList', apiVersion: 'v1', items: inNs([...this.pods.values()]) };
      case 'nodes':
        return { kind: 'NodeList', apiVersion: 'v1', items: this.opts.nodes ?? [] };
      case 'namespaces':
        return { kind: 'NamespaceList', apiVersion: 'v1', items: this.opts.namespaces ?? [] };
      case 'replicasets':
        return { kind: 'ReplicaSetList', apiVersion: 'apps/v1', items: inNs(this.opts.replicaSets ?? []) };
      case 'jobs':
        return { kind: 'JobList', apiVersion: 'batch/v1', items: inNs(this.opts.jobs ?? []) };
      default:
        return undefined;
    }
  }

  private watch(res: ServerResponse, ns: string | undefined, query: Record<string, string>): void {
    const from = Number(query.resourceVersion ?? 0);
    if (query.resourceVersion && from < this.compactedRv) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      if (this.opts.goneAs === 'status') {
        status(res, 410, 'Expired', message);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } })}\n`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    for (const e of this.events) {
      if (e.rv > from && (!ns || e.object.metadata.namespace === ns)) {
        res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      }
    }
    const w = { ns, res };
    this.watchers.add(w);
    const timers: NodeJS.Timeout[] = [];
    if (query.allowWatchBookmarks === 'true') {
      timers.push(
        setInterval(() => {
          if (res.writableEnded) return;
          res.write(
            `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: this.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`,
          );
        }, this.opts.bookmarkMs ?? 200),
      );
    }
    if (query.timeoutSeconds) timers.push(setTimeout(() => res.end(), Number(query.timeoutSeconds) * 1000));
    res.on('close', () => {
      for (const t of timers) clearTimeout(t);
      this.watchers.delete(w);
    });
  }
}

function podKey(pod: Obj): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

/** A kubeconfig with one context per cluster (`server` URLs), token auth, written by the caller. */
export function kubeconfigYaml(
  clusters: { name: string; server: string; token?: string | undefined; ca?: string | undefined }[],
  current?: string,
): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${current ?? clusters[0]?.name ?? ''}`,
    'clusters:',
  ];
  for (const c of clusters) {
    lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`);
    if (c.ca) lines.push(`    certificate-authority-data: ${Buffer.from(c.ca).toString('base64')}`);
    // The client library refuses plain HTTP unless TLS verification is explicitly skipped.
    else if (c.server.startsWith('http:')) lines.push('    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const c of clusters)
    lines.push(`- name: ${c.name}-user`, '  user:', `    token: ${c.token ?? 'none'}`);
  lines.push('contexts:');
  for (const c of clusters)
    lines.push(`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, `    user: ${c.name}-user`);
  return `${lines.join('\n')}\n`;
}
