// POST /api/v1/sboms in-process (Hono's app.request) over the fleet of test-support/fleet.ts (the
// demo's Alpine advisories: CVE-2025-26519 in musl 1.2.4-r0 on Alpine 3.18). A container is pushed
// running a digest nothing has scanned; a hand-written SBOM listing musl 1.2.4-r0 and musl-utils
// (source package musl) is uploaded for that digest, and the container then shows the CVE: 1
// vulnerability, 2 findings, counted by hand from the two packages. Also: SPDX, the SBOM's own
// subject as the image, 400 for a body that is not an SBOM, 401, 403 for a viewer, 413 over the
// limit, 422 without an image, nothing landing on refusal, idempotence, and the audit entries.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rematch } from '../../advisories/index.js';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import { authenticateAs } from '../test-support/authenticate.js';
import { buildFleet, CVE, type Fleet } from '../test-support/fleet.js';

const PRINCIPALS: Record<string, Principal> = {
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
  operator: { subject: 'token:operator', role: 'operator', scope: {}, via: 'token' },
  admin: { subject: 'token:admin', role: 'admin', scope: {}, via: 'token' },
};
const fakeAuthenticate = authenticateAs(PRINCIPALS);

const DIGEST_A = `sha256:${'a1'.repeat(32)}`;
const DIGEST_B = `sha256:${'b2'.repeat(32)}`;
const DIGEST_C = `sha256:${'c3'.repeat(32)}`;

function cyclonedx(subject?: string) {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: subject ? { component: { type: 'container', name: subject } } : {},
    components: [
      { type: 'operating-system', name: 'alpine', version: '3.18.4' },
      {
        type: 'library',
        name: 'musl',
        version: '1.2.4-r0',
        purl: 'pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=3.18.4',
      },
      {
        type: 'library',
        name: 'musl-utils',
        version: '1.2.4-r0',
        purl: 'pkg:apk/alpine/musl-utils@1.2.4-r0?arch=x86_64&distro=3.18.4',
        properties: [{ name: 'aquasecurity:trivy:SrcName', value: 'musl' }],
      },
      { type: 'library', name: 'no-purl-here', version: '1' },
    ],
  });
}
const spdx = JSON.stringify({
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'registry.demo.local/spdx/app:1',
  dataLicense: 'CC0-1.0',
  packages: [
    {
      SPDXID: 'SPDXRef-OperatingSystem',
      name: 'alpine',
      versionInfo: '3.18.4',
      primaryPackagePurpose: 'OPERATING-SYSTEM',
    },
    {
      SPDXID: 'SPDXRef-musl',
      name: 'musl',
      versionInfo: '1.2.4-r0',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:apk/alpine/musl@1.2.4-r0?distro=3.18.4',
        },
      ],
    },
  ],
});

let fleet: Fleet;
let store: Store;
let app: App;

beforeAll(async () => {
  fleet = await buildFleet();
  store = await openStore({ dataDir: fleet.dataDir });
  app = createApp({ store, config: {}, authenticate: fakeAuthenticate, logger: silentLogger });
}, 600_000);
afterAll(async () => {
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

function post(path: string, token: string | undefined, body: string, a: App = app) {
  return a.request(path, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
}
async function json<T = Record<string, unknown>>(
  res: Response | Promise<Response>,
  status: number,
): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text.slice(0, 500)).toBe(status);
  return JSON.parse(text) as T;
}
type Shown = { findings: { vulnerabilityId: string; packageName: string }[]; counts: Record<string, number> };
async function containerFindings(id: string): Promise<Shown> {
  return json<Shown>(
    app.request(`/api/v1/containers/${encodeURIComponent(id)}`, {
      headers: { authorization: 'Bearer viewer' },
    }),
    200,
  );
}
async function runContainer(id: string, digest: string, image: string) {
  await json(
    app.request('/api/v1/inventory/sbom-test/batches', {
      method: 'POST',
      headers: { authorization: 'Bearer operator', 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'delta',
        added: [
          {
            id,
            cluster: 'c3',
            namespace: 'ns-s',
            container: 'app',
            image,
            digest,
            digestKind: 'repo',
            labels: {},
          },
        ],
      }),
    }),
    201,
  );
}

