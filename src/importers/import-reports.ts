// `runsight import`: read report files, map each image report to its digest(s), and land each image
// report through saveScan in one transaction (all of it or none of it). A file that cannot be read
// or validated lands nothing; an image that cannot be resolved lands nothing and is listed as
// unresolved. Both are returned as errors (the CLI exits 2 after printing the summary).

import { stat } from 'node:fs/promises';
import type { Logger } from '../core/logger.js';
import type { ProgressSink } from '../core/progress.js';
import type { Store } from '../store/index.js';
import {
  type SavedScan,
  type ScanRecord,
  saveImportedScans,
  saveStreamedScansIn,
  type TagObservationRow,
} from '../store/index.js';
import { identityConflict } from './check-identity.js';
import { cycloneDxStreamedFormat } from './cyclonedx/stream.js';
import { ReportFormatError } from './errors.js';
import { grypeStreamedFormat } from './grype/stream.js';
import type { ImportFormat, ParsedImageReport, SkippedItem } from './model.js';
import { osvScannerStreamedFormat } from './osv-scanner/stream.js';
import { parseReport } from './parse-report.js';
import {
  readReportFile,
  type StreamedFormatName,
  type StreamedReportsFormatName,
  sniffStreamedFormat,
} from './read-report.js';
import { isDigest, parseImageReference, tryParseImageReference } from './reference.js';
import { reportDigest } from './report-digest.js';
import { type ImportMatchMethod, resolveReportImage } from './resolve-image.js';
import {
  type StreamedFormat,
  StreamedFormatMismatch,
  type StreamedReportsFormat,
  stageReport,
  stageReports,
} from './stream-import.js';
import { tagObservationsOf } from './tag-observations.js';
import { trivyK8sStreamedFormat } from './trivy/k8s-stream.js';
import { trivyStreamedFormat } from './trivy/stream.js';
import { trivyOperatorStreamedFormat } from './trivy-operator/stream.js';

export interface ImportOptions {
  format: ImportFormat | 'auto';
  files: string[];
  /** Documents already in memory (e.g. VulnerabilityReports listed from a cluster), by origin. */
  documents?: { origin: string; data: unknown }[] | undefined;
  /** `--image REF|DIGEST`: the image every report in the files describes. */
  image?: string | undefined;
  /** Land the reports on `--image` even when their own identity says they describe another image. */
  force?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** How far the import got (reports done of the files and documents given); the face shows it. */
  progress?: ProgressSink | undefined;
  /** The smallest Trivy SchemaVersion 2 or `trivy k8s`, Grype, CycloneDX, osv-scanner or
   * trivy-operator JSON file imported streamed (ADR 0029; default STREAM_MIN_BYTES). */
  streamMinBytes?: number | undefined;
}

/** Below this a report's findings are few (~4k at most) and the whole path is faster: staging costs
 * a few hundred ms of fixed work (temporary tables, more statements) per file. */
export const STREAM_MIN_BYTES = 16 * 2 ** 20;

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
  /** The identical report was already imported for this digest: nothing was added (`imported` 0). */
  alreadyImported?: { scanId: number; at: Date } | undefined;
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
  const progress = (done: number) =>
    opts.progress?.({ task: 'import reports', done, total: inputs.length, unit: 'files' });
  for (const [i, { file, data }] of inputs.entries()) {
    progress(i);
    opts.signal?.throwIfAborted();
    let reports: ParsedImageReport[];
    try {
      const streamed = data === undefined ? await streamable(file, opts) : undefined;
      if (streamed && (await importStreamed(store, file, streamed, opts, result))) continue;
      reports = await readReports(file, data, opts);
    } catch (err) {
      if (!(err instanceof ReportFormatError)) throw err;
      result.errors.push({ file, message: err.message });
      opts.logger?.error('report not imported', { file, reason: err.message });
      continue;
    }
    for (const report of reports)
      await importOne(store, report, file, opts, result, wholeBody(store, report));
  }
  progress(inputs.length);
  return result;
}

/** A new reader for each import (CycloneDX's and osv-scanner's keep what the stream passed). */
const STREAMED: Record<StreamedFormatName, () => StreamedFormat> = {
  trivy: () => trivyStreamedFormat,
  grype: () => grypeStreamedFormat,
  cyclonedx: cycloneDxStreamedFormat,
  'osv-scanner': osvScannerStreamedFormat,
};

/** The streamed formats of many image reports per file (ADR 0029's amendment), a reader per file. */
const STREAMED_REPORTS: Record<StreamedReportsFormatName, (file: string) => StreamedReportsFormat> = {
  'trivy-operator': trivyOperatorStreamedFormat,
  'trivy-k8s': trivyK8sStreamedFormat,
};

