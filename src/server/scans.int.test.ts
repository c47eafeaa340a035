// POST /api/v1/scans against a real registry (Debian's docker-registry, identity/test-support): the
// demo's Alpine 3.18 base, copied there by skopeo with its digests kept, is scanned inline by the
// built-in scanner and stored. Expected by hand (src/cli/commands/counts.test.ts): with the demo's
// OSV record loaded, 1 vulnerability (CVE-2025-26519, HIGH, fixable) and 2 findings (musl,
// musl-utils); the same manifest digest as a local scan of the OCI layout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_DIR } from '../cli/commands/demo/demo-pipeline.js';
import { runCli } from '../cli/test-support/run-cli.js';
import type { Principal } from '../core/access.js';
import { silentLogger } from '../core/logger.js';
import { startRegistry } from '../identity/test-support/registry-server.js';
import { openStore } from '../store/index.js';
import { requireOrSkip } from '../test-support/require-or-skip.js';
import { createApp } from './app.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-scans-int-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OPERATOR: Principal = { subject: 'token:op', role: 'operator', scope: {}, via: 'token' };
const ZERO = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };

describe('POST /api/v1/scans', () => {
  it('scans a registry image inline, stores it, and answers with its figures', {
    timeout: 300_000,
  }, async (ctx) => {
    const reg = await startRegistry();
    if (!requireOrSkip(Boolean(reg), 'docker-registry')) return ctx.skip();
    const dataDir = join(tmp, 'data');
    try {
      const up = await runCli([
        '--data-dir',
        dataDir,
        'db',
        'update',
        '--source',
        join(DEMO_DIR, 'advisories'),
      ]);
      expect(up.code, up.stderr).toBe(0);
      const local = await runCli([
        '--data-dir',
        dataDir,
        '--format',
        'json',
        'scan',
        `oci:${DEMO_DIR}oci:alpine-base-3.18`,
      ]);
      expect(local.code, local.stderr).toBe(0);
      const digest = local.json<{ image: { digest: string } }>().image.digest;
      execFileSync('skopeo', [
        'copy',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${DEMO_DIR}oci:alpine-base-3.18`,
        `docker://${reg!.host}/library/alpine:3.18`,
      ]);
      const store = await openStore({ dataDir });
      try {
        const app = createApp({
          store,
          config: { insecureRegistries: [reg!.host] },
          authenticate: async (h) => (h === 'Bearer op' ? OPERATOR : { status: 401, message: 'no' }),
          logger: silentLogger,
        });
        const res = await app.request('/api/v1/scans', {
          method: 'POST',
          headers: { authorization: 'Bearer op', 'content-type': 'application/json' },
          body: JSON.stringify({ reference: `${reg!.host}/library/alpine:3.18` }),
        });
        const text = await res.text();
        expect(res.status, text).toBe(201);
        expect(JSON.parse(text)).toEqual({
          images: [
            {
              reference: `${reg!.host}/library/alpine:3.18`,
              digest,
              platform: 'linux/amd64',
              status: 'complete',
              errors: [],
              summary: {
                vulnerabilities: { ...ZERO, high: 1, fixable: 1, total: 1 },
                findings: { ...ZERO, high: 2, fixable: 2, total: 2 },
              },
            },
          ],
        });
        // Stored: image show names the built-in scan of that digest.
        const shown = await app.request(`/api/v1/images/${digest}`, {
          headers: { authorization: 'Bearer op' },
        });
        expect(shown.status).toBe(200);
        expect(
          ((await shown.json()) as { sources: { source: string }[] }).sources.map((s) => s.source),
        ).toContain('runsight');
      } finally {
        await store.close();
      }
    } finally {
      await reg!.stop();
    }
  });
});
