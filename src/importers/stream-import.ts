// A report imported in bounded memory (ADR 0029): the entries of its big arrays are never all in
// memory. Inside the caller's import transaction they are staged as they stream (temporary tables,
// src/store/queries/importers/import-staging.ts), then converted by the format's reader, deduplicated
// per package key, cleaned and digested page by page, in the order and with the results of the
// whole-document path (parse-report.ts → clean-report.ts → report-digest.ts): the same findings,
// skips and report digest. Only the skipped entries (invalid, duplicate, cleaned: rare) are held, as
// the summary lists them. The format's part is a StreamedFormat (trivy/stream.ts, grype/stream.ts,
// cyclonedx/stream.ts, osv-scanner/stream.ts): which arrays to stage, and how staged entries become
// packages and findings.
import type { z } from 'zod';
import type { Finding, Package } from '../core/types.js';
import { cleanTree, describeTextChange, type TextChange } from '../core/untrusted-text.js';
import type { Store } from '../store/index.js';
import {
  createImportStaging,
  dropStagedItems,
  readStagedFindings,
  readStagedFindingsByPackage,
  readStagedItems,
  readStagedPackages,
  type StagedItem,
  stageFindings,
  stageItems,
  stagePackages,
  updateStagedFindings,
} from '../store/index.js';
import { FindingDeduper, type KeptFinding } from './dedupe.js';
import { detectReportFormat } from './detect.js';
import type { ImportFormat, ParsedImageReport, ReportedFinding, SkippedItem } from './model.js';
import { openReportChunks, reportReadError, reportSyntax } from './read-report.js';
import { ReportHasher } from './report-digest.js';
import { type JsonPathStep, JsonStreamParser } from './stream-json.js';
import { streamYaml, YamlNotStreamable, yamlFileSource } from './stream-yaml.js';

/** Rows per staging write and per page read back: what the importer holds of the entries at once. */
export const STAGING_PAGE = 1000;

/** An array of the report whose entries are staged rather than built. */
export interface StagedArray {
  /** Which group of the report the entries belong to (a Trivy result's index; 0 when there is one). */
  grp: number;
  /** Which array of the group (its position in the format's list of arrays). */
  kind: number;
  /** The item schema: an entry is staged as it reads it (only its keys are built), or whole when it
   * rejects it (`invalid` is told, with the entry's index). */
  schema: z.ZodType;
  invalid?: ((seq: number, error: z.ZodError) => void) | undefined;
}

/** Where a staged entry goes: converted packages and findings, and the entries found invalid. */
export interface ConvertedEntries {
  packages: Package[];
  findings: ReportedFinding[];
  skipped: SkippedItem[];
}

/** A staged entry read back: where it was, and the value it was staged as. */
export interface StagedEntry {
  item: StagedItem;
  element: unknown;
}

/** The format's reader over a report whose big arrays were staged, once the rest is read. */
export interface StagedReader {
  /** The report without packages, findings and skips, in the key order the whole path builds it
   * (asked once every entry was converted). */
  header(): ParsedImageReport;
  /** Converts one page of staged entries, in (grp, kind, seq) order, into `out`. */
  page(tx: Store, entries: StagedEntry[], out: ConvertedEntries): Promise<void>;
  /** After the last page: what comes after the entries (e.g. skips the whole path lists last). */
  end?(tx: Store, out: ConvertedEntries): Promise<void>;
}

/** One format's part of the streamed import. */
export interface StreamedFormat {
  format: ImportFormat;
  /** Called as each array of the document starts: the entries to stage from it; `reset` when a
   * later member of that name replaces everything staged so far (as JSON.parse's last key wins). */
  route(path: readonly JsonPathStep[]): StagedArray | 'reset' | undefined;
  /** The rest of the document (staged arrays left empty) → the reader; throws ReportFormatError as
   * the whole path would for a document that is not this format's. May prepare staging of its own. */
  open(tx: Store, rest: unknown, file: string): Promise<StagedReader>;
}

/** A report read through staging: everything the whole-document path's cleaned report says but its
 * packages and findings, which are read back in batches (cleaned) as often as they are needed. */
export interface StagedReport {
  /** The cleaned report with empty `packages` and `findings`; `skipped` complete. */
  report: ParsedImageReport;
  /** reportDigest of the whole cleaned report. */
  digest: string;
  packages: number;
  findings: number;
  packageBatches: () => AsyncIterable<Package[]>;
  findingBatches: () => AsyncIterable<Finding[]>;
}

