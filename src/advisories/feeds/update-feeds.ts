// `updateFeeds(store, config)`: what `runsight db update` without --source does, and what the
// scheduler runs every `cadence.advisories`. Each feed (feed-list.ts) is fetched conditionally
// (download.ts), verified (verify.ts), then loaded by the same loader as `--source` in ONE
// transaction together with its new state: a feed that fails — at the network, in verification or
// in the loader — writes nothing but its failure, and its previous data and validators stay in
// force. KEV and EPSS run first: when either changed, one full re-match follows at the end;
// otherwise each OSV / CVE-record load re-matches what it touched.
import { mkdtemp, open, rename, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import {
  type FeedStateRow,
  getAdvisorySourceLastModified,
  listEcosystemsInUse,
  listFeedStates,
  type Store,
  saveFeedState,
  setAdvisorySourceLocation,
} from '../../store/index.js';
import { type RematchResult, rematch } from '../rematch.js';
import { updateAdvisories } from '../update.js';
import { downloadFeed } from './download.js';
import { FeedError } from './errors.js';
import { type Feed, type FeedsConfig, isRemote, localPath, resolveFeeds } from './feed-list.js';
import { fetchOsvChanges } from './osv-incremental.js';
import { extractMembers, sniff, verifyFeedFile } from './verify.js';

export interface UpdateFeedsOptions {
  /** Feed names (`osv:Debian`, `kev`) or families (`osv`) to run; all enabled feeds when empty. */
  only?: string[] | undefined;
  /** Re-match touched images afterwards (default true). */
  rematch?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch | undefined;
}

export interface FeedRun {
  name: string;
  url: string;
  outcome: 'updated' | 'unchanged' | 'failed';
  error: string | null;
  /** Bytes downloaded (0 when unchanged). */
  bytes: number;
  /** Records read from the file, and written (new or changed). */
  read: number;
  written: number;
  /** Times the download resumed after a dropped connection. */
  resumed: number;
}

export interface UpdateFeedsResult {
  feeds: FeedRun[];
  /** Feeds that failed (their previous data stays in force). */
  failed: number;
  /** The full re-match after a KEV or EPSS change (OSV/CVE loads re-match incrementally). */
  rematch?: RematchResult | undefined;
}

export async function updateFeeds(
  store: Store,
  config: FeedsConfig,
  opts: UpdateFeedsOptions = {},
): Promise<UpdateFeedsResult> {
  const logger = opts.logger ?? silentLogger;
  const inUse = config.advisories?.feeds?.osv?.ecosystems ? [] : await listEcosystemsInUse(store);
  const all = resolveFeeds(config, inUse);
  const feeds = resolveFeeds(config, inUse, opts.only);
  const unknown = (opts.only ?? []).filter((n) => !all.some((f) => f.name === n || f.family === n));
  if (unknown.length) {
    throw new InputError(
      `no feed named ${unknown.join(', ')}; the feeds are ${all.map((f) => f.name).join(', ') || 'none'} (OSV feeds exist for the ecosystems of stored SBOMs, or advisories.feeds.osv.ecosystems)`,
    );
  }
  if (!feeds.some((f) => f.family === 'osv') && !config.advisories?.feeds?.osv?.ecosystems && !opts.only) {
    logger.info(
      'no OSV feed: no stored SBOM names an ecosystem yet (scan an image, or set advisories.feeds.osv.ecosystems)',
    );
  }
  const states = new Map(
    (
      await listFeedStates(
        store,
        feeds.map((f) => f.name),
      )
    ).map((s) => [s.name, s]),
  );
  const runs: FeedRun[] = [];
  let fullRematch = false;
  for (const feed of feeds) {
    opts.signal?.throwIfAborted();
    const run = await runFeed(store, feed, states.get(feed.name), {
      ...opts,
      logger,
      rematch: opts.rematch !== false && !fullRematch,
    });
    if (run.outcome === 'updated' && (feed.kind === 'kev' || feed.kind === 'epss')) fullRematch = true;
    runs.push(run);
  }
  let rm: RematchResult | undefined;
  if (fullRematch && opts.rematch !== false) {
    rm = await rematch(store, { all: true, signal: opts.signal, logger });
    logger.info('re-matched images', {
      scans: rm.scans,
      newlyAffected: rm.newlyAffected,
      newlyFixed: rm.newlyFixed,
    });
  }
  return { feeds: runs, failed: runs.filter((r) => r.outcome === 'failed').length, rematch: rm };
}

async function runFeed(
  store: Store,
  feed: Feed,
  prev: FeedStateRow | undefined,
  opts: UpdateFeedsOptions & { logger: Logger },
): Promise<FeedRun> {
  const { logger } = opts;
  const run: FeedRun = {
    name: feed.name,
    url: feed.url,
    outcome: 'failed',
    error: null,
    bytes: 0,
    read: 0,
    written: 0,
    resumed: 0,
  };
  // Validators apply only to the URL they came from.
  const validators = prev && prev.url === feed.url ? prev : undefined;
  logger.info('fetching advisory feed', { feed: feed.name, url: feed.url });
  const dir = await mkdtemp(join(tmpdir(), 'runsight-feed-'));
  try {
    let file: string | undefined;
    let loadPath: string;
    let etag: string | null = null;
    let lastModified: string | null = null;
    const since =
      feed.osv && validators?.lastSuccessAt ? await getAdvisorySourceLastModified(store, feed.name) : null;
    const changes =
      since && feed.osv ? await fetchOsvChanges({ ...feed, osv: feed.osv }, since, dir, opts) : undefined;
    if (changes?.status === 'full')
      logger.info('reading all.zip instead of the changes', { feed: feed.name, reason: changes.reason });
    // Nothing new (no OSV change since the last load, or a 304): the state says so, the data stays.
    const unchanged = async (bytes?: number): Promise<FeedRun> => {
      await saveFeedState(store, {
        name: feed.name,
        url: feed.url,
        outcome: 'unchanged',
        etag: validators?.etag,
        lastModified: validators?.lastModified,
      });
      logger.info('advisory feed unchanged', { feed: feed.name });
      return bytes === undefined ? { ...run, outcome: 'unchanged' } : { ...run, outcome: 'unchanged', bytes };
    };
    if (changes?.status === 'unchanged') return unchanged(changes.bytes);
    if (changes?.status === 'fetched') {
      loadPath = changes.dir;
      run.bytes = changes.bytes;
    } else if (isRemote(feed.url)) {
      file = join(dir, 'download');
      const d = await downloadFeed({
        url: feed.url,
        dest: file,
        maxBytes: feed.maxBytes,
        etag: validators?.etag,
        lastModified: validators?.lastModified,
        signal: opts.signal,
        logger,
        fetch: opts.fetch,
      });
      if (d.status === 'unchanged') return unchanged();
      ({ etag, lastModified } = d);
      run.bytes = d.bytes;
      run.resumed = d.resumed;
      loadPath = file;
    } else {
      const path = localPath(feed.url);
      const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
        throw new FeedError(`${feed.url} cannot be read: ${err.code ?? err.message}`);
      });
      loadPath = path;
      if (st.isFile()) {
        if (st.size > feed.maxBytes) {
          throw new FeedError(
            `${feed.url} is ${st.size} bytes, above the ${feed.maxBytes}-byte ceiling (advisories.maxDownloadBytes)`,
          );
        }
        etag = `"${st.size}-${Math.trunc(st.mtimeMs)}"`;
        if (validators?.etag === etag && validators.lastOutcome !== 'failed') {
          await saveFeedState(store, { name: feed.name, url: feed.url, outcome: 'unchanged', etag });
          return { ...run, outcome: 'unchanged' };
        }
        file = join(dir, 'local');
        await symlink(path, file);
        run.bytes = st.size;
      }
    }
    if (file) {
      await verifyFeedFile(feed, file);
      // The loader recognises zips and gzip by name: name the file after its content.
      const named = join(dir, `feed${await extension(feed, file)}`);
      await rename(file, named);
      loadPath = named;
      if (feed.members) {
        const out = join(dir, 'members');
        const n = await extractMembers(named, feed.members, out, feed.url);
        if (!n)
          throw new FeedError(`${feed.url}: no member matches ${feed.members} (is this the feed's file?)`);
        loadPath = out;
      }
    }
    const result = await store.transaction(async (tx) => {
      const r = await updateAdvisories(tx, {
        sources: [loadPath],
        kind: feed.kind,
        rematch: opts.rematch !== false && (feed.kind === 'osv' || feed.kind === 'cve'),
        signal: opts.signal,
        logger,
      });
      await setAdvisorySourceLocation(
        tx,
        r.sources.map((s) => s.name),
        feed.url,
      );
      const read = r.sources.reduce((n, s) => n + s.read, 0);
      await saveFeedState(tx, {
        name: feed.name,
        url: feed.url,
        outcome: 'updated',
        etag,
        lastModified,
        bytes: run.bytes,
        records: read,
      });
      return { read, written: r.sources.reduce((n, s) => n + s.written, 0) };
    });
    logger.info('advisory feed loaded', { feed: feed.name, read: result.read, written: result.written });
    return { ...run, outcome: 'updated', ...result };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const message = (err as Error).message.replace(
      new RegExp(`${escapeRe(dir)}(/(feed[.a-z]*|members|download|local))?`, 'g'),
      feed.url,
    );
    logger.warn('advisory feed failed; its previous data stays in force', {
      feed: feed.name,
      error: message,
    });
    await saveFeedState(store, { name: feed.name, url: feed.url, outcome: 'failed', error: message });
    return { ...run, outcome: 'failed', error: message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function extension(feed: Feed, path: string): Promise<string> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(4);
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const format = sniff(head);
  if (format === 'zip') return '.zip';
  const base = feed.kind === 'epss' ? '.csv' : '.json';
  return format === 'gzip' ? `${base}.gz` : base;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
