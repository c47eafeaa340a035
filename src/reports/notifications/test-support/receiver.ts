// Test support: a webhook receiver on loopback that checks every request's X-Runsight-Signature
// the way docs/notifications.md tells a receiver to (node:crypto only, none of Runsight's code),
// and records what came. `status` decides the answer (e.g. 503 for a failing receiver).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  path: string;
  body: Record<string, unknown>;
  /** The signature header verified against the secret (null: there was none). */
  signatureValid: boolean | null;
}

export interface Receiver {
  url: string;
  hostPort: string;
  deliveries: Delivery[];
  /** Requests answered with an error status. */
  refused: number;
  status: number;
  close(): Promise<void>;
}

export function verifySignature(
  header: string,
  body: string,
  secret: string,
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'hostPort' | 'close'> = { deliveries: [], refused: 0, status: 204 };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => {
      if (r.status >= 300) {
        r.refused += 1;
        res.writeHead(r.status).end();
        return;
      }
      const header = req.headers['x-runsight-signature'];
      r.deliveries.push({
        path: req.url ?? '',
        body: JSON.parse(text) as Record<string, unknown>,
        signatureValid: typeof header === 'string' ? verifySignature(header, text, secret) : null,
      });
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  }) as Receiver;
}
