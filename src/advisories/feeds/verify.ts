// Checks a downloaded feed file before anything of it is loaded: a zip must have a readable
// central directory (a truncated zip has none), JSON must parse, an EPSS CSV (gzip or plain) must
// inflate and start with its header, and when a SHA-256 is configured the file must have it.
// A zip's members are then extracted when the feed reads only some of them (cvelistV5's `cves/`).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { FeedError } from './errors.js';
import type { Feed } from './feed-list.js';

/** The file's format, from its first bytes. */
export function sniff(head: Buffer): 'zip' | 'gzip' | 'text' {
  if (head[0] === 0x50 && head[1] === 0x4b) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return 'text';
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** Throws FeedError naming the URL when the file is not what the feed publishes. */
export async function verifyFeedFile(feed: Feed, path: string): Promise<void> {
  if (feed.sha256) {
    const got = await sha256File(path);
    if (got !== feed.sha256.toLowerCase()) {
      throw new FeedError(
        `${feed.url}: SHA-256 ${got}, expected ${feed.sha256} (advisories.feeds.${feed.family}.sha256)`,
      );
    }
  }
  const buf = await readFile(path);
  const format = sniff(buf);
  if (feed.kind === 'osv' || feed.kind === 'cve') {
    if (format !== 'zip') throw new FeedError(`${feed.url}: expected a zip archive, got ${format}`);
    await listZip(path, feed.url);
  } else if (feed.kind === 'kev') {
    try {
      JSON.parse((format === 'gzip' ? gunzipSync(buf) : buf).toString('utf8'));
    } catch (err) {
      throw new FeedError(`${feed.url}: not valid JSON (${(err as Error).message})`);
    }
  } else if (feed.kind === 'epss') {
    let text: string;
    try {
      text = (format === 'gzip' ? gunzipSync(buf) : buf).toString('utf8');
    } catch (err) {
      throw new FeedError(`${feed.url}: not a readable gzip file (${(err as Error).message})`);
    }
    if (!/^(#[^\n]*\n)?cve,epss,percentile\r?\n/.test(text)) {
      throw new FeedError(`${feed.url}: not an EPSS CSV (expected a "cve,epss,percentile" header)`);
    }
  }
}

/** The zip's file names; a zip without a readable central directory throws. */
export async function listZip(path: string, url: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  ).catch((err: Error) => {
    throw new FeedError(`${url}: not a readable zip archive (${err.message})`);
  });
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      names.push(e.fileName);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(new FeedError(`${url}: corrupt zip archive (${err.message})`)));
    zip.readEntry();
  });
  return names;
}

/** Extracts the members matching `members` into `dir` (names kept); returns how many. */
export async function extractMembers(
  path: string,
  members: RegExp,
  dir: string,
  url: string,
): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  ).catch((err: Error) => {
    throw new FeedError(`${url}: not a readable zip archive (${err.message})`);
  });
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(new FeedError(`${url}: corrupt zip archive (${err.message})`));
    zip.on('entry', (e: yauzl.Entry) => {
      if (e.fileName.endsWith('/') || !members.test(e.fileName) || e.fileName.split('/').includes('..')) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(e, (err, stream) => {
        if (err) return fail(err);
        const out = join(dir, e.fileName);
        mkdir(dirname(out), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(out)))
          .then(() => {
            n++;
            zip.readEntry();
          }, fail);
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', fail);
    zip.readEntry();
  });
  return n;
}
