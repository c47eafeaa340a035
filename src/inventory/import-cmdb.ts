// Imports a CMDB export (CSV, JSON or JSON Lines) as the full list of its source, or refuses it.
import type { InventoryMutation } from '../core/types.js';
import type { InventorySourceSpec, Store } from '../store/index.js';
import { applyInventoryMutation } from './apply-inventory-mutation.js';
import { CmdbImportError } from './providers/cmdb/cmdb-import-error.js';
import { type CmdbRowError, parseCmdb } from './providers/cmdb/parse-cmdb.js';
import { type CommonOptions, resultOf, type SourceResult } from './source-result.js';

/**
 * Imports a CMDB export. A clean file is a full list of its source (rows no longer in it are
 * closed). A file with bad rows imports nothing, unless `allowPartial`: then the good rows land as a
 * delta (nothing is closed, since a bad row may hide a container that still runs) and the run is
 * recorded as partial with every bad row.
 */
export async function importCmdbFile(
  store: Store,
  file: { path: string; text: string },
  opts: CommonOptions & {
    sourceName: string;
    allowPartial?: boolean | undefined;
    format?: 'csv' | 'json' | 'jsonl' | undefined;
  },
): Promise<SourceResult & { rows: number; rowErrors: CmdbRowError[] }> {
  const parsed = parseCmdb(file.text, { sourceName: opts.sourceName, format: opts.format, keys: opts.keys });
  if (parsed.errors.length && !opts.allowPartial) throw new CmdbImportError(file.path, parsed.errors);
  const source: InventorySourceSpec = { name: opts.sourceName, kind: 'cmdb', config: { file: file.path } };
  const errors = parsed.errors.map((e) => ({ where: `${file.path}:${e.line}`, message: e.reason }));
  const mutation: InventoryMutation = parsed.errors.length
    ? { type: 'delta', added: parsed.observations, removed: [] }
    : { type: 'full', containers: parsed.observations };
  const applied = await applyInventoryMutation(store, source, mutation, { errors });
  return {
    ...resultOf(source, parsed.observations.length, applied, errors),
    rows: parsed.rows,
    rowErrors: parsed.errors,
  };
}
