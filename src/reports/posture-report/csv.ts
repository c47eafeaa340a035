// The scope report as CSV: one row per scope group (`--csv-rows scope`, rendered from the document)
// or one row per finding instance — running container × vulnerability of its image
// (`--csv-rows finding`), streamed: containers are read a page at a time and each page's rows are
// written before the next is read, so a 100k-container fleet never sits in memory.
import type { AccessScope } from '../../core/access.js';
import { type ImageVulnRow, pageScopeContainers, queryImageVulnRows, type Store } from '../../store/index.js';
import { csvRecord, UTF8_BOM } from '../csv.js';
import type { ScopeReport } from './document.js';

export type CsvRows = 'scope' | 'finding';
export const CSV_ROWS: readonly CsvRows[] = ['scope', 'finding'];

const SEV = ['critical', 'high', 'medium', 'low', 'unknown'] as const;

export function renderScopeRowsCsv(report: ScopeReport, opts: { bom?: boolean | undefined } = {}): string {
  const header = [
    report.by,
    'containers',
    'unresolved',
    'unscanned',
    'images',
    ...SEV.map((s) => `vulnerabilities_${s}`),
    'vulnerabilities_kev',
    'vulnerabilities_fixable',
    'vulnerabilities_total',
    'findings_total',
    ...SEV.map((s) => `instances_${s}`),
    'instances_kev',
    'instances_fixable',
    'instances_total',
    'oldest_scan_at',
    'stale',
  ];
  let out = (opts.bom ? UTF8_BOM : '') + csvRecord(header);
  for (const g of report.groups) {
    const d = g.distinctVulnerabilities;
    const i = g.instances;
    out += csvRecord([
      g.key,
      g.containers,
      g.unresolved,
      g.unscanned,
      g.images,
      ...SEV.map((s) => d[s]),
      d.kev,
      d.fixable,
      d.total,
      g.summary.findings.total,
      ...SEV.map((s) => i[s]),
      i.kev,
      i.fixable,
      i.total,
      g.oldestScanAt,
      g.stale.join('; '),
    ]);
  }
  return out;
}

export const FINDING_ROW_HEADER = [
  'container_id',
  'cluster',
  'namespace',
  'environment',
  'owner',
  'workload_kind',
  'workload',
  'container',
  'image',
  'image_digest',
  'vulnerability',
  'severity',
  'kev',
  'epss',
  'cvss',
  'fixable',
  'fixed_versions',
  'packages',
] as const;

export interface FindingRowsOptions {
  bom?: boolean | undefined;
  /** Containers per page (default 500). */
  pageSize?: number | undefined;
  /** Digests whose vulnerabilities are kept between pages (default 2000). */
  cacheDigests?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Writes the finding rows of every running container inside `scope` to `write` (header first),
 * a page of containers at a time; `write` may return a promise (backpressure). Returns the number
 * of rows written. Containers whose image has no scan, or no vulnerabilities, write no row.
 */
export async function writeFindingRowsCsv(
  store: Store,
  scope: AccessScope,
  write: (chunk: string) => void | Promise<void>,
  opts: FindingRowsOptions = {},
): Promise<number> {
  const pageSize = opts.pageSize ?? 500;
  const cacheMax = opts.cacheDigests ?? 2000;
  const cache = new Map<string, ImageVulnRow[]>();
  await write((opts.bom ? UTF8_BOM : '') + csvRecord(FINDING_ROW_HEADER));
  let after: string | null = null;
  let rows = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const page = await pageScopeContainers(store, scope, after, pageSize);
    if (!page.length) return rows;
    after = page.at(-1)!.id;
    const digests = [...new Set(page.map((c) => c.imageDigest).filter((d): d is string => d !== null))];
    const local = new Map<string, ImageVulnRow[]>();
    const missing: string[] = [];
    for (const d of digests) {
      const hit = cache.get(d);
      if (hit) local.set(d, hit);
      else missing.push(d);
    }
    if (missing.length) {
      for (const d of missing) local.set(d, []);
      for (const v of await queryImageVulnRows(store, missing)) local.get(v.imageDigest)?.push(v);
      for (const d of missing) {
        if (cache.size >= cacheMax) cache.delete(cache.keys().next().value as string);
        cache.set(d, local.get(d)!);
      }
    }
    let chunk = '';
    for (const c of page) {
      const vulns = c.imageDigest ? (local.get(c.imageDigest) ?? []) : [];
      for (const v of vulns) {
        chunk += csvRecord([
          c.id,
          c.cluster,
          c.namespace,
          c.environment,
          c.owner,
          c.workloadKind,
          c.workloadName,
          c.container,
          c.image,
          c.imageDigest,
          v.vulnerabilityId,
          v.severity.toLowerCase(),
          v.kev,
          v.epss,
          v.cvss,
          v.fixable,
          v.fixedVersions.join(' '),
          v.packages.join(' '),
        ]);
        rows++;
      }
    }
    if (chunk) await write(chunk);
    if (page.length < pageSize) return rows;
  }
}