describe('POST /api/v1/sboms', () => {
  it('stores a CycloneDX SBOM as the digest’s findings; the running container then shows them', async () => {
    await runContainer('sbom-test/a', DIGEST_A, 'registry.demo.local/sbom/app:1');
    expect((await containerFindings('sbom-test/a')).findings).toEqual([]);
    type R = {
      digest: string;
      source: string;
      findings: number;
      packages: number;
      skippedCount: number;
      alreadyImported: boolean;
      matchMethod: string;
    };
    const r = await json<R>(post(`/api/v1/sboms?image=${DIGEST_A}`, 'operator', cyclonedx()), 201);
    expect(r).toMatchObject({
      digest: DIGEST_A,
      source: 'runsight-sbom',
      findings: 2,
      packages: 2,
      skippedCount: 1,
      matchMethod: 'explicit',
      alreadyImported: false,
    });
    const shown = await containerFindings('sbom-test/a');
    expect(shown.findings.map((f) => [f.vulnerabilityId, f.packageName]).sort()).toEqual([
      [CVE, 'musl'],
      [CVE, 'musl-utils'],
    ]);
    expect(shown.counts.high).toBe(1);
    // The same SBOM again: nothing new lands.
    const again = await json<R>(post(`/api/v1/sboms?image=${DIGEST_A}`, 'operator', cyclonedx()), 201);
    expect(again.alreadyImported).toBe(true);
    // Audited with the digest as the target.
    type Audit = { entries: { action: string; target: string | null; outcome: string }[] };
    const audit = await json<Audit>(
      app.request('/api/v1/audit', { headers: { authorization: 'Bearer admin' } }),
      200,
    );
    const mine = audit.entries.filter((e) => e.action === 'POST /api/v1/sboms');
    expect(mine[0]).toMatchObject({ target: DIGEST_A, outcome: '201' });
  }, 120_000);

  it('re-matches stored SBOM findings on an advisory change, keeping their source', async () => {
    // A VEX statement about musl-utils in this image: a full re-match (what db update runs after a
    // VEX, KEV or EPSS change) must re-evaluate the uploaded SBOM's findings too, not only scans.
    await store.db
      .insertInto('vex_statements')
      .values({
        document: 'sbom-rematch-test',
        format: 'openvex',
        product: DIGEST_A,
        subcomponent: 'pkg:apk/alpine/musl-utils',
        vulnerability_id: CVE,
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      })
      .execute();
    const result = await rematch(store, { all: true });
    expect(result.changes.map((c) => c.imageDigest)).toContain(DIGEST_A);
    const rows = await store.db
      .selectFrom('findings')
      .select(['package_name', 'status', 'source'])
      .where('image_digest', '=', DIGEST_A)
      .orderBy('package_name')
      .execute();
    expect(rows).toEqual([
      { package_name: 'musl', status: 'affected', source: 'runsight-sbom' },
      { package_name: 'musl-utils', status: 'not_affected', source: 'runsight-sbom' },
    ]);
  }, 120_000);

  it('stores an SPDX SBOM; a digest reference as image= or as the SBOM’s own subject', async () => {
    await runContainer('sbom-test/b', DIGEST_B, 'registry.demo.local/spdx/app:1');
    const r = await json<{ format: string; digest: string; findings: number }>(
      post(
        `/api/v1/sboms?image=${encodeURIComponent(`registry.demo.local/spdx/app@${DIGEST_B}`)}`,
        'operator',
        spdx,
      ),
      201,
    );
    expect(r).toMatchObject({ format: 'spdx', digest: DIGEST_B, findings: 1 });
    expect((await containerFindings('sbom-test/b')).findings.map((f) => f.packageName)).toEqual(['musl']);
    // Its own subject as a digest reference: no image= needed.
    await runContainer('sbom-test/c', DIGEST_C, 'registry.demo.local/sbom/other:1');
    const own = await json<{ digest: string; matchMethod: string }>(
      post('/api/v1/sboms', 'operator', cyclonedx(`registry.demo.local/sbom/other@${DIGEST_C}`)),
      201,
    );
    expect(own).toMatchObject({ digest: DIGEST_C, matchMethod: 'repo-digest' });
    expect((await containerFindings('sbom-test/c')).findings).toHaveLength(2);
    // image= contradicted by the SBOM's own digest: refused, nothing lands.
    const refused = await json<{ error: { code: string } }>(
      post(`/api/v1/sboms?image=${DIGEST_A}`, 'operator', cyclonedx(`registry.demo.local/x@${DIGEST_B}`)),
      422,
    );
    expect(refused.error.code).toBe('not_imported');
  }, 120_000);

  it('refuses what is not an SBOM (400), no image (422), no token (401), a viewer (403)', async () => {
    const not = await json<{ error: { code: string; message: string } }>(
      post(`/api/v1/sboms?image=${DIGEST_A}`, 'operator', '{"matches":[]}'),
      400,
    );
    expect(not.error.code).toBe('not_an_sbom');
    expect(not.error.message).toMatch(/^request body: neither CycloneDX .* nor SPDX JSON/);
    const notJson = await json<{ error: { message: string } }>(
      post(`/api/v1/sboms?image=${DIGEST_A}`, 'operator', 'PK\u0003\u0004'),
      400,
    );
    expect(notJson.error.message).toContain('expected a CycloneDX or SPDX JSON SBOM, but it is not JSON');
    const noImage = await json<{ error: { code: string; message: string } }>(
      post('/api/v1/sboms', 'operator', cyclonedx()),
      422,
    );
    expect(noImage.error.message).toContain('the SBOM names no image');
    const badRef = await json<{ error: { code: string } }>(
      post('/api/v1/sboms?image=not%20a%20ref', 'operator', cyclonedx()),
      400,
    );
    expect(badRef.error.code).toBe('bad_request');
    await json(post(`/api/v1/sboms?image=${DIGEST_A}`, undefined, cyclonedx()), 401);
    await json(post(`/api/v1/sboms?image=${DIGEST_A}`, 'viewer', cyclonedx()), 403);
  }, 60_000);

  it('413 past server.maxBodyBytes, and nothing lands', async () => {
    const small = createApp({
      store,
      config: { server: { maxBodyBytes: 200 } },
      authenticate: fakeAuthenticate,
      logger: silentLogger,
    });
    const digest = `sha256:${'d4'.repeat(32)}`;
    const r = await json<{ error: { code: string } }>(
      post(`/api/v1/sboms?image=${digest}`, 'operator', cyclonedx(), small),
      413,
    );
    expect(r.error.code).toBe('body_too_large');
    const image = await json<{ sources: unknown[] }>(
      small.request(`/api/v1/images/${digest}`, { headers: { authorization: 'Bearer viewer' } }),
      200,
    );
    expect(image.sources).toEqual([]);
  }, 60_000);
});
