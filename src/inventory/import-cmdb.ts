// Imports a CMDB export (CSV, JSON or JSON Lines) as the full list of its source, or refuses it.
import { InputError } from '../core/errors.js';
import type { InventoryMutation } from '../core/types.js';
import { describeTextChange } from '../core/untrusted-text.js';
import type { InventorySourceSpec, Store } from '../store/index.js';
import { applyInventoryMutation } from './apply-inventory-mutation.js';
import { CmdbImportError } from './providers/cmdb/cmdb-import-error.js';
import { decodeCmdbBytes } from './providers/cmdb/decode-cmdb.js';
import { type CmdbRowError, parseCmdb } from './providers/cmdb/parse-cmdb.js';
import { type CommonOptions, resultOf, type SourceResult } from './source-result.js';

/**
 * Imports a CMDB export. A clean file is a full list of its source (rows no longer in it are
 * closed). A file with bad rows imports nothing, unless `allowPartial`: then the good rows land as a
 * delta (nothing is closed, since a bad row may hide a container that still runs) and the run is
 * recorded as partial with every bad row. A file with no rows at all would empty the source: it is
 * refused unless `allowEmpty`. Bytes must be UTF-8 (else refused with the line); cells whose text
 * was cleaned are returned as warnings with their line.
 */
export async function importCmdbFile(
  store: Store,
  file: { path: string; text: string } | { path: string; bytes: Uint8Array },
  opts: CommonOptions & {
    sourceName: string;
    allowPartial?: boolean | undefined;
    /** Import a file without rows as the (empty) full list: every container of the source is closed. */
    allowEmpty?: boolean | undefined;
    format?: 'csv' | 'json' | 'jsonl' | undefined;
  },
): Promise<SourceResult & { rows: number; rowErrors: CmdbRowError[] }> {
  const text = 'text' in file ? file.text : decodeCmdbBytes(file.path, file.bytes);
  const parsed = parseCmdb(text, { sourceName: opts.sourceName, format: opts.format, keys: opts.keys });
  if (parsed.errors.length && !opts.allowPartial) throw new CmdbImportError(file.path, parsed.errors);
  if (!parsed.errors.length && !parsed.observations.length && !opts.allowEmpty)
    throw new InputError(
      `${file.path}: no rows; importing it would remove every container of source "${opts.sourceName}". Nothing was changed: pass --allow-empty to empty the source on purpose.`,
    );
  const warnings = [...parsed.warnings.map((w) => ({ where: `${file.path}:${w.line}`, message: w.reason }))];
  const source: InventorySourceSpec = { name: opts.sourceName, kind: 'cmdb', config: { file: file.path } };
  const errors = parsed.errors.map((e) => ({ where: `${file.path}:${e.line}`, message: e.reason }));
  const mutation: InventoryMutation = parsed.errors.length
    ? { type: 'delta', added: parsed.observations, removed: [] }
    : { type: 'full', containers: parsed.observations };
  const task = `import ${file.path}`;
  opts.progress?.({ task, done: 0, total: parsed.observations.length, unit: 'rows' });
  const applied = await applyInventoryMutation(store, source, mutation, {
    errors,
    progress: (done) => opts.progress?.({ task, done, total: parsed.observations.length, unit: 'rows' }),
  });
  opts.progress?.({
    task,
    done: parsed.observations.length,
    total: parsed.observations.length,
    unit: 'rows',
  });
  warnings.push(...applied.cleaned.map((c) => ({ where: file.path, message: describeTextChange(c) })));
  for (const w of warnings) opts.logger?.warn('text cleaned', { where: w.where, message: w.message });
  return {
    ...resultOf(source, parsed.observations.length, applied, errors),
    warnings,
    rows: parsed.rows,
    rowErrors: parsed.errors,
  };
}