/** The document, once read, is another format's after all (`auto`: its head looked like this one's);
 * thrown before anything is converted, so the caller can roll back and read it whole. */
export class StreamedFormatMismatch extends Error {
  override readonly name = 'StreamedFormatMismatch';
  constructor(readonly detected: ImportFormat) {
    super(`the document is a ${detected} report`);
  }
}

/** Reads the report into staging in `tx` (the import's transaction) and returns it as a StagedReport.
 * Throws ReportFormatError for a file that cannot be read, is not JSON, or not the format's report;
 * with `auto`, the format is detected from the document as the whole path does. */
export async function stageReport(
  tx: Store,
  file: string,
  format: StreamedFormat,
  opts: { signal?: AbortSignal | undefined; auto?: boolean | undefined } = {},
): Promise<StagedReport> {
  await createImportStaging(tx);
  const rest = await streamToStaging(tx, file, format, opts.signal);
  if (opts.auto) {
    // The staged arrays are ones detection does not look at (only their being arrays).
    const detected = detectReportFormat(rest, file);
    if (detected !== format.format) throw new StreamedFormatMismatch(detected);
  }
  const reader = await format.open(tx, rest, file);
  const invalid = await convert(tx, reader);
  await dedupe(tx);
  return digestStaged(tx, reader.header(), invalid);
}

/** Streams the file: the entries of the format's arrays are staged (each as the schema reads it, or
 * whole when it rejects it), everything else is built; returns the rest. */
async function streamToStaging(
  tx: Store,
  file: string,
  format: StreamedFormat,
  signal?: AbortSignal,
): Promise<unknown> {
  type Op = StagedItem | { drop: { grp: number; kind: number } | undefined };
  let ops: Op[] = [];
  const parser = new JsonStreamParser((path: readonly JsonPathStep[]) => {
    const route = format.route(path);
    if (route === 'reset') ops.push({ drop: undefined });
    if (!route || route === 'reset') return undefined;
    const { grp, kind, schema, invalid } = route;
    ops.push({ drop: { grp, kind } }); // a second member of this name replaces the first
    let seq = 0;
    return {
      keys: 'shape' in schema ? new Set(Object.keys(schema.shape as object)) : undefined,
      each: (element: unknown) => {
        const r = schema.safeParse(element);
        if (!r.success) invalid?.(seq, r.error);
        ops.push({ grp, kind, seq: seq++, body: JSON.stringify(r.success ? r.data : element) });
        return undefined;
      },
    };
  });
  const flush = async () => {
    const pending = ops;
    ops = [];
    let items: StagedItem[] = [];
    for (const op of pending) {
      if ('drop' in op) {
        await stageItems(tx, items);
        items = [];
        await dropStagedItems(tx, op.drop);
      } else items.push(op);
    }
    await stageItems(tx, items);
  };
  const { stream, chunks } = openReportChunks(file, signal);
  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      if (ops.length) await flush();
    }
    const doc = parser.end();
    await flush();
    return doc;
  } catch (err) {
    throw reportReadError(file, err);
  } finally {
    stream.destroy();
  }
}

/** Staged entries → staged packages and findings, in the order the reader gives them (the whole
 * path's); the invalid entries are returned as skips. */
async function convert(tx: Store, reader: StagedReader): Promise<SkippedItem[]> {
  const skipped: SkippedItem[] = [];
  let packageOrd = 0;
  let findingOrd = 0;
  const flush = async (out: ConvertedEntries) => {
    skipped.push(...out.skipped);
    await stagePackages(
      tx,
      out.packages.map((p) => ({ ord: packageOrd++, body: JSON.stringify(p) })),
    );
    await stageFindings(
      tx,
      out.findings.map(({ finding: f, reportedId }) => ({
        ord: findingOrd++,
        pkg: JSON.stringify([f.package.ecosystem, f.package.name, f.installedVersion]),
        reportedId,
        body: JSON.stringify(f),
      })),
    );
  };
  let after: StagedItem | undefined;
  for (;;) {
    const page = await readStagedItems(tx, after, STAGING_PAGE);
    if (!page.length) break;
    after = page[page.length - 1];
    const out: ConvertedEntries = { packages: [], findings: [], skipped: [] };
    await reader.page(
      tx,
      page.map((item) => ({ item, element: JSON.parse(item.body) })),
      out,
    );
    await flush(out);
  }
  const out: ConvertedEntries = { packages: [], findings: [], skipped: [] };
  await reader.end?.(tx, out);
  await flush(out);
  return skipped;
}

