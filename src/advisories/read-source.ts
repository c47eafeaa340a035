// Enumerates the files of an advisory source — a directory (walked recursively), a zip (as OSV
// publishes per ecosystem: gs://osv-vulnerabilities/<ecosystem>/all.zip), a single file, or an
// http(s) URL to any of those (downloaded to a temporary file first, streamed) — and detects what
// each file is: OSV record(s), Alpine secdb, CISA KEV, EPSS CSV, OpenVEX or CycloneDX VEX, or a
// CVE JSON 5 record (the CVE List: cvelistV5's `cves/` directory, its zip, or single records).
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import yauzl from 'yauzl';
import type { AdvisorySourceKind } from '../core/advisory.js';
import { AdvisoryFormatError, AdvisorySourceError } from './errors.js';

export interface SourceFile {
  /** Path, `zip!member`, or URL: what error messages name. */
  origin: string;
  /** The directory, zip or URL the user named. */
  location: string;
  text: string;
}

export interface ParsedFile extends SourceFile {
  kind: AdvisorySourceKind;
  /** JSON/YAML documents are parsed; CSV stays text. */
  data: unknown;
}

const DATA_EXT = new Set(['.json', '.yaml', '.yml', '.csv', '.gz']);

/** Yields every data file of the source, in a stable order. */
export async function* readSource(location: string, signal?: AbortSignal): AsyncGenerator<SourceFile> {
  if (/^https?:\/\//i.test(location)) {
    const dir = await mkdtemp(join(tmpdir(), 'runsight-adv-'));
    try {
      const file = join(dir, basename(new URL(location).pathname) || 'download');
      await download(location, file, signal);
      for await (const f of readSource(file, signal))
        yield { ...f, origin: f.origin.replace(file, location), location };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return;
  }
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(location);
  } catch (err) {
    throw new AdvisorySourceError(`advisory source ${location} cannot be read: ${(err as Error).message}`);
  }
  if (st.isDirectory()) {
    for (const path of await walk(location)) {
      signal?.throwIfAborted();
      yield { origin: path, location, text: await readText(path) };
    }
  } else if (extname(location).toLowerCase() === '.zip') {
    yield* readZip(location, signal);
  } else {
    yield { origin: location, location, text: await readText(location) };
  }
}

async function readText(path: string): Promise<string> {
  const buf = await readFile(path);
  return (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && DATA_EXT.has(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

async function download(url: string, file: string, signal?: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    throw new AdvisorySourceError(`could not fetch ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok || !res.body) {
    throw new AdvisorySourceError(
      `fetching ${url} gave HTTP ${res.status}; expected 200 with a zip, JSON, YAML or CSV body`,
    );
  }
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file), { signal });
}

async function* readZip(path: string, signal?: AbortSignal): AsyncGenerator<SourceFile> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
  ).catch((err: Error) => {
    throw new AdvisoryFormatError(path, `not a readable zip archive (${err.message})`);
  });
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (!e.fileName.endsWith('/') && DATA_EXT.has(extname(e.fileName).toLowerCase())) entries.push(e);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  // Reopen to read entries in order (lazy mode above only listed them).
  const reader = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  try {
    entries.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
    for (const e of entries) {
      signal?.throwIfAborted();
      const buf = await new Promise<Buffer>((resolve, reject) =>
        reader.openReadStream(e, (err, s) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => resolve(Buffer.concat(chunks)));
          s.on('error', reject);
        }),
      );
      const text = (e.fileName.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
      yield { origin: `${path}!${e.fileName}`, location: path, text };
    }
  } finally {
    reader.close();
  }
}

/** Parses a file and decides what it is; `forced` (from --kind) skips the guess. */
export function parseFile(f: SourceFile, forced?: AdvisorySourceKind): ParsedFile {
  const name = f.origin.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv') || forced === 'epss') {
    return { ...f, kind: 'epss', data: f.text };
  }
  let data: unknown;
  try {
    data =
      name.endsWith('.yaml') || name.endsWith('.yml')
        ? parseYaml(f.text, { schema: 'failsafe' })
        : JSON.parse(f.text);
  } catch (err) {
    throw new AdvisoryFormatError(
      f.origin,
      `not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  return { ...f, kind: forced ?? detectKind(data), data };
}

export function detectKind(data: unknown): AdvisorySourceKind {
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    if (o.dataType === 'CVE_RECORD') return 'cve';
    if ('catalogVersion' in o && Array.isArray(o.vulnerabilities)) return 'kev';
    if ('distroversion' in o && 'packages' in o) return 'alpine-secdb';
    if (typeof o['@context'] === 'string' && o['@context'].includes('openvex')) return 'vex';
    if (o.bomFormat === 'CycloneDX' && Array.isArray(o.vulnerabilities)) return 'vex';
  }
  return 'osv';
}
