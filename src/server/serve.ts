// `runsight serve`: the app on a socket — HTTP, or HTTPS when a certificate and key are given —
// and its graceful stop: on the signal the server stops accepting connections, lets every
// in-flight request finish (its write lands whole: each stage write is one transaction), closes
// idle keep-alive connections, and only then does the caller close the store.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { UsageError } from '../core/errors.js';
import type { App } from './app.js';

export const DEFAULT_LISTEN = '127.0.0.1:8080';

export interface ListenOptions {
  /** host:port; port 0 picks a free one. */
  listen: string;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting, waits for in-flight requests, closes idle connections. */
  close(): Promise<void>;
}

/** `host:port`, `[::1]:port` or `:port` (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new UsageError(
      `--listen expects HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, :8080), got "${text}"`,
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function startServer(app: App, opts: ListenOptions): Promise<RunningServer> {
  const { host, port } = parseListen(opts.listen);
  if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey))
    throw new UsageError('--tls-cert and --tls-key go together: give both (PEM files) or neither');
  const tls =
    opts.tlsCert && opts.tlsKey
      ? { cert: await readPem(opts.tlsCert, '--tls-cert'), key: await readPem(opts.tlsKey, '--tls-key') }
      : undefined;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        hostname: host,
        port,
        ...(tls ? { createServer: createHttpsServer, serverOptions: tls } : {}),
      },
      () => resolve(s as Server),
    ) as Server;
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Clients that keep a connection busy (an agent's heartbeats and batches) would hold it
        // open for ever: it is closed the moment it goes idle between two requests.
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        server.close((err) => {
          clearInterval(idle);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

async function readPem(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
