// Imports a CMDB export (CSV, JSON or JSON Lines) as the full list of its source, or refuses it.
// The file is streamed: read and decoded chunk by chunk, parsed and validated into batches of
// observations, each batch landed as it comes, all in one transaction — memory stays bounded
// whatever the file's size (docs/inventory.md, "Large files").
import { InputError } from '../core/errors.js';
import type { ContainerObservation } from '../core/types.js';
import { describeTextChange } from '../core/untrusted-text.js';
import type { InventoryRunError, InventorySourceSpec, InventoryStreamEnd, Store } from '../store/index.js';
import { applyInventoryStream } from './apply-inventory-mutation.js';
import { CmdbImportError } from './providers/cmdb/cmdb-import-error.js';
import { CmdbParser, type CmdbRowError } from './providers/cmdb/parse-cmdb.js';
import { type CmdbInput, cmdbInputSize, cmdbText } from './providers/cmdb/read-cmdb.js';
import { type CommonOptions, resultOf, type SourceResult } from './source-result.js';

/** Observations landed per batch. */
export const CMDB_BATCH = 5000;

/**
 * Above this many ids added + changed + removed, an import returns counts only (`idsOmitted`):
 * posture is then brought up to date by the watermark pass, which finds the unresolved and
 * re-identified containers by itself, instead of by a list of ids held in memory.
 */
export const CMDB_ID_LIMIT = 100_000;

/**
 * Imports a CMDB export. A clean file is a full list of its source (rows no longer in it are
 * closed). A file with bad rows imports nothing, unless `allowPartial`: then the good rows land as a
 * delta (nothing is closed, since a bad row may hide a container that still runs) and the run is
 * recorded as partial with every bad row. A file with no rows at all would empty the source: it is
 * refused unless `allowEmpty`. Bytes must be UTF-8 (else refused with the line); cells whose text
 * was cleaned are returned as warnings with their line.
 *
 * `{path}` alone streams the file from disk. Rows land batch by batch as they are parsed; a bad row
 * found late (without `allowPartial`) stops the writing, the rest is still read for its errors, and
 * the transaction is rolled back, so the previous import stays until a new one fully lands.
 */
export async function importCmdbFile(
  store: Store,
  file: CmdbInput,
  opts: CommonOptions & {
    sourceName: string;
    allowPartial?: boolean | undefined;
    /** Import a file without rows as the (empty) full list: every container of the source is closed. */
    allowEmpty?: boolean | undefined;
    format?: 'csv' | 'json' | 'jsonl' | undefined;
    /** Ids returned at most (default CMDB_ID_LIMIT); beyond, counts only (`idsOmitted`). */
    idLimit?: number | undefined;
  },
): Promise<
  SourceResult & {
    rows: number;
    rowErrors: CmdbRowError[];
    counts: { added: number; changed: number; removed: number };
    idsOmitted: boolean;
  }
> {
  const totalBytes = await cmdbInputSize(file);
  const parser = new CmdbParser({ sourceName: opts.sourceName, format: opts.format, keys: opts.keys });
  const source: InventorySourceSpec = { name: opts.sourceName, kind: 'cmdb', config: { file: file.path } };
  const task = `import ${file.path}`;
  let bytes = 0;
  // Rows written so far; the total is known once the whole file has been parsed.
  const report = (done: number) =>
    opts.progress?.({
      task,
      done,
      total: parser.done ? parser.observed : undefined,
      unit: 'rows',
      ...(totalBytes === undefined ? {} : { bytes, totalBytes }),
    });
  let landed = 0;
  const stopped = () => parser.errors.length > 0 && !opts.allowPartial;

  async function* batches(): AsyncGenerator<ContainerObservation[]> {
    let first = true;
    const give = function* (final: boolean) {
      while (parser.pending >= CMDB_BATCH || (final && parser.pending)) {
        const batch = parser.take();
        // After a bad row (without allowPartial) nothing more is written: the import will be refused.
        if (stopped()) continue;
        if (first) report(0);
        first = false;
        yield batch;
      }
    };
    for await (const text of cmdbText(file, (n) => {
      bytes = n;
      // The parse phase: bytes read, between the writes.
      if (!first) report(landed);
    })) {
      parser.push(text);
      yield* give(false);
    }
    parser.end();
    yield* give(true);
  }

  const errorsOf = (): InventoryRunError[] =>
    sorted(parser.errors).map((e) => ({ where: `${file.path}:${e.line}`, message: e.reason }));
  const end = (): InventoryStreamEnd => {
    if (stopped()) throw new CmdbImportError(file.path, sorted(parser.errors));
    if (!parser.errors.length && !parser.observed && !opts.allowEmpty)
      throw new InputError(
        `${file.path}: no rows; importing it would remove every container of source "${opts.sourceName}". Nothing was changed: pass --allow-empty to empty the source on purpose.`,
      );
    return parser.errors.length ? { type: 'delta', removed: [], errors: errorsOf() } : { type: 'full' };
  };

  // (The writer reads the next batch — parsed and cleaned — while the server lands the ones before:
  // a first import on PostgreSQL streams them into one COPY, any other lands them one by one with
  // readingAhead.)
  const applied = await applyInventoryStream(store, source, batches(), end, {
    idLimit: opts.idLimit ?? CMDB_ID_LIMIT,
    progress: (done) => {
      landed = done;
      report(done);
    },
  });
  report(parser.observed);

  const errors = parser.errors.length ? errorsOf() : [];
  const warnings = parser.warnings.map((w) => ({ where: `${file.path}:${w.line}`, message: w.reason }));
  warnings.push(...applied.cleaned.map((c) => ({ where: file.path, message: describeTextChange(c) })));
  for (const w of warnings) opts.logger?.warn('text cleaned', { where: w.where, message: w.message });
  return {
    ...resultOf(source, parser.observed, applied, errors),
    warnings,
    rows: parser.rows,
    rowErrors: sorted(parser.errors),
    counts: { added: applied.counts.added, changed: applied.counts.changed, removed: applied.counts.removed },
    idsOmitted: applied.idsOmitted,
  };
}

function sorted(errors: CmdbRowError[]): CmdbRowError[] {
  return [...errors].sort((a, b) => a.line - b.line);
}
