// A Trivy SchemaVersion 2 report imported in bounded memory (ADR 0029): the streamed import's
// machinery (stream-import.ts) with Trivy's part — `Results[i].Packages` / `Vulnerabilities` are
// staged (group i, kind 0 / 1), and converted with the parser's own per-result reader
// (`resultReader`, shared with the whole path's `build`): per result, its packages then its
// vulnerabilities, as the whole path orders them.
import type { Store } from '../../store/index.js';
import { type StagedReport, type StreamedFormat, stageReport } from '../stream-import.js';
import { parseItems } from '../validate.js';
import { PACKAGE_LABEL, parseTrivyReport, parseTrivyV2Skeleton, VULNERABILITY_LABEL } from './parse.js';
import { trivyPackageSchema, trivyVulnerabilitySchema } from './schema.js';

const KINDS = ['Packages', 'Vulnerabilities'] as const;
const SCHEMAS = [trivyPackageSchema, trivyVulnerabilitySchema] as const;
const PACKAGES = 0;

export const trivyStreamedFormat: StreamedFormat = {
  format: 'trivy',
  route(path) {
    // A second `Results` member replaces the first, as in JSON.parse.
    if (path.length === 1 && path[0] === 'Results') return 'reset';
    if (path.length !== 3 || path[0] !== 'Results' || typeof path[1] !== 'number') return undefined;
    const kind = KINDS.indexOf(path[2] as (typeof KINDS)[number]);
    return kind < 0 ? undefined : { grp: path[1], kind, schema: SCHEMAS[kind]! };
  },
  async open(_tx, rest, file) {
    // A later `SchemaVersion` member overrides the first: the whole path's error for it.
    if ((rest as { SchemaVersion?: unknown } | null)?.SchemaVersion !== 2) parseTrivyReport(rest, file);
    const { header, readers } = parseTrivyV2Skeleton(rest, file);
    const rawResults = (rest as { Results?: unknown }).Results;
    const results = Array.isArray(rawResults) ? rawResults : [];
    return {
      header: () => header,
      async page(_tx, entries, out) {
        for (const { item, element } of entries) {
          const reader = readers[item.grp];
          const raw = results[item.grp] as Record<string, unknown> | undefined;
          // A result that holds no image vulnerabilities, or whose array a later member replaced.
          if (!reader || !Array.isArray(raw?.[KINDS[item.kind]!])) continue;
          if (item.kind === PACKAGES) {
            const label = (r: unknown) => PACKAGE_LABEL(r, item.seq);
            out.packages.push(
              ...parseItems(trivyPackageSchema, [element], label, out.skipped, reader.toPackage),
            );
          } else {
            const label = (r: unknown) => VULNERABILITY_LABEL(r, item.seq);
            out.findings.push(
              ...parseItems(trivyVulnerabilitySchema, [element], label, out.skipped, reader.toFinding),
            );
          }
        }
      },
    };
  },
};

/** Reads a Trivy SchemaVersion 2 report into staging in `tx` (the import's transaction). */
export function stageTrivyReport(tx: Store, file: string, signal?: AbortSignal): Promise<StagedReport> {
  return stageReport(tx, file, trivyStreamedFormat, { signal });
}
