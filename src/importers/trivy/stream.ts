// A Trivy SchemaVersion 2 report imported in bounded memory (ADR 0029): its Packages and
// Vulnerabilities entries never are all in memory. Inside the caller's import transaction they are
// staged as they stream (temporary tables, src/store/queries/importers/import-staging.ts), then
// converted, deduplicated per package key, cleaned and digested page by page, in the order and
// with the results of the whole-document path (parse.ts → clean-report.ts → report-digest.ts):
// the same findings, skips and report digest. Only the skipped entries (invalid, duplicate,
// cleaned: rare) are held, as the summary lists them.
import type { Finding, Package } from '../../core/types.js';
import { cleanTree, describeTextChange, type TextChange } from '../../core/untrusted-text.js';
import type { Store } from '../../store/index.js';
import {
  createImportStaging,
  dropStagedItems,
  readStagedFindings,
  readStagedFindingsByPackage,
  readStagedItems,
  readStagedPackages,
  type StagedFinding,
  type StagedItem,
  stageFindings,
  stageItems,
  stagePackages,
  updateStagedFindings,
} from '../../store/index.js';
import { FindingDeduper, type KeptFinding } from '../dedupe.js';
import type { ParsedImageReport, SkippedItem } from '../model.js';
import { openReportChunks, reportReadError } from '../read-report.js';
import { ReportHasher } from '../report-digest.js';
import { type JsonPathStep, JsonStreamParser } from '../stream-json.js';
import { parseItems } from '../validate.js';
import {
  PACKAGE_LABEL,
  parseTrivyReport,
  parseTrivyV2Skeleton,
  type TrivyResultReader,
  VULNERABILITY_LABEL,
} from './parse.js';
import { trivyPackageSchema, trivyVulnerabilitySchema } from './schema.js';

/** Rows per staging write and per page read back: what the importer holds of the entries at once. */
const PAGE = 1000;
const KINDS = ['Packages', 'Vulnerabilities'] as const;
const PACKAGES = 0;
const VULNERABILITIES = 1;

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

/** Reads the report into staging in `tx` (the import's transaction) and returns it as a StagedReport.
 * Throws ReportFormatError for a file that cannot be read, is not JSON, or not a Trivy report. */
export async function stageTrivyReport(tx: Store, file: string, signal?: AbortSignal): Promise<StagedReport> {
  await createImportStaging(tx);
  const skeleton = await streamToStaging(tx, file, signal);
  // A later `SchemaVersion` member overrides the first: the whole path's error for it.
  if ((skeleton as { SchemaVersion?: unknown } | null)?.SchemaVersion !== 2) parseTrivyReport(skeleton, file);
  const { header, readers } = parseTrivyV2Skeleton(skeleton, file);
  const rawResults = (skeleton as { Results?: unknown }).Results;
  const invalid = await convert(tx, readers, Array.isArray(rawResults) ? rawResults : []);
  await dedupe(tx);
  return digestStaged(tx, header, invalid);
}

/** Streams the file: the entries of Results[*].Packages/Vulnerabilities are staged (each as the
 * schema reads it, or whole when it rejects it), everything else is built; returns the rest. */
async function streamToStaging(tx: Store, file: string, signal?: AbortSignal): Promise<unknown> {
  type Op = StagedItem | { drop: { grp: number; kind: number } | undefined };
  let ops: Op[] = [];
  const schemas = [trivyPackageSchema, trivyVulnerabilitySchema] as const;
  const parser = new JsonStreamParser((path: readonly JsonPathStep[]) => {
    if (path.length === 1 && path[0] === 'Results') {
      ops.push({ drop: undefined }); // a second `Results` member replaces the first, as in JSON.parse
      return undefined;
    }
    if (path.length !== 3 || path[0] !== 'Results' || typeof path[1] !== 'number') return undefined;
    const kind = KINDS.indexOf(path[2] as (typeof KINDS)[number]);
    if (kind < 0) return undefined;
    const grp = path[1];
    const schema = schemas[kind]!;
    ops.push({ drop: { grp, kind } });
    let seq = 0;
    return {
      keys: new Set(Object.keys(schema.shape)),
      each: (element: unknown) => {
        const r = schema.safeParse(element);
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

/** Staged entries → staged packages and findings (in the whole path's order: per result, its
 * packages then its vulnerabilities); the invalid entries are returned as skips. */
async function convert(
  tx: Store,
  readers: (TrivyResultReader | undefined)[],
  rawResults: unknown[],
): Promise<SkippedItem[]> {
  const skipped: SkippedItem[] = [];
  let packageOrd = 0;
  let findingOrd = 0;
  let after: StagedItem | undefined;
  for (;;) {
    const page = await readStagedItems(tx, after, PAGE);
    if (!page.length) break;
    after = page[page.length - 1];
    const packages: { ord: number; body: string }[] = [];
    const findings: Omit<StagedFinding, 'dupReason'>[] = [];
    for (const item of page) {
      const reader = readers[item.grp];
      const raw = rawResults[item.grp] as Record<string, unknown> | undefined;
      // A result that holds no image vulnerabilities, or whose array a later member replaced.
      if (!reader || !Array.isArray(raw?.[KINDS[item.kind]!])) continue;
      const element: unknown[] = [JSON.parse(item.body)];
      if (item.kind === PACKAGES) {
        const label = (r: unknown) => PACKAGE_LABEL(r, item.seq);
        for (const p of parseItems(trivyPackageSchema, element, label, skipped, reader.toPackage))
          packages.push({ ord: packageOrd++, body: JSON.stringify(p) });
      } else if (item.kind === VULNERABILITIES) {
        const label = (r: unknown) => VULNERABILITY_LABEL(r, item.seq);
        for (const { finding: f, reportedId } of parseItems(
          trivyVulnerabilitySchema,
          element,
          label,
          skipped,
          reader.toFinding,
        ))
          findings.push({
            ord: findingOrd++,
            pkg: JSON.stringify([f.package.ecosystem, f.package.name, f.installedVersion]),
            reportedId,
            body: JSON.stringify(f),
          });
      }
    }
    await stagePackages(tx, packages);
    await stageFindings(tx, findings);
  }
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
    const page = await readStagedFindingsByPackage(tx, after, PAGE);
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
    if (updates.length >= PAGE) {
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
      for await (const page of pages((a) => readStagedPackages(tx, a, PAGE)))
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
      for await (const page of pages((a) => readStagedFindings(tx, a, PAGE)))
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
        pages((a) => readStagedPackages(tx, a, PAGE)),
        'packages',
      ),
    findingBatches: () =>
      cleanBatches(
        pages((a) => readStagedFindings(tx, a, PAGE, { keptOnly: true })),
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
