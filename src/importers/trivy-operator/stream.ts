// trivy-operator resources imported in bounded memory (ADR 0029, amendment): a JSON list of them
// (`{kind: List, items}`, a plain array, or a dump keyed by CRD plural) is streamed resource by
// resource. Of each, only its image key, time and workload are kept (to merge the reports of one
// image as parse.ts's mergeSameImage does); each VulnerabilityReport is staged whole and built into
// its image report (parse.ts's toImageReport) once the file is read, one at a time. Errors are the
// whole path's, in its order: the JSON's, the file's shape, a resource's shape, then each
// VulnerabilityReport's schema. A file of one other shape (a single resource, a key that comes
// twice) is handed back to be read whole. YAML (kubectl's `-o yaml`) reaches the same routes item by
// item through stream-yaml.ts.
import { cleanParsedReports } from '../clean-report.js';
import { detectReportFormat } from '../detect.js';
import type { ReportFormatError } from '../errors.js';
import type { SkippedItem, WorkloadLink } from '../model.js';
import {
  detached,
  StreamedFormatMismatch,
  type StreamedReportsFormat,
  slimEntries,
} from '../stream-import.js';
import { documentError, parseDocument } from '../validate.js';
import {
  checkFound,
  collectResources,
  imageKey,
  isNewer,
  mergeWorkloads,
  operatorResource,
  operatorResources,
  toImageReport,
} from './parse.js';
import { operatorVulnerabilitySchema, vulnerabilityReportSchema } from './schema.js';

const CRD_SUFFIX = '.aquasecurity.github.io';

/** One image of the file: the resource its report is built from (the newest), every workload. */
interface Image {
  seq: number;
  id: string;
  scannedAt: Date | undefined;
  workloads: WorkloadLink[];
}

/** A new reader for each file (it keeps what the stream passed). */
export function trivyOperatorStreamedFormat(file: string): StreamedReportsFormat {
  let shape: 'array' | 'list' | 'crd' | undefined;
  let odd = false;
  const routed = new Set<string>();
  let first: unknown;
  let count = 0;
  const images = new Map<string, Image>();
  const ignored: SkippedItem[] = [];
  let shapeError: ReportFormatError | undefined;
  let schemaError: ReportFormatError | undefined;

  const visit = (element: unknown, depth: number, stage: (seq: number, value: unknown) => void) => {
    if (shapeError) return;
    const resources: unknown[] = [];
    try {
      collectResources(element, depth, file, resources);
    } catch (err) {
      shapeError = err as ReportFormatError;
      return;
    }
    for (const resource of resources) {
      const i = count++;
      const raw = slim(resource);
      const r = operatorResource(raw, i);
      if ('ignored' in r) {
        ignored.push(detached(r.ignored));
        continue;
      }
      if (schemaError) continue;
      const parsed = vulnerabilityReportSchema.safeParse(raw);
      if (!parsed.success) {
        schemaError = documentError(`${file} (item ${i})`, r.kind, parsed.error.issues[0]!);
        continue;
      }
      // The image report without its findings: what merging reads.
      const head = toImageReport(
        { ...parsed.data, report: { ...parsed.data.report, vulnerabilities: [] } },
        '',
      );
      // Kept until the file is read: copies, not slices of the chunks.
      const {
        key,
        id,
        workloads: own,
      } = detached({
        key: imageKey({ hints: head.hints, origin: `${file} (${r.id})` }),
        id: r.id,
        workloads: head.workloads,
      });
      const prev = images.get(key);
      const image = { seq: i, id, scannedAt: head.scannedAt, workloads: own };
      if (!prev) {
        images.set(key, image);
        stage(i, raw);
        continue;
      }
      const workloads = mergeWorkloads(prev.workloads, own);
      if (isNewer(image, prev)) {
        images.set(key, { ...image, workloads });
        stage(i, raw);
      } else prev.workloads = workloads;
    }
  };

  return {
    format: 'trivy-operator',
    route(path, stage) {
      if (odd) return undefined;
      const at: typeof shape =
        path.length === 0
          ? 'array'
          : path.length === 1 && path[0] === 'items'
            ? 'list'
            : path.length === 1 && String(path[0]).endsWith(CRD_SUFFIX)
              ? 'crd'
              : undefined;
      if (!at) return undefined;
      // One shape per file, each array once: anything else is read whole.
      if ((shape && shape !== at) || routed.has(String(path[0]))) {
        odd = true;
        return undefined;
      }
      shape = at;
      routed.add(String(path[0]));
      // As operatorResources visits them: a top-level array's elements as documents (depth 0).
      const depth = at === 'array' ? 0 : at === 'list' ? 1 : 2;
      return (element) => {
        if (at === 'array' && first === undefined) first = element ?? null;
        visit(element, depth, stage);
      };
    },
    finish(rest, auto) {
      if (odd) throw new StreamedFormatMismatch('trivy-operator');
      if (auto) {
        const detected = detectReportFormat(shape === 'array' && first !== undefined ? [first] : rest, file);
        if (detected !== 'trivy-operator') throw new StreamedFormatMismatch(detected);
      }
      if (!shape) throw new StreamedFormatMismatch('trivy-operator'); // nothing streamed: one resource
      if (shape !== 'array') {
        const o = rest as Record<string, unknown>;
        const list = typeof o.kind === 'string' && Array.isArray(o.items);
        const crd = typeof o.kind !== 'string' && Object.keys(o).every((k) => k.endsWith(CRD_SUFFIX));
        // The file's own shape first, as operatorResources judges it (its streamed arrays empty).
        if (!list && !crd) operatorResources(rest, file);
        // A list whose streamed `items` a later member replaced, a dump with values not streamed.
        if (shape === 'list' ? !list : !crd || Object.values(o).some((v) => !Array.isArray(v)))
          throw new StreamedFormatMismatch('trivy-operator');
      }
      if (shapeError) throw shapeError;
      if (schemaError) throw schemaError;
      checkFound(images.size, ignored, file);
      return {
        count: images.size,
        async *reports(read) {
          let firstReport = true;
          for (const image of images.values()) {
            const kind = image.id.split('/')[0]!;
            const r = parseDocument(
              vulnerabilityReportSchema,
              await read(image.seq),
              `${file} (item ${image.seq})`,
              kind,
            );
            const report = toImageReport(r, `${file} (${image.id})`);
            report.workloads = image.workloads;
            if (firstReport) report.skipped.push(...ignored);
            firstReport = false;
            yield cleanParsedReports([report])[0]!;
          }
        },
      };
    },
  };
}

/** A resource as the whole path reads it: its vulnerability entries slimmed (what is staged). */
function slim(resource: unknown): unknown {
  const report = (resource as { report?: { vulnerabilities?: unknown } }).report;
  if (!report || typeof report !== 'object' || !Array.isArray(report.vulnerabilities)) return resource;
  return {
    ...(resource as object),
    report: { ...report, vulnerabilities: slimEntries(operatorVulnerabilitySchema, report.vulnerabilities) },
  };
}
