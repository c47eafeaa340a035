// `runsight serve` as a real process, on PGlite and on PostgreSQL: tokens of each role (created by
// the auth stage's createToken in the same store), 401/200/403/404 over HTTP, a write by an
// operator (a real Grype report from testdata/), the audit of it, and SIGTERM during a request:
// the request (an import whose body is still arriving) finishes with 201, the process exits 0, and
// the import is in the store afterwards.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { spawnCli, waitForOutput } from '../cli/test-support/spawn-cli.js';
import { openStore, type Store, type StoreKind } from '../store/index.js';
import { createTestStore, storeKindsToTest } from '../store/test-support/stores.js';
import { createToken } from './auth/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GRYPE = join(ROOT, 'testdata/importers/grype');
// From src/cli/commands/import.test.ts: keycloak's amd64 manifest, 6 findings; chainguard ruby, 2.
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const tmp = mkdtempSync(join(tmpdir(), 'runsight-serve-int-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Target {
  /** The CLI's store flags. */
  flags: string[];
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

async function targetFor(kind: StoreKind): Promise<Target> {
  if (kind === 'pglite') {
    const dataDir = join(tmp, 'pglite');
    return { flags: ['--data-dir', dataDir], open: () => openStore({ dataDir }), dispose: async () => {} };
  }
  const test = await createTestStore('postgres'); // a fresh database; trust auth: location is its URL
  const url = test.location;
  return {
    flags: ['--database-url', url],
    open: () => openStore({ databaseUrl: url }),
    dispose: () => test.dispose(),
  };
}

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr(): string;
}

async function serve(flags: string[]): Promise<Served> {
  const cli = spawnCli([...flags, '--log-level', 'info', 'serve', '--listen', '127.0.0.1:0']);
  const m = await waitForOutput(cli, /listening on (http:\/\/\S+)/, 90_000);
  return { child: cli.child, url: m[1]!, exited: cli.exited, stderr: cli.stderr };
}

const kinds = await storeKindsToTest();

describe.each(kinds)('runsight serve on %s', (kind) => {
  it('answers by role and scope, lands an operator import, and stops gracefully on SIGTERM', {
    timeout: 300_000,
  }, async () => {
    const target = await targetFor(kind);
    let served: Served | undefined;
    try {
      // The tokens, in the store the server will own (PGlite: closed again before it starts).
      const store = await target.open();
      const token: Record<string, string> = {};
      for (const [name, role, scopes] of [
        ['viewer', 'viewer', []],
        ['operator', 'operator', []],
        ['admin', 'admin', []],
        ['viewer-c9', 'viewer', ['cluster=c9']],
      ] as const)
        token[name] = (await createToken(store, { name, role, scopes })).token;
      await store.close();

      served = await serve(target.flags);
      const { url } = served;
      const call = (path: string, who?: string, init: RequestInit = {}) =>
        fetch(`${url}${path}`, {
          ...init,
          headers: { ...(who ? { authorization: `Bearer ${token[who]}` } : {}), ...(init.headers ?? {}) },
        });

      expect((await call('/healthz')).status).toBe(200);
      expect(await (await call('/readyz')).json()).toMatchObject({ status: 'ready' });
      expect((await call('/api/v1/containers')).status).toBe(401);
      expect(
        (await call('/api/v1/containers', undefined, { headers: { authorization: 'Bearer rs_nope' } }))
          .status,
      ).toBe(401);
      expect(await (await call('/api/v1/containers', 'viewer')).json()).toEqual({ items: [], next: null });

      // Writes: a viewer may not; an operator imports a real report.
      const keycloak = readFileSync(join(GRYPE, 'keycloak-test.json'));
      expect(
        (await call('/api/v1/imports?format=grype', 'viewer', { method: 'POST', body: keycloak })).status,
      ).toBe(403);
      const imported = await call('/api/v1/imports?format=grype', 'operator', {
        method: 'POST',
        body: keycloak,
      });
      expect(imported.status).toBe(201);
      expect(await imported.json()).toEqual({
        images: [expect.objectContaining({ digest: KEYCLOAK_AMD64, imported: 6, source: 'grype' })],
      });
      // The operator pushes a container of cluster c1; a viewer scoped to c9 gets 404 for it, as for nothing.
      const pushed = await call('/api/v1/inventory/agent/batches', 'operator', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'full',
          containers: [
            {
              id: 'c1/ns/pod/app',
              cluster: 'c1',
              namespace: 'ns',
              container: 'app',
              image: 'docker.io/keycloak/keycloak:21.0.2',
              digest: KEYCLOAK_AMD64,
              digestKind: 'repo',
            },
          ],
        }),
      });
      expect(pushed.status, await pushed.clone().text()).toBe(201);
      const id = encodeURIComponent('c1/ns/pod/app');
      expect((await call(`/api/v1/containers/${id}`, 'viewer')).status).toBe(200);
      const hidden = await call(`/api/v1/containers/${id}`, 'viewer-c9');
      expect(hidden.status).toBe(404);
      expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('not_found');
      expect((await call(`/api/v1/images/${KEYCLOAK_AMD64}`, 'viewer-c9')).status).toBe(404);
      expect((await call(`/api/v1/images/${KEYCLOAK_AMD64}`, 'viewer')).status).toBe(200);

      const audit = (await (await call('/api/v1/audit', 'admin')).json()) as {
        entries: { subject: string; action: string; outcome: string }[];
      };
      expect(audit.entries.map((e) => `${e.subject} ${e.action} ${e.outcome}`)).toEqual([
        'token:operator POST /api/v1/inventory/agent/batches 201',
        'token:operator POST /api/v1/imports 201',
        'token:viewer POST /api/v1/imports 403',
        'anonymous GET /api/v1/containers 401',
        'anonymous GET /api/v1/containers 401',
      ]);
      expect((await call('/api/v1/audit', 'operator')).status).toBe(403);
      // No secret in the log.
      expect(served.stderr()).not.toContain(token.operator!.slice(-12));

      // SIGTERM while an import's body is still arriving: it finishes, then the process exits 0.
      const ruby = readFileSync(join(GRYPE, 'chainguard-ruby-test.json'));
      const answer = new Promise<{ status: number; body: string }>((res, rej) => {
        const req = request(`${url}/api/v1/imports?format=grype`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token.operator}`, 'content-length': ruby.length },
        });
        req.on('response', (r) => {
          let body = '';
          r.on('data', (d) => {
            body += d;
          });
          r.on('end', () => res({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', rej);
        req.write(ruby.subarray(0, 1000));
        setTimeout(() => {
          served!.child.kill('SIGTERM');
          setTimeout(() => req.end(ruby.subarray(1000)), 1500);
        }, 1000);
      });
      const done = await answer;
      expect(done.status, done.body).toBe(201);
      expect(JSON.parse(done.body).images[0].imported).toBe(2);
      expect(await served.exited).toBe(0);
      // Landed whole: the CLI, on the store the server closed, shows the import's image with it.
      const digest = JSON.parse(done.body).images[0].digest as string;
      const shown = await runCli([...target.flags, '--format', 'json', 'image', 'show', digest]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.json<{ sources: { source: string }[] }>().sources.map((s) => s.source)).toEqual(['grype']);
      served = undefined;
    } finally {
      served?.child.kill('SIGKILL');
      await target.dispose();
    }
  });
});