/** dedupe.ts's rule over the staged findings, one package key at a time (they are read grouped by
 * key): a duplicate gets its skip reason, a kept finding that a duplicate folded into its new aliases. */
async function dedupe(tx: Store): Promise<void> {
  const deduper = new FindingDeduper();
  let group: string | undefined;
  let merged = new Map<number, KeptFinding>();
  let updates: { ord: number; body: string; dupReason: string | null }[] = [];
  const endGroup = () => {
    for (const k of merged.values())
      updates.push({ ord: k.index, body: JSON.stringify(k.finding), dupReason: null });
    merged = new Map();
    deduper.forget();
  };
  let after: { pkg: string; ord: number } | undefined;
  for (;;) {
    const page = await readStagedFindingsByPackage(tx, after, STAGING_PAGE);
    if (!page.length) break;
    after = page[page.length - 1];
    for (const row of page) {
      if (row.pkg !== group) {
        endGroup();
        group = row.pkg;
      }
      const r = deduper.add(
        { finding: JSON.parse(row.body) as Finding, reportedId: row.reportedId },
        row.ord,
      );
      if (r.kept) continue;
      merged.set(r.into.index, r.into);
      updates.push({ ord: row.ord, body: row.body, dupReason: r.skipped.reason });
    }
    if (updates.length >= STAGING_PAGE) {
      await updateStagedFindings(tx, updates);
      updates = [];
    }
  }
  endGroup();
  await updateStagedFindings(tx, updates);
}

/** Cleans and digests the report as clean-report.ts and report-digest.ts do the whole one. */
async function digestStaged(
  tx: Store,
  header: ParsedImageReport,
  invalid: SkippedItem[],
): Promise<StagedReport> {
  const headerChanges: TextChange[] = [];
  const clean = cleanTree(header, '', headerChanges);
  // The whole path names changes in field order: these arrays sit between the header's members
  // and `workloads`.
  const before = headerChanges.filter((c) => !c.field.startsWith('workloads'));
  const after = headerChanges.filter((c) => c.field.startsWith('workloads'));
  const notes: SkippedItem[] = before.map((c) => note(c.field, c));
  const skipped: SkippedItem[] = [...invalid];
  let packages = 0;
  let findings = 0;
  const hash = new ReportHasher();
  const { origin: _origin, ...content } = clean;
  for (const [key, value] of Object.entries(content)) {
    if (key === 'packages') {
      hash.arrayStart(key);
      for await (const page of pages((a) => readStagedPackages(tx, a, STAGING_PAGE)))
        for (const row of page) {
          const changes: TextChange[] = [];
          const p = cleanTree(JSON.parse(row.body) as Package, `packages[${packages}]`, changes, 'packages');
          for (const c of changes) notes.push(note(p.name, c));
          hash.item(p);
          packages++;
        }
      hash.arrayEnd();
    } else if (key === 'findings') {
      hash.arrayStart(key);
      for await (const page of pages((a) => readStagedFindings(tx, a, STAGING_PAGE)))
        for (const row of page) {
          if (row.dupReason !== null) {
            skipped.push({ id: row.reportedId, kind: 'duplicate', reason: row.dupReason });
            continue;
          }
          const changes: TextChange[] = [];
          const f = cleanTree(JSON.parse(row.body) as Finding, `findings[${findings}]`, changes, 'findings');
          for (const c of changes) notes.push(note(f.id, c));
          hash.item(f);
          findings++;
        }
      hash.arrayEnd();
    } else if (key === 'skipped') {
      skipped.forEach((s, i) => {
        const changes: TextChange[] = [];
        skipped[i] = cleanTree(s, `skipped[${i}]`, changes, 'skipped');
        for (const c of changes) notes.push(note(c.field, c));
      });
      for (const c of after) notes.push(note(c.field, c));
      skipped.push(...notes);
      hash.arrayStart(key);
      for (const s of skipped) hash.item(s);
      hash.arrayEnd();
    } else hash.member(key, value);
  }
  return {
    report: { ...clean, skipped },
    digest: hash.digest(),
    packages,
    findings,
    packageBatches: () =>
      cleanBatches(
        pages((a) => readStagedPackages(tx, a, STAGING_PAGE)),
        'packages',
      ),
    findingBatches: () =>
      cleanBatches(
        pages((a) => readStagedFindings(tx, a, STAGING_PAGE, { keptOnly: true })),
        'findings',
      ),
  };
}

function note(id: string, c: TextChange): SkippedItem {
  return { id, kind: 'cleaned', reason: describeTextChange(c) };
}

