// postOutbound against a real receiver on loopback: allowed only through outbound.allowHosts, the
// signature checked the way docs/notifications.md tells a receiver to (node:crypto, not our code),
// redirects not followed, a slow receiver cut off by the per-attempt timeout.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, postOutbound, USER_AGENT } from './outbound.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const SECRET = 'whsec_test_0123456789';
let server: Server;
let port: number;
const received: Received[] = [];

/** The receiver's side, as docs/notifications.md shows it. */
function verify(header: string | undefined, body: string, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return (
    timingSafeEqual(expected, Buffer.from(m[2]!, 'hex')) && Math.abs(Date.now() / 1000 - Number(m[1])) < 300
  );
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end(), 2000);
      } else if (req.url === '/fail') res.writeHead(503).end('down');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('postOutbound to a loopback receiver', () => {
  it('refuses loopback without allowHosts, with a clear reason, sending nothing', async () => {
    const before = received.length;
    const err = await postOutbound({
      url: `http://127.0.0.1:${port}/hook?token=abc`,
      body: '{}',
      contentType: 'application/json',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).reason).toBe('refused');
    expect((err as Error).message).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect((err as Error).message).not.toContain('token=abc');
    expect(received.length).toBe(before);
  });

  it('refuses "localhost" (resolved to loopback) without allowHosts', async () => {
    await expect(
      postOutbound({ url: `http://localhost:${port}/hook`, body: '{}', contentType: 'application/json' }),
    ).rejects.toThrow(/loopback address/);
  });

  it('delivers through allowHosts, signed (t=…,v1=HMAC-SHA256(secret, "t.body")) with the user agent', async () => {
    const body = JSON.stringify({ event: 'new-kev', vulnerability: { id: 'CVE-2024-3094' } });
    const r = await postOutbound({
      url: `http://127.0.0.1:${port}/hook`,
      secret: SECRET,
      body,
      contentType: 'application/json',
      outbound: { allowHosts: [`127.0.0.1:${port}`] },
    });
    expect(r.status).toBe(204);
    const got = received.at(-1)!;
    expect(got.body).toBe(body);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^runsight\/\d+\.\d+\.\d+/);
    expect(verify(got.headers['x-runsight-signature'] as string, got.body, SECRET)).toBe(true);
    expect(verify(got.headers['x-runsight-signature'] as string, `${got.body} `, SECRET)).toBe(false);
    expect(verify(got.headers['x-runsight-signature'] as string, got.body, 'other')).toBe(false);
  });

  it('sends no signature without a secret', async () => {
    await postOutbound({
      url: `http://127.0.0.1:${port}/hook`,
      body: '{}',
      contentType: 'application/json',
      outbound: { allowPrivateAddresses: true },
    });
    expect(received.at(-1)!.headers['x-runsight-signature']).toBeUndefined();
  });

  it('does not follow a redirect, and says so', async () => {
    const n = received.length;
    const err = await postOutbound({
      url: `http://127.0.0.1:${port}/redirect`,
      body: '{}',
      contentType: 'application/json',
      outbound: { allowHosts: [`127.0.0.1:${port}`] },
    }).catch((e: unknown) => e);
    expect((err as OutboundError).status).toBe(302);
    expect((err as Error).message).toMatch(/redirects are not followed/);
    expect(received.length).toBe(n + 1);
  });

  it('fails on a non-2xx with the status, and on a slow receiver after the timeout', async () => {
    const allowed = { allowHosts: [`127.0.0.1:${port}`] };
    const failed = await postOutbound({
      url: `http://127.0.0.1:${port}/fail`,
      body: '{}',
      contentType: 'application/json',
      outbound: allowed,
    }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ reason: 'status', status: 503 });
    expect((failed as Error).message).toBe(`127.0.0.1:${port} answered HTTP 503`);
    const t0 = Date.now();
    const slow = await postOutbound({
      url: `http://127.0.0.1:${port}/slow`,
      body: '{}',
      contentType: 'application/json',
      outbound: allowed,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(slow).toMatchObject({ reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
