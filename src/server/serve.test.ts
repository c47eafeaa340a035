// The socket side of `runsight serve`: --listen parsing, HTTPS when a certificate and key are given
// (a self-signed pair made by openssl, as for the Kubernetes test API server), CORS only for configured origins, and the
// request timeout (504 when a request outlives server.requestTimeout).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access.js';
import { silentLogger } from '../core/logger.js';
import { selfSignedCertificate } from '../kubernetes/test-support/api-server.js';
import type { Store } from '../store/index.js';
import { createApp } from './app.js';
import type { AppConfig } from './config.js';
import { parseListen, startServer } from './serve.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-serve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OPERATOR: Principal = { subject: 'token:op', role: 'operator', scope: {}, via: 'token' };
/** An app whose routes under test never reach the store (health, CORS preflight, a stalled body). */
function appWith(config: AppConfig) {
  return createApp({
    store: {} as Store,
    config,
    authenticate: async (h) => (h === 'Bearer op' ? OPERATOR : { status: 401, message: 'no token' }),
    logger: silentLogger,
  });
}

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
  ])('%s', (text, expected) => expect(parseListen(text)).toEqual(expected));
  it.each(['8080', 'host', 'h:99999', 'h:-1'])('refuses %s', (text) => {
    expect(() => parseListen(text)).toThrow(/--listen expects HOST:PORT/);
  });
});

describe('startServer', () => {
  it('serves HTTPS with the given PEM certificate and key', async () => {
    // The self-signed pair the Kubernetes test API server uses, written where --tls-cert/--tls-key read.
    const pair = selfSignedCertificate();
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    writeFileSync(cert, pair.cert);
    writeFileSync(key, pair.key, { mode: 0o600 });
    const running = await startServer(appWith({}), { listen: '127.0.0.1:0', tlsCert: cert, tlsKey: key });
    try {
      expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        request(`${running.url}/healthz`, { ca: readFileSync(cert) }, (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await running.close();
    }
  });

  it('refuses a certificate without a key, and an unreadable file', async () => {
    await expect(startServer(appWith({}), { listen: '127.0.0.1:0', tlsCert: 'c.pem' })).rejects.toThrow(
      /--tls-cert and --tls-key go together/,
    );
    await expect(
      startServer(appWith({}), {
        listen: '127.0.0.1:0',
        tlsCert: join(tmp, 'no.pem'),
        tlsKey: join(tmp, 'no.pem'),
      }),
    ).rejects.toThrow(/--tls-cert .*no\.pem: ENOENT/);
  });
});

describe('CORS and the request timeout', () => {
  it('no CORS headers unless server.corsOrigins lists the origin', async () => {
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://dash.example', 'access-control-request-method': 'GET' },
    };
    expect(
      (await appWith({}).request('/api/v1/posture', preflight)).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const app = appWith({ server: { corsOrigins: ['https://dash.example'] } });
    const ok = await app.request('/api/v1/posture', preflight);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const other = await app.request('/api/v1/posture', {
      ...preflight,
      headers: { ...preflight.headers, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a request that outlives server.requestTimeout is 504 with the error shape', async () => {
    const app = appWith({ server: { requestTimeout: '1s' } });
    const stalled = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(new TextEncoder().encode('{'));
        await new Promise((r) => setTimeout(r, 3000));
        c.close();
      },
    });
    const t0 = Date.now();
    const res = await app.request('/api/v1/imports', {
      method: 'POST',
      body: stalled,
      headers: { authorization: 'Bearer op' },
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      error: { code: 'timeout', message: 'the request took longer than 1s' },
    });
    expect(Date.now() - t0).toBeLessThan(2900);
  });
});
