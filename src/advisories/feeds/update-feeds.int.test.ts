// The default feeds against a loopback HTTP server serving recorded feed files (testdata/feeds,
// SOURCES.md there), on both store dialects: a first update loads every feed of an ecosystem in
// use; a second one gets 304 everywhere and loads nothing; a changed ETag reloads; a truncated zip
// and a size ceiling fail that feed only, keeping the previous data and saying why in the feed
// state; a dropped connection resumes with Range. No test touches the internet.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedStates, saveScan } from '../../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import type { FeedsConfig } from './feed-list.js';
import { feedStatus } from './feed-status.js';
import { updateFeeds } from './update-feeds.js';

const FEEDS = join(import.meta.dirname, '../../../testdata/feeds');
const kinds = await storeKindsToTest();

/** What the test server serves, per path; a test swaps entries to change the feed. */
interface Served {
  body: Buffer;
  /** Close the connection after this many body bytes, once. */
  dropAfter?: number | undefined;
  /** Omit Content-Length (chunked). */
  chunked?: boolean | undefined;
  /** Ignore Range requests and say nothing about ranges. */
  noRanges?: boolean | undefined;
}

class FeedServer {
  readonly files = new Map<string, Served>();
  readonly log: { path: string; headers: IncomingMessage['headers']; status: number }[] = [];
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  serve(path: string, file: string, extra: Omit<Served, 'body'> = {}): void {
    this.files.set(path, { body: readFileSync(isAbsolute(file) ? file : join(FEEDS, file)), ...extra });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const f = this.files.get(path);
    const done = (status: number) => this.log.push({ path, headers: req.headers, status });
    if (!f) {
      done(404);
      res.writeHead(404).end('not found');
      return;
    }
    const etag = `"${createHash('sha256').update(f.body).digest('hex').slice(0, 16)}"`;
    const headers: Record<string, string> = { etag, 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT' };
    if (!f.noRanges) headers['accept-ranges'] = 'bytes';
    if (req.headers['if-none-match'] === etag) {
      done(304);
      res.writeHead(304, headers).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !f.noRanges && req.headers['if-range'] === etag) {
      const start = Number(range[1]);
      done(206);
      res
        .writeHead(206, {
          ...headers,
          'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}`,
          'content-length': String(f.body.length - start),
        })
        .end(f.body.subarray(start));
      return;
    }
    done(200);
    if (!f.chunked) headers['content-length'] = String(f.body.length);
    res.writeHead(200, headers);
    if (f.dropAfter !== undefined) {
      const cut = f.dropAfter;
      f.dropAfter = undefined;
      // Let the client read the first bytes, then drop the connection mid-body.
      res.write(f.body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 200));
      return;
    }
    res.end(f.body);
  }
}

function serveAll(s: FeedServer): void {
  s.serve('/osv/Debian/all.zip', 'osv/Debian/all.zip');
  s.serve('/osv/Alpine/all.zip', 'osv/Alpine/all.zip');
  s.serve('/osv/PyPI/all.zip', 'osv/PyPI/all.zip');
  s.serve('/kev.json', 'kev/known_exploited_vulnerabilities.json');
  s.serve('/epss.csv.gz', 'epss/epss_scores-current.csv.gz');
  s.serve('/cve/main.zip', 'cve/main.zip');
}

function configFor(s: FeedServer, maxDownloadBytes?: number): FeedsConfig {
  return {
    advisories: {
      feeds: {
        osv: { url: `${s.base}/osv` },
        kev: { url: `${s.base}/kev.json` },
        epss: { url: `${s.base}/epss.csv.gz` },
        cve: { url: `${s.base}/cve/main.zip` },
      },
      maxDownloadBytes,
    },
    cadence: { advisories: '6h' },
  };
}

/** One image with a Debian 9 and an Alpine 3.21 package: the ecosystems in use. */
async function seedScan(store: TestStore): Promise<void> {
  const layer = `sha256:${'9'.repeat(64)}`;
  await saveScan(store, {
    imageDigest: `sha256:${'4'.repeat(64)}`,
    source: 'runsight',
    status: 'complete',
    errors: [],
    packages: [
      {
        ecosystem: 'Debian:9',
        name: 'libssl1.1',
        version: '1.1.0l-1~deb9u5',
        sourceName: 'openssl',
        sourceVersion: '1.1.0l-1~deb9u5',
        layer,
      },
      {
        ecosystem: 'Alpine:v3.21',
        name: 'musl',
        version: '1.2.5-r8',
        sourceName: 'musl',
        sourceVersion: '1.2.5-r8',
        layer,
      },
    ],
    findings: [],
  });
}

