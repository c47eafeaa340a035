// Integration: the registry client's patience and its debug log, against local servers started
// here — a body that trickles, 5xx answers whose retry gaps must grow, a TLS certificate that does
// not verify (not retried), and a request log that never shows credentials or signed-URL queries.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { readAll } from '../digest-stream.js';
import { RegistryError, RegistryUnavailableError } from '../errors.js';
import { credentialResolver } from './credentials.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';
import { retryDelayMs } from './retry.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];

async function listen(srv: Server): Promise<string> {
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

async function serve(handler: Handler): Promise<{ host: string; hits: { url: string; at: number }[] }> {
  const hits: { url: string; at: number }[] = [];
  const host = await listen(
    createServer((req, res) => {
      hits.push({ url: req.url ?? '', at: performance.now() });
      handler(req, res);
    }),
  );
  return { host, hits };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const noCreds = credentialResolver({ env: {}, dockerConfigPath: '/nonexistent' });
function client(host: string, extra: RegistryClientOptions = {}) {
  return new RegistryClient(host, { insecureRegistries: [host], credentials: noCreds, ...extra });
}

/** Serves `blob` one byte every `everyMs`. */
function trickle(blob: Buffer, everyMs: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(blob.length) });
    let i = 0;
    const t = setInterval(() => {
      if (res.destroyed || i >= blob.length) {
        clearInterval(t);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(blob.subarray(i, ++i));
    }, everyMs);
    res.on('close', () => clearInterval(t));
  };
}

describe('blob transfer limits', () => {
  const blob = Buffer.alloc(2000, 'a');

  it('aborts a blob that trickles below the minimum throughput', async () => {
    const s = await serve(trickle(blob, 20)); // ~50 B/s: 40 s for the whole blob
    const t0 = performance.now();
    const stream = await client(s.host, {
      minThroughput: 1000,
      throughputWindowMs: 300,
      retry: { retries: 0 },
    }).openBlob('app', sha(blob), { expectedSize: blob.length });
    const err = await readAll(stream).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as Error).message).toMatch(/below registry\.minThroughput 1000 B\/s/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('aborts a blob that does not finish within its size-scaled deadline', async () => {
    const s = await serve(trickle(blob, 5)); // ~200 B/s: 10 s for the whole blob
    const t0 = performance.now();
    const stream = await client(s.host, {
      blobTimeoutMs: 400,
      minThroughput: 10_000, // deadline 400 ms + 2000 B / 10000 B/s = 600 ms
      throughputWindowMs: 60_000,
      retry: { retries: 0 },
    }).openBlob('app', sha(blob), { expectedSize: blob.length });
    const err = await readAll(stream).catch((e: Error) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as Error).message).toMatch(/not complete within 600 ms/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('lets a blob that keeps up through', async () => {
    const small = Buffer.alloc(40, 'b');
    const s = await serve(trickle(small, 5));
    const stream = await client(s.host, { minThroughput: 50, throughputWindowMs: 100 }).openBlob(
      'app',
      sha(small),
      { expectedSize: small.length },
    );
    expect((await readAll(stream)).equals(small)).toBe(true);
  });
});

describe('retries', () => {
  it('backs off exponentially with equal jitter: every wait is at least half its step, capped', () => {
    const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
  });

  it('5xx answers are retried after growing waits', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const err = await client(s.host, { retry: { retries: 3, baseDelayMs: 200, maxDelayMs: 5000 } })
      .ping()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as Error).message).toMatch(/HTTP 503.*after 4 attempts/);
    const gaps = s.hits.slice(1).map((h, i) => h.at - s.hits[i]!.at);
    expect(gaps).toHaveLength(3);
    // Steps 200, 400, 800 ms: each wait at least half its step.
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
  });

  it('a certificate that does not verify fails at once, with the reason, and is not retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runsight-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        'privkey.pem',
        '-out',
        'cert.pem',
      ],
      { cwd: dir, stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } },
    );
    let connections = 0;
    const srv = createHttpsServer(
      { key: readFileSync(join(dir, 'privkey.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end('{}'),
    );
    srv.on('connection', () => connections++);
    const host = await listen(srv);
    const t0 = performance.now();
    const err = await new RegistryClient(host, {
      credentials: noCreds,
      retry: { retries: 4, baseDelayMs: 500 },
    })
      .ping()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as Error).message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT.*not retried/);
    expect(connections).toBe(1);
    expect(performance.now() - t0).toBeLessThan(400);
  });
});

describe('debug log of registry requests', () => {
  it('logs method, URL, status and duration of every request, never credentials or signed queries', async () => {
    const blob = Buffer.from('layer bytes');
    const storage = await serve((_req, res) => res.end(blob));
    const s = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      if (req.url?.includes('/blobs/')) {
        res.writeHead(307, { location: `http://${storage.host}/b?X-Amz-Signature=topsecretsig` });
        return res.end();
      }
      res.end('{}');
    });
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger: Logger = {
      debug: (msg, fields = {}) => lines.push({ msg, fields }),
      info() {},
      warn() {},
      error() {},
    };
    const c = new RegistryClient(s.host, {
      insecureRegistries: [s.host],
      credentials: async () => ({ kind: 'basic', username: 'alice', password: 'hunter2pw', origin: 'test' }),
      logger,
    });
    await c.ping();
    expect((await readAll(await c.openBlob('app', sha(blob)))).equals(blob)).toBe(true);
    const requests = lines.filter((l) => l.msg === 'registry request').map((l) => l.fields);
    expect(requests.map(({ method, url, status }) => ({ method, url, status }))).toEqual([
      { method: 'GET', url: `http://${s.host}/v2/`, status: 401 },
      { method: 'GET', url: `http://${s.host}/v2/`, status: 200 },
      { method: 'GET', url: `http://${s.host}/v2/app/blobs/${sha(blob)}`, status: 307 },
      { method: 'GET', url: `http://${storage.host}/b?…`, status: 200 },
    ]);
    for (const r of requests) expect(typeof r.ms).toBe('number');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2pw');
    expect(text).not.toContain(Buffer.from('alice:hunter2pw').toString('base64'));
    expect(text).not.toContain('topsecretsig');
  });
});
