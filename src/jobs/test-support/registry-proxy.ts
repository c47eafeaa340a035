// Test support (workers.int.test.ts, bench/jobs.ts): a loopback HTTP proxy in front of a test
// registry that counts the blob GETs it passes on, per blob digest (the registry's own access log,
// kept by the test), and can hold the first GET of chosen blobs until the test releases it — a scan
// caught in the middle, for as long as the test needs.
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  blob: string;
  release(): void;
}

export class RegistryProxy {
  /** Blob GETs passed on, per blob digest. */
  readonly blobGets = new Map<string, number>();
  /** Blobs whose next GET is held (each once), and what is held now. */
  readonly holdNext = new Set<string>();
  readonly held: HeldRequest[] = [];
  private server: Server | undefined;
  host = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    for (const h of this.held.splice(0)) h.release();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Blob GETs in all, or of the given blobs. */
  count(blobs?: Iterable<string>): number {
    if (!blobs) return [...this.blobGets.values()].reduce((a, b) => a + b, 0);
    let n = 0;
    for (const b of blobs) n += this.blobGets.get(b) ?? 0;
    return n;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const blob =
      req.method === 'GET' ? /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '')?.[1] : undefined;
    const forward = () => {
      const up = new URL(this.upstream);
      const out = request(
        {
          host: up.hostname,
          port: up.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: up.host },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (blob) this.blobGets.set(blob, (this.blobGets.get(blob) ?? 0) + 1);
    if (blob && this.holdNext.delete(blob)) {
      let released = false;
      this.held.push({
        blob,
        release: () => {
          if (released) return;
          released = true;
          if (res.destroyed || req.socket.destroyed) return;
          forward();
        },
      });
      return;
    }
    forward();
  }
}
