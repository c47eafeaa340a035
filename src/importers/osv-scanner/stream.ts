// An osv-scanner JSON report imported in bounded memory (ADR 0029): the streamed import's
// machinery (stream-import.ts) with osv-scanner's part — each `results[i].packages[j].vulnerabilities`
// array is staged as one group (numbered in document order), its records converted with the
// parser's own `packageReader` once the package, its alias groups and source path are read.
import type { Store } from '../../store/index.js';
import type { SkippedItem } from '../model.js';
import { type StagedReport, type StreamedFormat, stageReport } from '../stream-import.js';
import { parseItems } from '../validate.js';
import { osvScannerHeader, packageReader, parseOsvScannerDocument, RECORD_LABEL } from './parse.js';
import { osvRecordSchema } from './schema.js';

/** A new reader per import: it numbers the packages' arrays as the stream passes them. */
export function osvScannerStreamedFormat(): StreamedFormat {
  // (result, package) → group, and back; a group number is never reused, so groups sort in
  // document order even when a repeated member replaces an array.
  const groups = new Map<string, number>();
  const where = new Map<number, [number, number]>();
  let next = 0;
  const forget = (prefix: string) => {
    for (const [key, grp] of groups)
      if (key.startsWith(prefix)) {
        groups.delete(key);
        where.delete(grp);
      }
  };
  return {
    format: 'osv-scanner',
    route(path) {
      if (path.length === 1 && path[0] === 'results') {
        forget('');
        return 'reset';
      }
      if (path[0] !== 'results' || typeof path[1] !== 'number' || path[2] !== 'packages') return undefined;
      const i = path[1];
      if (path.length === 3) forget(`${i}/`); // a repeated `packages` member: its earlier arrays are not the document's
      if (path.length !== 5 || typeof path[3] !== 'number' || path[4] !== 'vulnerabilities') return undefined;
      const key = `${i}/${path[3]}`;
      let grp = groups.get(key);
      if (grp === undefined) {
        grp = next++;
        groups.set(key, grp);
        where.set(grp, [i, path[3]]);
      }
      return { grp, kind: 0, schema: osvRecordSchema };
    },
    async open(_tx, rest, file) {
      const doc = parseOsvScannerDocument(rest, file);
      // The whole path lists a package's invalid records before its ignored ones.
      let group: number | undefined;
      let ignored: SkippedItem[] = [];
      let read: ReturnType<typeof packageReader> | undefined;
      const endGroup = (skipped: SkippedItem[]) => {
        skipped.push(...ignored);
        ignored = [];
      };
      return {
        header: () => osvScannerHeader(file),
        async page(_tx, entries, out) {
          for (const { item, element } of entries) {
            const at = where.get(item.grp);
            const result = at ? doc.results[at[0]] : undefined;
            const pv = at ? result?.packages?.[at[1]] : undefined;
            if (!result || !Array.isArray(pv?.vulnerabilities)) continue; // replaced by a later member
            if (item.grp !== group) {
              endGroup(out.skipped);
              group = item.grp;
              read = packageReader(pv, result.source.path);
            }
            const label = (raw: unknown) => RECORD_LABEL(raw, item.seq);
            for (const r of parseItems(osvRecordSchema, [element], label, out.skipped)) {
              const f = read!(r);
              if ('finding' in f) out.findings.push(f);
              else ignored.push(f);
            }
          }
        },
        async end(_tx, out) {
          endGroup(out.skipped);
        },
      };
    },
  };
}

/** Reads an osv-scanner JSON report into staging in `tx` (the import's transaction). */
export function stageOsvScannerReport(tx: Store, file: string, signal?: AbortSignal): Promise<StagedReport> {
  return stageReport(tx, file, osvScannerStreamedFormat(), { signal });
}