/** Pages of staged rows in `ord` order. */
async function* pages<R extends { ord: number }>(read: (after: number) => Promise<R[]>): AsyncIterable<R[]> {
  let after = -1;
  for (;;) {
    const page = await read(after);
    if (!page.length) return;
    after = page[page.length - 1]!.ord;
    yield page;
  }
}

async function* cleanBatches<T>(rows: AsyncIterable<{ body: string }[]>, key: string): AsyncIterable<T[]> {
  for await (const page of rows) yield page.map((r) => cleanTree(JSON.parse(r.body) as T, '', [], key));
}

/**
 * A file of many image reports (trivy-operator lists, `trivy k8s` reports; ADR 0029's amendment):
 * each element of the file's big arrays is looked at as it streams, and of it only what the format
 * needs to merge reports of one image is kept (image key, workload, time) — the resource a report
 * may be built from is staged whole, one row each. The image reports are then built one at a time
 * from staging, in the whole path's order, with the whole path's merges.
 */
export interface StreamedReportsFormat {
  format: ImportFormat;
  /** Called as each array of the document starts: what to do with each of its elements (`stage`
   * keeps one in staging under `seq`), or undefined to build the array as JSON.parse would. */
  route(
    path: readonly JsonPathStep[],
    stage: (seq: number, value: unknown) => void,
  ): ((element: unknown) => void) | undefined;
  /** The rest of the document (streamed arrays left empty) → the image reports, each built from its
   * staged resource (`read`). Throws ReportFormatError as the whole path would for this document,
   * StreamedFormatMismatch (with `auto`, or for a shape it does not stream) to read it whole. */
  finish(rest: unknown, auto: boolean): StreamedReports;
}

export interface StreamedReports {
  count: number;
  reports(read: (seq: number) => Promise<unknown>): AsyncIterable<ParsedImageReport>;
}

/** A copy of `value` that shares no string with the text it was parsed from: a string the parser
 * built is a slice of the chunk it came from, and keeps the whole chunk (256 KiB) alive. For what
 * is kept across the file (report-arrays.ts copies its entries for the same reason). */
export function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The entries of `items` as the whole path keeps them (report-arrays.ts): as `schema` reads each,
 * or whole when it rejects it; anything but an array as it is. */
export function slimEntries(schema: z.ZodType, items: unknown): unknown {
  if (!Array.isArray(items)) return items;
  return items.map((e) => {
    const r = schema.safeParse(e);
    return r.success ? r.data : e;
  });
}

/** Reads a file of many image reports through staging in `tx` (the import's transaction). Throws
 * ReportFormatError for a file that cannot be read, is not JSON, or not the format's. */
export async function stageReports(
  tx: Store,
  file: string,
  format: StreamedReportsFormat,
  opts: { signal?: AbortSignal | undefined; auto?: boolean | undefined } = {},
): Promise<{ count: number; reports: () => AsyncIterable<ParsedImageReport> }> {
  await createImportStaging(tx);
  let items: StagedItem[] = [];
  const stage = (seq: number, value: unknown) =>
    items.push({ grp: 0, kind: 0, seq, body: JSON.stringify(value) });
  const flush = async () => {
    if (!items.length) return;
    const pending = items;
    items = [];
    await stageItems(tx, pending);
  };
  const { yaml, size } = await reportSyntax(file, opts.signal);
  let rest: unknown;
  if (yaml) {
    try {
      rest = await streamYaml(
        yamlFileSource(file, size, opts.signal),
        (path) => format.route(path, stage),
        flush,
      );
    } catch (err) {
      if (err instanceof YamlNotStreamable) throw new StreamedFormatMismatch(format.format);
      throw err;
    }
  } else {
    const parser = new JsonStreamParser((path) => {
      const each = format.route(path, stage);
      return each && { each: (element: unknown) => void each(element) };
    });
    const { stream, chunks } = openReportChunks(file, opts.signal);
    try {
      for await (const chunk of chunks) {
        parser.write(chunk);
        await flush();
      }
      rest = parser.end();
    } catch (err) {
      throw reportReadError(file, err);
    } finally {
      stream.destroy();
    }
  }
  await flush();
  const found = format.finish(rest, !!opts.auto);
  const read = async (seq: number) => {
    const [row] = await readStagedItems(tx, { grp: 0, kind: 0, seq: seq - 1 }, 1);
    return JSON.parse(row!.body) as unknown;
  };
  return { count: found.count, reports: () => found.reports(read) };
}