/** A Trivy SchemaVersion 2 or `trivy k8s`, Grype, CycloneDX, osv-scanner or trivy-operator JSON
 * file of STREAM_MIN_BYTES or more is imported streamed (ADR 0029); the pre-v2 Trivy list, YAML and
 * smaller files are read whole (ADR 0021). */
async function streamable(
  file: string,
  opts: ImportOptions,
): Promise<StreamedFormatName | StreamedReportsFormatName | undefined> {
  try {
    if ((await stat(file)).size < (opts.streamMinBytes ?? STREAM_MIN_BYTES)) return undefined;
    return await sniffStreamedFormat(file, opts.format, opts.signal);
  } catch {
    return undefined; // the whole path reports what is wrong with the file
  }
}

/** One transaction for the whole file: staged as it streams, then saved from the staging; a file
 * that turns out bad half-way (truncated, malformed) rolls back and lands nothing. False when the
 * document turned out to be another format's (auto): nothing landed, the caller reads it whole. */
async function importStreamed(
  store: Store,
  file: string,
  name: StreamedFormatName | StreamedReportsFormatName,
  opts: ImportOptions,
  result: ImportResult,
): Promise<boolean> {
  try {
    if (name in STREAMED_REPORTS)
      await importStagedReports(
        store,
        file,
        STREAMED_REPORTS[name as StreamedReportsFormatName](file),
        opts,
        result,
      );
    else await importStaged(store, file, STREAMED[name as StreamedFormatName](), opts, result);
    return true;
  } catch (err) {
    if (err instanceof StreamedFormatMismatch) return false;
    throw err;
  }
}

async function importStaged(
  store: Store,
  file: string,
  format: StreamedFormat,
  opts: ImportOptions,
  result: ImportResult,
): Promise<void> {
  await store.transaction(async (tx) => {
    const staged = await stageReport(tx, file, format, { signal: opts.signal, auto: opts.format === 'auto' });
    opts.logger?.debug('report read streamed', { file, format: format.format });
    const body: ReportBody = {
      digest: staged.digest,
      findings: staged.findings,
      packages: staged.packages,
      save: (records, tags) =>
        saveStreamedScansIn(
          tx,
          records.map((r) => ({ ...r, packages: staged.packageBatches, findings: staged.findingBatches })),
          tags,
        ),
    };
    await importOne(tx, staged.report, file, opts, result, body);
  });
}

/** Each image report of the file built from staging and landed in the file's one transaction, as
 * the whole path lands the reports it parsed. */
async function importStagedReports(
  store: Store,
  file: string,
  format: StreamedReportsFormat,
  opts: ImportOptions,
  result: ImportResult,
): Promise<void> {
  await store.transaction(async (tx) => {
    const staged = await stageReports(tx, file, format, {
      signal: opts.signal,
      auto: opts.format === 'auto',
    });
    opts.logger?.debug('report read streamed', { file, format: format.format });
    if (opts.image && staged.count > 1) throw tooManyImages(file, staged.count);
    for await (const report of staged.reports()) {
      opts.signal?.throwIfAborted();
      await importOne(tx, report, file, opts, result, wholeBody(tx, report, true));
    }
  });
}

/** What is saved of a resolved report besides its header: counts, digest and how to land the rows. */
interface ReportBody {
  digest: string;
  findings: number;
  packages: number;
  save(records: Omit<ScanRecord, 'packages' | 'findings'>[], tags: TagObservationRow[]): Promise<SavedScan[]>;
}

/** A report held whole: saved in a transaction of its own, or `inTransaction` in the one `store`
 * already is (a streamed file's, importStagedReports: the same rows through saveStreamedScansIn). */
function wholeBody(store: Store, report: ParsedImageReport, inTransaction = false): ReportBody {
  return {
    get digest() {
      return reportDigest(report);
    },
    findings: report.findings.length,
    packages: report.packages.length,
    save: (records, tags) =>
      !inTransaction
        ? saveImportedScans(
            store,
            records.map((r) => ({ ...r, packages: report.packages, findings: report.findings })),
            tags,
          )
        : saveStreamedScansIn(
            store,
            records.map((r) => ({
              ...r,
              packages: () => once(report.packages),
              findings: () => once(report.findings),
            })),
            tags,
          ),
  };
}

async function* once<T>(batch: T[]): AsyncIterable<T[]> {
  yield batch;
}

/**
 * The image reports of one file or document. Its own function so the document read from a file is
 * garbage once parsed: a variable of importReports' frame would stay alive (a suspended async
 * function keeps its registers) while every image of the file is saved.
 */
