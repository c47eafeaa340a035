// `runsight import`: read report files, map each image report to its digest(s), and land each image
// report through saveScan in one transaction (all of it or none of it). A file that cannot be read
// or validated lands nothing; an image that cannot be resolved lands nothing and is listed as
// unresolved. Both are returned as errors (the CLI exits 2 after printing the summary).
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { type ScanRecord, saveImportedScans } from '../store/index.js';
import { ReportFormatError } from './errors.js';
import type { ImportFormat, ParsedImageReport, SkippedItem } from './model.js';
import { parseReport } from './parse-report.js';
import { readReportFile } from './read-report.js';
import { isDigest, parseImageReference } from './reference.js';
import { type ImportMatchMethod, resolveReportImage } from './resolve-image.js';
import { tagObservationsOf } from './tag-observations.js';

export interface ImportOptions {
  format: ImportFormat | 'auto';
  files: string[];
  /** Documents already in memory (e.g. VulnerabilityReports listed from a cluster), by origin. */
  documents?: { origin: string; data: unknown }[] | undefined;
  /** `--image REF|DIGEST`: the image every report in the files describes. */
  image?: string | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

export interface ImageImportSummary {
  reference: string | null;
  digest: string | null;
  matchMethod: ImportMatchMethod;
  confidence: string;
  source: ImportFormat;
  /** Distinct (vulnerability, package, installed version) findings landed. */
  imported: number;
  skipped: SkippedItem[];
  file: string;
  /** Whether this import is now what posture reads for (digest, source); false for a partial
   * import when a complete one is already current. */
  current: boolean;
}

export interface ImportResult {
  images: ImageImportSummary[];
  errors: { file: string; message: string }[];
}

export async function importReports(store: Store, opts: ImportOptions): Promise<ImportResult> {
  const result: ImportResult = { images: [], errors: [] };
  // A bad --image is a usage error before anything lands, not a failure half-way through.
  if (opts.image && !isDigest(opts.image)) parseImageReference(opts.image);
  const inputs: { file: string; data?: unknown }[] = [
    ...opts.files.map((file) => ({ file })),
    ...(opts.documents ?? []).map((d) => ({ file: d.origin, data: d.data })),
  ];
  for (const { file, data } of inputs) {
    opts.signal?.throwIfAborted();
    let reports: ParsedImageReport[];
    try {
      const doc = data !== undefined ? data : await readReportFile(file, opts.signal);
      reports = parseReport(doc, opts.format, file);
      if (opts.image && reports.length > 1)
        throw new ReportFormatError(
          file,
          `--image names one image but this report covers ${reports.length}; import it without --image (each image is mapped from the report) or split it`,
        );
    } catch (err) {
      if (!(err instanceof ReportFormatError)) throw err;
      result.errors.push({ file, message: err.message });
      opts.logger?.error('report not imported', { file, reason: err.message });
      continue;
    }
    for (const report of reports) await importOne(store, report, file, opts, result);
  }
  return result;
}

async function importOne(
  store: Store,
  report: ParsedImageReport,
  file: string,
  opts: ImportOptions,
  result: ImportResult,
): Promise<void> {
  const resolution = await resolveReportImage(store, report.hints, {
    explicit: opts.image,
    scannedAt: report.scannedAt,
  });
  const reference =
    opts.image ?? report.label ?? report.hints.references[0] ?? report.hints.repoDigests[0] ?? null;
  for (const s of report.skipped)
    opts.logger?.warn('finding skipped', { file: report.origin, id: s.id, reason: s.reason });
  if (!resolution.resolved) {
    const message = `${report.origin}: ${resolution.reason}`;
    result.errors.push({ file, message });
    opts.logger?.error('report not imported', { file: report.origin, reason: resolution.reason });
    result.images.push({
      reference,
      digest: null,
      matchMethod: 'unresolved',
      confidence: 'none',
      source: report.format,
      imported: 0,
      skipped: [{ id: reference ?? report.origin, kind: 'invalid', reason: resolution.reason }],
      file,
      current: false,
    });
    return;
  }
  const invalid = report.skipped.filter((s) => s.kind === 'invalid');
  const records: ScanRecord[] = resolution.targets.map((t) => ({
    imageDigest: t.digest,
    source: report.format,
    scannerVersion: report.scannerVersion,
    reference: reference ?? undefined,
    status: invalid.length ? 'partial' : 'complete',
    errors: invalid.map((s) => ({ code: 'invalid-entry', message: `${s.id}: ${s.reason}` })),
    os: report.os,
    startedAt: report.scannedAt,
    stats: {
      import: {
        file: report.origin,
        matchMethod: t.matchMethod,
        confidence: t.confidence,
        via: t.via,
        configDigest: report.hints.configDigest ?? null,
        scanTimeFromReport: !!report.scannedAt,
        workloads: report.workloads,
        skipped: countKinds(report.skipped),
      },
      findings: report.findings.length,
      packages: report.packages.length,
    },
    packages: report.packages,
    findings: report.findings,
  }));
  const saved = await saveImportedScans(
    store,
    records,
    tagObservationsOf(report.hints, report.scannedAt ?? new Date()),
  );
  resolution.targets.forEach((t, i) => {
    result.images.push({
      reference,
      digest: t.digest,
      matchMethod: t.matchMethod,
      confidence: t.confidence,
      source: report.format,
      imported: report.findings.length,
      skipped: report.skipped,
      file,
      current: saved[i]!.current,
    });
  });
}

function countKinds(skipped: SkippedItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of skipped) out[s.kind] = (out[s.kind] ?? 0) + 1;
  return out;
}
