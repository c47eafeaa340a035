// A Grype JSON report imported in bounded memory (ADR 0029): the streamed import's machinery
// (stream-import.ts) with Grype's part — the `matches` entries are staged as they stream and
// converted with the parser's own `toFinding` against the report's distro, which may come after
// them (Grype writes `source`, `distro` and `descriptor` after `matches`).
import type { Store } from '../../store/index.js';
import { type StagedReport, type StreamedFormat, stageReport } from '../stream-import.js';
import { parseItems } from '../validate.js';
import { matchLabel, parseGrypeHeader, toFinding } from './parse.js';
import { grypeMatchSchema } from './schema.js';

export const grypeStreamedFormat: StreamedFormat = {
  format: 'grype',
  route: (path) =>
    path.length === 1 && path[0] === 'matches' ? { grp: 0, kind: 0, schema: grypeMatchSchema } : undefined,
  async open(_tx, rest, file) {
    // `matches` is empty here, its entries staged; a `matches` that is no array fails as in the whole path.
    const { header, os } = parseGrypeHeader(rest, file);
    return {
      header: () => header,
      async page(_tx, entries, out) {
        for (const { item, element } of entries)
          out.findings.push(
            ...parseItems(
              grypeMatchSchema,
              [element],
              (raw) => matchLabel(raw, item.seq),
              out.skipped,
              (m) => toFinding(m, os),
            ),
          );
      },
    };
  },
};

/** Reads a Grype JSON report into staging in `tx` (the import's transaction). */
export function stageGrypeReport(tx: Store, file: string, signal?: AbortSignal): Promise<StagedReport> {
  return stageReport(tx, file, grypeStreamedFormat, { signal });
}
