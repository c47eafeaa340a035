// Test support for the streamed import's equivalence tests (ADR 0029; grype/stream.test.ts,
// cyclonedx/stream.test.ts): a report staged and read back whole, a snapshot of what an import
// landed (scans, packages, findings, finding_changes as a set, current scan; ids replaced by the
// scan's position), and the same file imported by either path.

import type { Logger } from '../../core/logger.js';
import type { Finding, Package } from '../../core/types.js';
import type { Store } from '../../store/index.js';
import type { TestStore } from '../../store/test-support/stores.js';
import { type ImportOptions, type ImportResult, importReports } from '../import-reports.js';
import type { ImportFormat } from '../model.js';
import { readReportFile } from '../read-report.js';
import type { StagedReport } from '../stream-import.js';

// biome-ignore lint/suspicious/noExplicitAny: raw rows compared as they are.
type Json = any;

export const LANDED_TABLES = ['current_scans', 'findings', 'packages', 'finding_changes', 'scans'] as const;

export async function clearLanded(store: Store): Promise<void> {
  for (const t of LANDED_TABLES) await store.db.deleteFrom(t).execute();
}

/** A staged report with its packages and findings read back (inside the staging transaction). */
export async function readStaged(
  store: Store,
  stage: (tx: Store) => Promise<StagedReport>,
): Promise<StagedReport & { packageList: Package[]; findingList: Finding[] }> {
  return store.transaction(async (tx) => {
    const s = await stage(tx);
    const packageList: Package[] = [];
    const findingList: Finding[] = [];
    for await (const b of s.packageBatches()) packageList.push(...b);
    for await (const b of s.findingBatches()) findingList.push(...b);
    return { ...s, packageList, findingList };
  });
}

/** What the imports so far landed, comparable across stores and paths. */
export async function landedSnapshot(store: TestStore) {
  const scans = await store.db.selectFrom('scans').selectAll().orderBy('id').execute();
  const index = new Map(scans.map((s, i) => [s.id, i]));
  const rows = async (t: 'findings' | 'packages') =>
    (await store.db.selectFrom(t).selectAll().orderBy('id').execute()).map(
      ({ id: _id, scan_id, ...r }: Json) => ({ scan: index.get(scan_id), ...r }),
    );
  const changes = (
    await store.db
      .selectFrom('finding_changes')
      .select(['image_digest', 'vulnerability_id', 'package_name', 'change', 'cause'])
      .execute()
  )
    .map((c) => JSON.stringify(c))
    .sort();
  // In a stated order: the heap's order differed between two stores landed alike (seen on PostgreSQL).
  const current = (
    await store.db.selectFrom('current_scans').selectAll().orderBy('image_digest').orderBy('source').execute()
  ).map((c) => ({
    ...c,
    scan_id: index.get(c.scan_id),
  }));
  return {
    scans: scans.map(({ id: _id, started_at, finished_at: _f, ...s }) => ({ ...s, started_at })),
    findings: await rows('findings'),
    packages: await rows('packages'),
    changes,
    current,
  };
}

/** The file read whole (a document in memory never streams) and imported. */
export async function importWhole(
  store: Store,
  file: string,
  format: ImportFormat | 'auto' = 'auto',
  more: Partial<ImportOptions> = {},
): Promise<ImportResult> {
  return importReports(store, {
    ...more,
    format,
    files: [],
    documents: [{ origin: file, data: await readReportFile(file, undefined, format) }],
  });
}

/** The file imported streamed whatever its size. */
export function importStreamedFile(
  store: Store,
  file: string,
  format: ImportFormat | 'auto' = 'auto',
  more: Partial<ImportOptions> = {},
): Promise<ImportResult> {
  return importReports(store, { ...more, format, files: [file], streamMinBytes: 0 });
}

/** An import's summary without when an earlier identical import landed. */
export function summaryOf(r: ImportResult): unknown {
  return r.images.map(({ alreadyImported: _a, ...i }) => i);
}

/** A logger that keeps the formats the streamed path reported reading (`report read streamed`). */
export function streamedLog(): { logger: Logger; streamed: string[] } {
  const streamed: string[] = [];
  const logger: Logger = {
    debug: (msg, f) => void (msg === 'report read streamed' && streamed.push(String(f?.format))),
    info() {},
    warn() {},
    error() {},
  };
  return { logger, streamed };
}

/**
 * Two files imported whole (`a` then `b`), what landed snapshotted and cleared, then the same two
 * imported streamed — `a` with format `auto`, `b` with `format` named — with the formats the
 * streamed path reported reading (the `report read streamed` debug line).
 */
export async function landBothWays(
  store: TestStore,
  [a, b]: [string, string],
  format: ImportFormat,
  more: Partial<ImportOptions> = {},
) {
  const w1 = await importWhole(store, a, 'auto', more);
  const w2 = await importWhole(store, b, 'auto', more);
  const wholeRows = await landedSnapshot(store);
  await clearLanded(store);
  const { logger, streamed } = streamedLog();
  const s1 = await importStreamedFile(store, a, 'auto', { ...more, logger });
  const s2 = await importStreamedFile(store, b, format, { ...more, logger });
  return { w1, w2, s1, s2, wholeRows, streamedRows: await landedSnapshot(store), streamed };
}
