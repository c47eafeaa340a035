// A small /metrics listener for processes without the HTTP API (`runsight worker --metrics-listen`,
// `runsight agent --metrics-listen`): this process's metrics (build info, jobs it ran, Node.js),
// given a store the job state every worker shares (job_runs, the queue), and the caller's own
// figures (the agent's). GET /healthz answers `ok` for a liveness probe. No posture gauges and no
// authentication: it binds loopback unless told otherwise (docs/metrics.md "Worker listener").
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/index.js';
import { processMetrics } from './process-metrics.js';
import { jobsRegistry, METRICS_CONTENT_TYPE } from './scrape.js';

export interface MetricsListen {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[::1]:PORT`, or a bare `PORT` (loopback, 127.0.0.1). */
export function parseMetricsListen(text: string): MetricsListen {
  const bare = /^\d{1,5}$/.test(text) ? { host: '127.0.0.1', port: Number(text) } : undefined;
  const m = bare ? null : /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const out = bare ?? (m ? { host: m[1] ?? m[2]!, port: Number(m[3]) } : undefined);
  if (!out || out.port > 65535)
    throw new UsageError(
      `--metrics-listen expects HOST:PORT or PORT (e.g. 127.0.0.1:9464, [::1]:9464, 9464 for loopback; 0.0.0.0:9464 for every interface), got "${text}"`,
    );
  return out;
}

export interface MetricsServer {
  /** `http://host:port` as bound (the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions extends MetricsListen {
  /** Adds the shared job state (job_runs, queue counts) to each scrape. */
  store?: Store | undefined;
  /** More exposition text of this process (the agent's `runsight_agent_*` figures). */
  extra?: (() => string) | undefined;
  logger?: Logger | undefined;
}

/** Serves GET /metrics and GET /healthz (anything else: 404, 405) until closed. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = processMetrics();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    void (async () => {
      try {
        let text = await metrics.registry.metrics();
        if (opts.store) text += `\n${await (await jobsRegistry(opts.store)).metrics()}`;
        if (opts.extra) text += `\n${opts.extra()}`;
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : text);
      } catch (err) {
        opts.logger?.error('metrics scrape failed', { error: (err as Error).message });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics unavailable\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
