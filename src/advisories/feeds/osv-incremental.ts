// OSV's incremental path: the bucket publishes, beside each ecosystem's all.zip, a
// `modified_id.csv` ("<modified>,<ID>" per record, newest first) and every record as `<ID>.json`.
// After a first full load, a feed reads the index down to the newest `modified` it already holds
// and fetches only the records changed since — falling back to all.zip when the index is missing
// (a mirror that does not offer it) or lists more than MAX_CHANGED records.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { downloadFeed } from './download.js';
import { FeedError } from './errors.js';
import type { Feed } from './feed-list.js';

/** Past this many changed records one all.zip is cheaper than one request per record. */
export const MAX_CHANGED = 1000;

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export type OsvChanges =
  | { status: 'unchanged'; bytes: number }
  | { status: 'fetched'; dir: string; ids: string[]; bytes: number }
  | { status: 'full'; reason: string };

/** The ids of `modified_id.csv` modified after `since` (the file is newest first). */
export function changedSince(csv: string, since: Date): string[] | undefined {
  const ids: string[] = [];
  for (const line of csv.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const comma = t.indexOf(',');
    const when = Date.parse(t.slice(0, comma));
    const id = t.slice(comma + 1);
    if (comma < 0 || Number.isNaN(when) || !SAFE_ID.test(id)) return undefined;
    if (when <= since.getTime()) break;
    ids.push(id);
  }
  return ids;
}

export async function fetchOsvChanges(
  feed: Feed & { osv: { base: string; ecosystem: string } },
  since: Date,
  dir: string,
  opts: { signal?: AbortSignal | undefined; logger: Logger; fetch?: typeof fetch | undefined },
): Promise<OsvChanges> {
  const { base, ecosystem } = feed.osv;
  const prefix = `${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}`;
  const indexUrl = `${prefix}/modified_id.csv`;
  opts.logger.info('fetching advisory feed index', { feed: feed.name, url: indexUrl });
  const indexFile = join(dir, 'modified_id.csv');
  let bytes = 0;
  try {
    const d = await downloadFeed({ url: indexUrl, dest: indexFile, maxBytes: feed.maxBytes, ...opts });
    if (d.status !== 'downloaded') return { status: 'full', reason: `${indexUrl} gave no file` };
    bytes += d.bytes;
  } catch (err) {
    return { status: 'full', reason: (err as Error).message };
  }
  const ids = changedSince(await readFile(indexFile, 'utf8'), since);
  if (!ids) return { status: 'full', reason: `${indexUrl} is not "<modified>,<id>" lines` };
  if (!ids.length) return { status: 'unchanged', bytes };
  if (ids.length > MAX_CHANGED) return { status: 'full', reason: `${ids.length} records changed` };
  const out = join(dir, 'records');
  await mkdir(out);
  for (const id of ids) {
    opts.signal?.throwIfAborted();
    const url = `${prefix}/${encodeURIComponent(id)}.json`;
    const d = await downloadFeed({ url, dest: join(out, `${id}.json`), maxBytes: feed.maxBytes, ...opts });
    if (d.status !== 'downloaded') throw new FeedError(`${url}: expected the record, got no file`);
    bytes += d.bytes;
  }
  return { status: 'fetched', dir: out, ids, bytes };
}
