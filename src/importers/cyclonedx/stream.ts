// A CycloneDX JSON BOM imported in bounded memory (ADR 0029): the streamed import's machinery
// (stream-import.ts) with CycloneDX's part — `components` (kind 0) and `vulnerabilities` (kind 1)
// are staged as they stream; `metadata` may come before or after them. Components become packages
// in the whole path's order (metadata.component's tree, then each component's, depth first), and
// each bom-ref is staged with what it names, so a vulnerability page looks its `affects` refs up
// in one query instead of holding a map of the BOM. A component the schema rejects fails the
// document as the whole path's validation does.
import type { z } from 'zod';
import type { Store } from '../../store/index.js';
import { readStagedRefs, stageRefs } from '../../store/index.js';
import type { SkippedItem } from '../model.js';
import type { ConvertedEntries, StagedReport, StreamedFormat } from '../stream-import.js';
import { stageReport } from '../stream-import.js';
import { parseItems } from '../validate.js';
import {
  cdxHeader,
  componentPackage,
  findingsOf,
  packageFor,
  parseCdxBom,
  refKeys,
  VULNERABILITY_LABEL,
} from './parse.js';
import { type CdxComponent, cdxComponentSchema, cdxVulnerabilitySchema } from './schema.js';

const COMPONENTS = 0;

/** A new reader per import: it remembers the first invalid component as the stream passes it. */
export function cycloneDxStreamedFormat(): StreamedFormat {
  let invalid: { index: number; error: z.ZodError } | undefined;
  return {
    format: 'cyclonedx',
    route(path) {
      if (path.length !== 1) return undefined;
      if (path[0] === 'components') {
        invalid = undefined; // a second `components` member replaces the first
        return {
          grp: 0,
          kind: COMPONENTS,
          schema: cdxComponentSchema,
          invalid: (index, error) => {
            invalid ??= { index, error };
          },
        };
      }
      return path[0] === 'vulnerabilities' ? { grp: 0, kind: 1, schema: cdxVulnerabilitySchema } : undefined;
    },
    async open(_tx, rest, file) {
      const bom = parseCdxBom(rest, file, invalid);
      // Staged entries whose member a later non-array value replaced are not the document's.
      const hasComponents = Array.isArray(bom.components);
      const hasVulns = Array.isArray(bom.vulnerabilities);
      let container: CdxComponent | undefined;
      let started = false;
      const late: SkippedItem[] = [];
      const walk = async (tx: Store, roots: CdxComponent[], out: ConvertedEntries) => {
        const refs: { ref: string; body: string }[] = [];
        const visit = (c: CdxComponent) => {
          const { components, ...own } = c; // what a ref names: the component without its children
          if (!container && c.type === 'container') container = own;
          if (c['bom-ref']) refs.push({ ref: c['bom-ref'], body: JSON.stringify(own) });
          const p = componentPackage(c);
          if (p) out.packages.push(p);
          for (const child of components ?? []) visit(child);
        };
        for (const c of roots) visit(c);
        await stageRefs(tx, refs);
      };
      const start = async (tx: Store, out: ConvertedEntries) => {
        if (started) return;
        started = true;
        if (bom.metadata?.component) await walk(tx, [bom.metadata.component], out);
      };
      return {
        header: () => cdxHeader(bom, file, container),
        async page(tx, entries, out) {
          await start(tx, out);
          const components: CdxComponent[] = [];
          const vulns: unknown[] = [];
          for (const { item, element } of entries)
            if (item.kind === COMPONENTS) {
              if (hasComponents) components.push(element as CdxComponent); // validated as staged
            } else if (hasVulns) {
              const label = (raw: unknown) => VULNERABILITY_LABEL(raw, item.seq);
              vulns.push(...parseItems(cdxVulnerabilitySchema, [element], label, out.skipped));
            }
          // Every component is staged before the first vulnerability: kind 0 pages come first.
          await walk(tx, components, out);
          const parsed = vulns as ReturnType<typeof cdxVulnerabilitySchema.parse>[];
          const keys = parsed.flatMap((v) => v.affects.flatMap((a) => refKeys(a.ref)));
          const refs = new Map(
            (await readStagedRefs(tx, keys)).map((r) => [r.ref, JSON.parse(r.body) as CdxComponent]),
          );
          for (const v of parsed) out.findings.push(...findingsOf(v, (ref) => packageFor(ref, refs), late));
        },
        async end(tx, out) {
          await start(tx, out);
          out.skipped.push(...late); // the whole path lists unresolved refs after the invalid entries
        },
      };
    },
  };
}

/** Reads a CycloneDX JSON BOM into staging in `tx` (the import's transaction). */
export function stageCycloneDxReport(tx: Store, file: string, signal?: AbortSignal): Promise<StagedReport> {
  return stageReport(tx, file, cycloneDxStreamedFormat(), { signal });
}