async function counts(store: TestStore) {
  const n = async (t: 'advisories' | 'kev' | 'epss' | 'cve_scores') =>
    Number(
      (
        await store.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    advisories: await n('advisories'),
    kev: await n('kev'),
    epss: await n('epss'),
    cveScores: await n('cve_scores'),
  };
}

describe.each(kinds)('default feeds on %s', (kind) => {
  let store: TestStore;
  const server = new FeedServer();
  beforeAll(async () => {
    await server.start();
    serveAll(server);
    store = await createTestStore(kind);
    await seedScan(store);
  }, 300_000);
  afterAll(async () => {
    await store?.dispose();
    await server.stop();
  });

  it('loads every feed once, fetching OSV only for the ecosystems in use', async () => {
    const r = await updateFeeds(store, configFor(server));
    expect(r.feeds.map((f) => [f.name, f.outcome])).toEqual([
      ['kev', 'updated'],
      ['epss', 'updated'],
      ['osv:Alpine', 'updated'],
      ['osv:Debian', 'updated'],
      ['cve', 'updated'],
    ]);
    expect(r.failed).toBe(0);
    // 4 DLA records + ALPINE-CVE-2025-26519; one KEV entry; two EPSS rows; CVE-2019-5018 (talos
    // CVSS 3.0) and CVE-2025-26519 (mitre CVSS 3.1; its CISA-ADP container has SSVC only).
    expect(await counts(store)).toEqual({ advisories: 5, kev: 1, epss: 2, cveScores: 2 });
    expect(server.log.map((l) => l.path)).not.toContain('/osv/PyPI/all.zip');
    const debian = r.feeds.find((f) => f.name === 'osv:Debian')!;
    expect(debian).toMatchObject({ bytes: 2300, read: 4, written: 4, resumed: 0 });
    // The advisory sources say where they came from: the feed URL, not a temporary file.
    const src = await store.db
      .selectFrom('advisory_sources')
      .select(['name', 'location'])
      .orderBy('name')
      .execute();
    expect(src.find((s) => s.name === 'osv:Debian')?.location).toBe(`${server.base}/osv/Debian/all.zip`);
    expect(src.find((s) => s.name === 'kev')?.location).toBe(`${server.base}/kev.json`);
  }, 300_000);

  it('gets 304 for every feed the second time and loads nothing', async () => {
    const before = await counts(store);
    const from = server.log.length;
    const r = await updateFeeds(store, configFor(server));
    expect(r.feeds.every((f) => f.outcome === 'unchanged' && f.bytes === 0)).toBe(true);
    // OSV feeds first ask for modified_id.csv (absent here: 404), then for all.zip.
    const reqs = server.log.slice(from).filter((l) => !l.path.endsWith('/modified_id.csv'));
    expect(
      server.log
        .slice(from)
        .filter((l) => l.path.endsWith('/modified_id.csv'))
        .map((l) => l.status),
    ).toEqual([404, 404]);
    expect(reqs.map((l) => l.status)).toEqual([304, 304, 304, 304, 304]);
    expect(reqs.every((l) => typeof l.headers['if-none-match'] === 'string')).toBe(true);
    expect(reqs.every((l) => l.headers['if-modified-since'] === 'Thu, 01 Jan 2026 00:00:00 GMT')).toBe(true);
    expect(await counts(store)).toEqual(before);
  }, 300_000);

  it('reloads a feed whose ETag changed', async () => {
    server.serve('/osv/Debian/all.zip', 'osv/Debian/all-next.zip');
    const r = await updateFeeds(store, configFor(server), { only: ['osv'] });
    expect(r.feeds.map((f) => [f.name, f.outcome])).toEqual([
      ['osv:Alpine', 'unchanged'],
      ['osv:Debian', 'updated'],
    ]);
    // The four DLA records are unchanged by `modified`; DSA-3029-1 is new.
    expect(r.feeds[1]).toMatchObject({ read: 5, written: 1 });
    expect((await counts(store)).advisories).toBe(6);
  }, 300_000);

  it('fails a truncated zip, keeps the previous data and says why in the feed state', async () => {
    const before = await counts(store);
    const good = server.files.get('/osv/Debian/all.zip')!;
    server.files.set('/osv/Debian/all.zip', { body: good.body.subarray(0, 1500) });
    const r = await updateFeeds(store, configFor(server), { only: ['osv:Debian'] });
    expect(r.failed).toBe(1);
    expect(r.feeds[0]!.error).toMatch(
      new RegExp(`^${server.base}/osv/Debian/all.zip: not a readable zip archive`),
    );
    expect(await counts(store)).toEqual(before);
    const [state] = await listFeedStates(store, ['osv:Debian']);
    const [status] = feedStatus([state!], '6h');
    expect(status).toMatchObject({ name: 'osv:Debian', lastOutcome: 'failed' });
    expect(status!.lastError).toContain('not a readable zip archive');
    expect(Date.parse(status!.nextRunAt!) - Date.parse(status!.lastAttemptAt!)).toBe(6 * 3600 * 1000);
    expect(Date.parse(status!.lastSuccessAt!)).toBeLessThan(Date.parse(status!.lastAttemptAt!));
    // The validators of the data in force stayed: the good file again is "unchanged".
    server.files.set('/osv/Debian/all.zip', good);
    const again = await updateFeeds(store, configFor(server), { only: ['osv:Debian'] });
    expect(again.feeds[0]!.outcome).toBe('unchanged');
  }, 300_000);

  it('fails a feed above the size ceiling, announced or not, without touching its data', async () => {
    const before = await counts(store);
    server.serve('/osv/Debian/all.zip', 'osv/PyPI/all.zip');
    const r = await updateFeeds(store, configFor(server, 3000), { only: ['osv:Debian'] });
    expect(r.feeds[0]!.error).toBe(
      `${server.base}/osv/Debian/all.zip is 7362 bytes, above the 3000-byte ceiling (advisories.maxDownloadBytes); nothing was downloaded`,
    );
    server.serve('/osv/Debian/all.zip', 'osv/PyPI/all.zip', { chunked: true });
    const r2 = await updateFeeds(store, configFor(server, 3000), { only: ['osv:Debian'] });
    expect(r2.feeds[0]!.error).toMatch(/is larger than the 3000-byte ceiling/);
    expect(await counts(store)).toEqual(before);
    server.serve('/osv/Debian/all.zip', 'osv/Debian/all-next.zip');
  }, 300_000);

  it('checks a pinned SHA-256 before loading', async () => {
    const before = await counts(store);
    // A URL not fetched before (the query string), so no validators are sent: a full download.
    const pinned = (sha256: string): FeedsConfig => ({
      advisories: {
        feeds: {
          osv: { enabled: false },
          epss: { enabled: false },
          cve: { enabled: false },
          kev: { url: `${server.base}/kev.json?pinned`, sha256 },
        },
      },
    });
    const bad = await updateFeeds(store, pinned('0'.repeat(64)));
    expect(await counts(store)).toEqual(before);
    expect(bad.feeds[0]!.error).toMatch(
      /: SHA-256 [0-9a-f]{64}, expected 0{64} \(advisories\.feeds\.kev\.sha256\)$/,
    );
    // sha256sum testdata/feeds/kev/known_exploited_vulnerabilities.json
    const good = await updateFeeds(
      store,
      pinned('2592dc553fd26839851f19e96b13a841b41dbc4504bdc49b26aa0da40eb38d32'),
    );
    expect(good.feeds[0]).toMatchObject({ name: 'kev', outcome: 'updated', read: 1 });
    expect(await counts(store)).toEqual({ ...before, kev: 1 });
  }, 300_000);

  it('resumes a download after a dropped connection with Range and If-Range', async () => {
    const fresh = await createTestStore(kind);
    try {
      await seedScan(fresh);
      server.serve('/osv/Debian/all.zip', 'osv/Debian/all-next.zip', { dropAfter: 1000 });
      const from = server.log.length;
      const r = await updateFeeds(fresh, configFor(server), { only: ['osv:Debian'] });
      expect(r.feeds[0]).toMatchObject({ outcome: 'updated', bytes: 3014, resumed: 1, read: 5, written: 5 });
      const reqs = server.log.slice(from);
      expect(reqs.map((l) => [l.status, l.headers.range ?? null])).toEqual([
        [200, null],
        [206, 'bytes=1000-'],
      ]);
      expect(reqs[1]!.headers['if-range']).toMatch(/^"[0-9a-f]{16}"$/);
      expect((await counts(fresh)).advisories).toBe(5);
      // Without byte ranges a dropped connection fails the feed with the reason.
      await fresh.db.deleteFrom('feeds').execute();
      server.serve('/osv/Debian/all.zip', 'osv/Debian/all.zip', { dropAfter: 1000, noRanges: true });
      const r2 = await updateFeeds(fresh, configFor(server), { only: ['osv:Debian'] });
      expect(r2.feeds[0]!.error).toMatch(
        /the connection dropped at byte 1000 .* the server does not offer byte ranges/,
      );
      expect((await counts(fresh)).advisories).toBe(5);
    } finally {
      await fresh.dispose();
      server.serve('/osv/Debian/all.zip', 'osv/Debian/all-next.zip');
    }
  }, 300_000);

  it('fetches only the records modified_id.csv lists as changed since the newest one held', async () => {
    const fresh = await createTestStore(kind);
    try {
      await seedScan(fresh);
      server.serve('/osv/Debian/all.zip', 'osv/Debian/all-older.zip');
      const first = await updateFeeds(fresh, configFor(server), { only: ['osv:Debian'] });
      expect(first.feeds[0]).toMatchObject({ outcome: 'updated', read: 3, written: 3 });
      // Now the bucket lists two DLA records modified after DLA-3012-1 (2026-03-09T01:20:46.878115Z),
      // the newest of the three held.
      server.serve('/osv/Debian/modified_id.csv', 'osv/Debian/modified_id.csv');
      const real = join(FEEDS, '../advisories/osv/osv-scanner-offline-dbs/Debian');
      server.serve('/osv/Debian/DLA-3022-1.json', join(real, 'DLA-3022-1.json'));
      server.serve('/osv/Debian/DLA-3008-1.json', join(real, 'DLA-3008-1.json'));
      const from = server.log.length;
      const r = await updateFeeds(fresh, configFor(server), { only: ['osv:Debian'] });
      expect(r.feeds[0]).toMatchObject({ outcome: 'updated', read: 2, written: 2 });
      expect(server.log.slice(from).map((l) => l.path)).toEqual([
        '/osv/Debian/modified_id.csv',
        '/osv/Debian/DLA-3022-1.json',
        '/osv/Debian/DLA-3008-1.json',
      ]);
      expect((await counts(fresh)).advisories).toBe(5);
      // Nothing newer listed: unchanged, without fetching all.zip.
      const again = await updateFeeds(fresh, configFor(server), { only: ['osv:Debian'] });
      expect(again.feeds[0]!.outcome).toBe('unchanged');
      expect(server.log.at(-1)!.path).toBe('/osv/Debian/modified_id.csv');
    } finally {
      await fresh.dispose();
      server.files.delete('/osv/Debian/modified_id.csv');
      server.serve('/osv/Debian/all.zip', 'osv/Debian/all-next.zip');
    }
  }, 300_000);

  it('reads an air-gapped mirror from a local directory, unchanged the second time', async () => {
    const fresh = await createTestStore(kind);
    try {
      await seedScan(fresh);
      const local: FeedsConfig = {
        advisories: {
          feeds: {
            osv: { url: join(FEEDS, 'osv') },
            kev: { url: join(FEEDS, 'kev/known_exploited_vulnerabilities.json') },
            epss: { url: `file://${join(FEEDS, 'epss/epss_scores-current.csv.gz')}` },
            cve: { enabled: false },
          },
        },
      };
      const r = await updateFeeds(fresh, local);
      expect(r.feeds.map((f) => [f.name, f.outcome])).toEqual([
        ['kev', 'updated'],
        ['epss', 'updated'],
        ['osv:Alpine', 'updated'],
        ['osv:Debian', 'updated'],
      ]);
      expect(await counts(fresh)).toEqual({ advisories: 5, kev: 1, epss: 2, cveScores: 0 });
      const r2 = await updateFeeds(fresh, local);
      expect(r2.feeds.every((f) => f.outcome === 'unchanged')).toBe(true);
    } finally {
      await fresh.dispose();
    }
  }, 300_000);
});
