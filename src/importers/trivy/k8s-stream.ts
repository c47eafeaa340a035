// A `trivy k8s -f json` report imported in bounded memory (ADR 0029, amendment): its `Resources`
// (and older `Vulnerabilities`) workloads stream one at a time. Of each only its images' keys and
// workload links are kept; a workload is staged whole when it brings an image not seen before in
// its array. Once the file is read, the reports are built from staging (parse.ts's k8sImages) in
// the whole path's order and with its merge: per image the first workload's report (the older
// `Vulnerabilities` before `Resources`), every workload linked. Errors are the whole path's: the
// JSON's, then the first schema issue in the document's order. Another Trivy shape (SchemaVersion,
// a member that comes twice) is handed back to be read whole.
import type { z } from 'zod';
import { cleanParsedReports } from '../clean-report.js';
import { detectReportFormat } from '../detect.js';
import type { ReportFormatError } from '../errors.js';
import type { WorkloadLink } from '../model.js';
import {
  detached,
  StreamedFormatMismatch,
  type StreamedReportsFormat,
  slimEntries,
} from '../stream-import.js';
import { documentError } from '../validate.js';
import { k8sImages } from './parse.js';
import {
  type TrivyK8sWorkload,
  trivyK8sReportSchema,
  trivyPackageSchema,
  trivyVulnerabilitySchema,
} from './schema.js';

const SECTIONS = ['Vulnerabilities', 'Resources'] as const;
type Section = (typeof SECTIONS)[number];
const WHAT = 'Trivy Kubernetes report';

/** An image of the report: the workload its report is built from (staged as `seq`, its `at`th
 * image), every workload that runs it. */
interface Image {
  seq: number;
  wi: number;
  at: number;
  links: WorkloadLink[];
}

/** A new reader for each file (it keeps what the stream passed). */
export function trivyK8sStreamedFormat(file: string): StreamedReportsFormat {
  let odd = false;
  let seq = 0;
  const routed = new Set<Section>();
  const images: Record<Section, Map<string, Image>> = { Vulnerabilities: new Map(), Resources: new Map() };
  const invalid: Partial<Record<Section, ReportFormatError>> = {};

  /** Workload `wi` of `section` as the document's schema reads it, or the issue it has. */
  const workload = (section: Section, element: unknown, wi: number) => {
    const r = trivyK8sReportSchema.safeParse({ [section]: [element] });
    if (r.success) return r.data[section]![0]!;
    const issue = r.error.issues[0]!;
    return { issue: { ...issue, path: [section, wi, ...issue.path.slice(2)] } as z.core.$ZodIssue };
  };

  return {
    format: 'trivy',
    route(path, stage) {
      const section = path.length === 1 ? SECTIONS.find((s) => s === path[0]) : undefined;
      if (!section || odd) return undefined;
      // A second member of the name replaces the first (JSON.parse): read such a file whole.
      if (routed.has(section)) odd = true;
      routed.add(section);
      let wi = 0;
      return (raw) => {
        const i = wi++;
        if (odd || invalid[section]) return;
        const element = slim(raw);
        const w = workload(section, element, i);
        if ('issue' in w) {
          invalid[section] = documentError(file, WHAT, w.issue);
          return;
        }
        let staged: number | undefined;
        // Kept until the file is read: copies, not slices of the chunks.
        const found = k8sImages(section, w as TrivyK8sWorkload, i, file, undefined).map(({ key, link }) =>
          detached({ key, link }),
        );
        found.forEach(({ key, link }, at) => {
          const seen = images[section].get(key);
          if (seen) {
            seen.links.push(link);
            return;
          }
          if (staged === undefined) {
            staged = seq++;
            stage(staged, element);
          }
          images[section].set(key, { seq: staged, wi: i, at, links: [link] });
        });
      };
    },
    finish(rest, auto) {
      const o = rest as Record<string, unknown> | null;
      if (odd || !o || typeof o !== 'object' || Array.isArray(o) || 'SchemaVersion' in o)
        throw new StreamedFormatMismatch('trivy');
      if (auto) {
        const detected = detectReportFormat(rest, file);
        if (detected !== 'trivy') throw new StreamedFormatMismatch(detected);
      }
      if (!('ClusterName' in o) && !('Resources' in o)) throw new StreamedFormatMismatch('trivy');
      // The first issue of the document in the schema's order: ClusterName, then each array.
      const r = trivyK8sReportSchema.safeParse(rest);
      const issues = r.success ? [] : r.error.issues;
      const restIssue = (key: string) => issues.find((i) => i.path[0] === key);
      const first = restIssue('ClusterName');
      if (first) throw documentError(file, WHAT, first);
      for (const section of SECTIONS) {
        const bad =
          invalid[section] ?? (restIssue(section) && documentError(file, WHAT, restIssue(section)!));
        if (bad) throw bad;
      }
      const cluster = (r.data?.ClusterName as string | null | undefined) || undefined;
      // The whole path's merge: older-shape images first, later workloads linked to the first.
      const merged = new Map<string, Image & { section: Section }>();
      for (const section of SECTIONS)
        for (const [key, image] of images[section]) {
          const seen = merged.get(key);
          if (seen) seen.links.push(...image.links);
          else merged.set(key, { ...image, section });
        }
      return {
        count: merged.size,
        async *reports(read) {
          for (const image of merged.values()) {
            const w = workload(image.section, await read(image.seq), image.wi) as TrivyK8sWorkload;
            const report = k8sImages(image.section, w, image.wi, file, cluster)[image.at]!.build();
            // The cluster first, as workloadLink orders a link's members.
            report.workloads = image.links.map(({ cluster: _none, ...l }) => ({ cluster, ...l }));
            yield cleanParsedReports([report])[0]!;
          }
        },
      };
    },
  };
}

/** A workload as the whole path reads it: its results' entries slimmed (what is staged). */
function slim(workload: unknown): unknown {
  const results = (workload as { Results?: unknown } | null)?.Results;
  if (!Array.isArray(results)) return workload;
  return {
    ...(workload as object),
    Results: results.map((r) =>
      r && typeof r === 'object'
        ? {
            ...r,
            ...('Packages' in r ? { Packages: slimEntries(trivyPackageSchema, r.Packages) } : {}),
            ...('Vulnerabilities' in r
              ? { Vulnerabilities: slimEntries(trivyVulnerabilitySchema, r.Vulnerabilities) }
              : {}),
          }
        : r,
    ),
  };
}