async function readReports(file: string, data: unknown, opts: ImportOptions): Promise<ParsedImageReport[]> {
  const doc = data !== undefined ? data : await readReportFile(file, opts.signal, opts.format);
  const reports = parseReport(doc, opts.format, file);
  if (opts.image && reports.length > 1) throw tooManyImages(file, reports.length);
  return reports;
}

function tooManyImages(file: string, images: number): ReportFormatError {
  return new ReportFormatError(
    file,
    `--image names one image but this report covers ${images}; import it without --image (each image is mapped from the report) or split it`,
  );
}

async function importOne(
  store: Store,
  report: ParsedImageReport,
  file: string,
  opts: ImportOptions,
  result: ImportResult,
  body: ReportBody,
): Promise<void> {
  const resolution = await resolveReportImage(store, report.hints, {
    explicit: opts.image,
    scannedAt: report.scannedAt,
  });
  const reference =
    opts.image ?? report.label ?? report.hints.references[0] ?? report.hints.repoDigests[0] ?? null;
  for (const s of report.skipped)
    opts.logger?.warn('finding skipped', { file: report.origin, id: s.id, reason: s.reason });
  const refusal =
    resolution.resolved && opts.image
      ? await identityConflict(
          store,
          report,
          opts.image,
          resolution.targets[0]!.named,
          resolution.targets[0]!.digest,
        )
      : undefined;
  if (refusal && opts.force)
    opts.logger?.warn('report forced onto --image', { file: report.origin, reason: refusal });
  if (!resolution.resolved || (refusal && !opts.force)) {
    const reason = resolution.resolved ? refusal! : resolution.reason;
    const message = `${report.origin}: ${reason}`;
    result.errors.push({ file, message });
    opts.logger?.error('report not imported', { file: report.origin, reason });
    result.images.push({
      reference,
      digest: null,
      matchMethod: resolution.resolved ? 'refused' : 'unresolved',
      confidence: 'none',
      source: report.format,
      imported: 0,
      skipped: [{ id: reference ?? report.origin, kind: 'invalid', reason }],
      file,
      current: false,
    });
    return;
  }
  const invalid = report.skipped.filter((s) => s.kind === 'invalid');
  const digest = body.digest;
  const importedAt = new Date();
  const records: Omit<ScanRecord, 'packages' | 'findings'>[] = resolution.targets.map((t) => ({
    imageDigest: t.digest,
    source: report.format,
    scannerVersion: report.scannerVersion,
    reference: reference ?? undefined,
    status: invalid.length ? 'partial' : 'complete',
    errors: invalid.map((s) => ({ code: 'invalid-entry', message: `${s.id}: ${s.reason}` })),
    os: report.os,
    // The scan's time (what freshness ages) is when the scanner ran: the report's own timestamp.
    // finished_at stays the time the import landed (the authoritative-source tie-break).
    startedAt: report.scannedAt,
    reportDigest: digest,
    stats: {
      import: {
        file: report.origin,
        matchMethod: t.matchMethod,
        confidence: t.confidence,
        via: t.via,
        configDigest: report.hints.configDigest ?? null,
        scanTimeFromReport: !!report.scannedAt,
        repoDigests: repoDigestsOf(report),
        platform: report.hints.platform ?? null,
        ...(refusal ? { forced: refusal } : {}),
        workloads: report.workloads,
        skipped: countKinds(report.skipped),
      },
      findings: body.findings,
      packages: body.packages,
    },
  }));
  const saved = await body.save(records, tagObservationsOf(report.hints, report.scannedAt ?? importedAt));
  resolution.targets.forEach((t, i) => {
    const again = saved[i]!.alreadyStored;
    if (again)
      opts.logger?.info('report already imported: nothing added', {
        file: report.origin,
        digest: t.digest,
        scanId: again.scanId,
      });
    result.images.push({
      reference,
      digest: t.digest,
      matchMethod: t.matchMethod,
      confidence: t.confidence,
      source: report.format,
      imported: again ? 0 : body.findings,
      skipped: again
        ? [
            {
              id: reference ?? report.origin,
              kind: 'already-imported',
              reason: `already imported: this report (${digest}) landed on ${t.digest} as scan ${again.scanId}; nothing added`,
            },
          ]
        : report.skipped,
      file,
      current: saved[i]!.current,
      alreadyImported: again,
    });
  });
}

/** The digests of the report's repo digests (names dropped: a mirror serves the same digest). */
function repoDigestsOf(report: ParsedImageReport): string[] {
  const out = new Set<string>();
  for (const r of report.hints.repoDigests) {
    const d = isDigest(r) ? r : tryParseImageReference(r)?.digest;
    if (d) out.add(d);
  }
  return [...out];
}

function countKinds(skipped: SkippedItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of skipped) out[s.kind] = (out[s.kind] ?? 0) + 1;
  return out;
}
