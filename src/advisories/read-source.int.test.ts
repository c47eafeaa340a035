// db update from an http(s) URL: a local HTTP server serves an OSV zip and a secdb JSON file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { AdvisorySourceError } from './errors.js';
import { TESTDATA } from './test-support/expected-packages.js';
import { updateAdvisories } from './update.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-url-'));
let server: Server;
let base = '';
let store: TestStore;

beforeAll(async () => {
  const zip = join(tmp, 'all.zip');
  execFileSync('zip', [
    '-j',
    '-q',
    zip,
    join(TESTDATA, 'osv/osv-scanner-offline-dbs/Debian/DLA-3008-1.json'),
    join(TESTDATA, 'osv/osv-scanner-offline-dbs/Debian/DLA-3051-1.json'),
  ]);
  const files: Record<string, Buffer> = {
    '/Debian/all.zip': readFileSync(zip),
    '/v3.18/main.json': readFileSync(join(TESTDATA, 'derived/secdb-v3.18-main.json')),
  };
  server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  store = await createTestStore('pglite');
});
afterAll(async () => {
  await store?.dispose();
  await new Promise((r) => server?.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe('db update from URLs', () => {
  it('downloads and imports an OSV zip and a secdb JSON file', async () => {
    const r = await updateAdvisories(store, {
      sources: [`${base}/Debian/all.zip`, `${base}/v3.18/main.json`],
    });
    expect(r.sources.map((s) => [s.name, s.read])).toEqual([
      ['osv:Debian', 2],
      ['alpine-secdb:v3.18', 1],
    ]);
    const loc = await store.db
      .selectFrom('advisory_sources')
      .select(['name', 'location'])
      .orderBy('name')
      .execute();
    expect(loc).toEqual([
      { name: 'alpine-secdb:v3.18', location: `${base}/v3.18/main.json` },
      { name: 'osv:Debian', location: `${base}/Debian/all.zip` },
    ]);
  });

  it('an HTTP error is a source error that names the status, and nothing is written', async () => {
    const before = await store.db.selectFrom('advisories').select('id').execute();
    await expect(updateAdvisories(store, { sources: [`${base}/missing.zip`] })).rejects.toThrow(
      AdvisorySourceError,
    );
    await expect(updateAdvisories(store, { sources: [`${base}/missing.zip`] })).rejects.toThrow(/HTTP 404/);
    expect(await store.db.selectFrom('advisories').select('id').execute()).toEqual(before);
  });
});
