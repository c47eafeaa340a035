// imports.directory: one report file dropped in the watched directory (config `imports.directory`),
// imported by the same stage function and rule as `runsight import` and POST /api/v1/imports (all of
// a report or none of it), then moved to `<path>/imported/`, or, when it could not be imported, to
// `<path>/failed/` beside a `<name>.error.txt` that says why. The scheduler lists the directory on
// `cadence.imports` and queues one job per ready file, keyed by its name, size and mtime: the queue
// keeps one queued and one active job per key, and a job whose file is gone or changed does nothing
// (the file moved on an earlier run; a changed file is queued again under its new key), so two
// workers never import one file twice. Files still being written (modified within SETTLE_MS), dot
// files and temporary files (.tmp, .part, .swp, ~) are left alone.
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { type ImportFormat, importReports } from '../../importers/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

/** The watched directory (config `imports.directory`). */
export interface DirectoryImportConfig {
  path: string;
  /** As `runsight import FORMAT` (default auto). */
  format?: ImportFormat | 'auto' | undefined;
}

/** A file younger than this (by mtime) may still be being written: it waits for the next listing. */
export const SETTLE_MS = 5_000;

const TEMPORARY = /(\.tmp|\.temp|\.part|\.partial|\.swp|\.crdownload|\.filepart|~)$/i;

/** One ready file as a job: its key (`name@size@mtime`) and the data the handler checks it by. */
export interface DirectoryImportJob {
  key: string;
  data: { file: string; size: number; mtimeMs: number };
}

/** The files of the directory that are ready to import at `now`, oldest first. */
export async function directoryImportJobs(
  config: DirectoryImportConfig,
  now: Date,
  settleMs = SETTLE_MS,
): Promise<DirectoryImportJob[]> {
  let names: string[];
  try {
    names = await readdir(config.path);
  } catch (err) {
    throw new Error(
      `imports.directory ${config.path} cannot be listed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const out: (DirectoryImportJob & { at: number })[] = [];
  for (const name of names) {
    if (name.startsWith('.') || TEMPORARY.test(name)) continue;
    const st = await stat(join(config.path, name)).catch(() => undefined);
    if (!st?.isFile()) continue; // imported/, failed/, other directories, a file just moved
    const mtimeMs = Math.floor(st.mtimeMs);
    if (now.getTime() - mtimeMs < settleMs) continue;
    out.push({
      key: fileKey(name, st.size, mtimeMs),
      data: { file: name, size: st.size, mtimeMs },
      at: mtimeMs,
    });
  }
  return out.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key)).map(({ at: _at, ...j }) => j);
}

function fileKey(name: string, size: number, mtimeMs: number): string {
  return `${name}@${size}@${new Date(mtimeMs).toISOString()}`;
}

export type DirectoryImportOutcome =
  | { file: string; outcome: 'imported'; movedTo: string; images: ImportedImage[] }
  | { file: string; outcome: 'failed'; movedTo: string; errors: string[] }
  | { file: string; outcome: 'gone' };

interface ImportedImage {
  reference: string | null;
  digest: string | null;
  imported: number;
  alreadyImported: boolean;
}

export async function importDirectoryFileJob(
  deps: StageDeps,
  job: Job,
  signal: AbortSignal,
): Promise<DirectoryImportOutcome> {
  const config = deps.imports?.directory;
  if (!config) throw new Error('imports.directory is not configured (docs/configuration.md)');
  const { file, size, mtimeMs } = job.data as Partial<DirectoryImportJob['data']>;
  if (typeof file !== 'string' || basename(file) !== file || file.startsWith('.'))
    throw new Error(
      `imports.directory job without a file name in the directory (got ${JSON.stringify(file)})`,
    );
  const path = join(config.path, file);
  const st = await stat(path).catch(() => undefined);
  // Moved by an earlier run of this key, or rewritten since it was listed (queued again as such).
  if (!st?.isFile() || st.size !== size || Math.floor(st.mtimeMs) !== mtimeMs)
    return { file, outcome: 'gone' };

  const result = await importReports(deps.store, {
    format: config.format ?? 'auto',
    files: [path],
    signal,
    // Not-imported reports come back in result.errors: they go into the .error.txt, once.
    logger: { ...deps.logger, error: (msg, fields) => deps.logger.debug(msg, fields) },
  });
  if (result.images.some((i) => i.digest)) await deps.queue.send('posture.maintain', {});
  if (result.errors.length) {
    const errors = result.errors.map((e) => e.message.replaceAll(path, file));
    const movedTo = await moveInto(config.path, 'failed', file, mtimeMs);
    const landed = result.images.filter((i) => i.digest);
    await writeFile(
      join(config.path, 'failed', `${movedTo}.error.txt`),
      [
        `${file} was not imported (format ${config.format ?? 'auto'}; ${new Date().toISOString()}):`,
        ...errors.map((e) => `- ${e}`),
        ...(landed.length
          ? [
              `Imported from the same file: ${landed.map((i) => `${i.reference ?? '?'} → ${i.digest}`).join(', ')}.`,
            ]
          : ['Nothing of it was imported.']),
        `Fix the report and drop it in ${config.path} again.`,
        '',
      ].join('\n'),
    );
    deps.logger.warn('report file not imported', { file, movedTo: `failed/${movedTo}`, errors });
    return { file, outcome: 'failed', movedTo: `failed/${movedTo}`, errors };
  }
  const movedTo = await moveInto(config.path, 'imported', file, mtimeMs);
  deps.logger.info('report file imported', { file, images: result.images.length });
  return {
    file,
    outcome: 'imported',
    movedTo: `imported/${movedTo}`,
    images: result.images.map((i) => ({
      reference: i.reference,
      digest: i.digest,
      imported: i.imported,
      alreadyImported: !!i.alreadyImported,
    })),
  };
}

/** Moves `dir/file` into `dir/sub/`; under `<stem>.<mtime><ext>` when the name is taken there. */
async function moveInto(
  dir: string,
  sub: 'imported' | 'failed',
  file: string,
  mtimeMs: number,
): Promise<string> {
  await mkdir(join(dir, sub), { recursive: true });
  let name = file;
  if (await exists(join(dir, sub, name))) {
    const ext = extname(file);
    const stamp = new Date(mtimeMs).toISOString().replace(/[:.]/g, '-');
    name = `${file.slice(0, file.length - ext.length)}.${stamp}${ext}`;
    for (let n = 2; await exists(join(dir, sub, name)); n++)
      name = `${file.slice(0, file.length - ext.length)}.${stamp}-${n}${ext}`;
  }
  await rename(join(dir, file), join(dir, sub, name));
  return name;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
