// Reads a CMDB export (CSV, JSON array, `{"containers": [...]}` or JSON Lines) into container
// observations. Every bad row is reported with its line number and the reason; the caller decides
// whether anything is imported (nothing, unless --allow-partial). Every cell is cleaned by the one
// rule of core/untrusted-text.ts before it is validated; each change is a warning with its line.
import type { ContainerObservation, Platform } from '../../../core/types.js';
import { cleanTree, describeTextChange, isClean, type TextChange } from '../../../core/untrusted-text.js';
import { digestOfReference } from '../../image-id.js';
import { type MetadataKeys, pickValue } from '../../metadata-keys.js';
import { CsvReader, type CsvRecord, UnterminatedQuoteError } from './csv.js';
import { JsonLinesReader, JsonRowsReader } from './json-stream.js';
import {
  CMDB_KEYS,
  type CmdbRow,
  canonicalKey,
  cmdbRowSchema,
  memo,
  parseDigestCell,
  plainCsvRow,
} from './schema.js';

export interface CmdbRowError {
  line: number;
  reason: string;
}

export interface CmdbParseResult {
  format: 'csv' | 'json' | 'jsonl';
  observations: ContainerObservation[];
  errors: CmdbRowError[];
  /** Cells kept with their text cleaned (control characters, invalid Unicode, length), by line. */
  warnings: CmdbRowError[];
  rows: number;
}

const ALIASES: Record<string, string> = {
  id: 'sourceId',
  imageReference: 'image',
  imageRef: 'image',
  imageDigest: 'digest',
  started: 'startedAt',
  startTime: 'startedAt',
  env: 'environment',
  team: 'owner',
  containerName: 'container',
};

function key(k: string): string {
  const c = canonicalKey(k);
  return ALIASES[c] ?? c;
}

/** Reads a whole CMDB text at once (the streamed reader, `CmdbParser`, over one string). */
export function parseCmdb(
  text: string,
  opts: { sourceName: string; format?: 'csv' | 'json' | 'jsonl' | undefined; keys: MetadataKeys },
): CmdbParseResult {
  const parser = new CmdbParser(opts);
  parser.push(text);
  parser.end();
  const errors = [...parser.errors].sort((a, b) => a.line - b.line);
  return {
    format: parser.format ?? 'csv',
    observations: parser.take(),
    errors,
    warnings: parser.warnings,
    rows: parser.rows,
  };
}

/** Longest first line read to tell JSON Lines from a JSON document starting with `{`. */
const SNIFF_LIMIT = 1 << 20;

/**
 * A CMDB export read incrementally: decoded text is pushed chunk by chunk, and each record becomes a
 * validated observation (`take` drains them) or a bad row in `errors`, in file order. Only the
 * current record, the observations not taken yet, the errors, the warnings and the source ids seen
 * (to refuse a duplicate with the line of its first use) are held.
 */
export class CmdbParser {
  format: 'csv' | 'json' | 'jsonl' | undefined;
  readonly errors: CmdbRowError[] = [];
  /** Cells kept with their text cleaned (control characters, invalid Unicode, length), by line. */
  readonly warnings: CmdbRowError[] = [];
  /** Records read (good or bad), as `rows` of CmdbParseResult. */
  rows = 0;
  /** The whole input was read. */
  done = false;
  /** Good rows so far (observations made, taken or not). */
  observed = 0;
  private observations: ContainerObservation[] = [];
  private readonly seen = new Map<string, number>();
  private reader: { push(text: string): void; end(): void } | undefined;
  /** Text held until the format can be told (only when it is not given). */
  private head = '';
  private started = false;
  private cols: string[] | undefined;
  /**
   * Each schema key's column (-1: none), when every column of the CSV header is a schema key, once:
   * then a row of clean cells is read by plainCsvRow, without the schema (same row, faster).
   */
  private plainAt: Record<string, number> | undefined;

  constructor(
    private readonly opts: {
      sourceName: string;
      format?: 'csv' | 'json' | 'jsonl' | undefined;
      keys: MetadataKeys;
      /** Read every row through the schema (tests compare both ways). */
      schemaOnly?: boolean | undefined;
    },
  ) {
    if (opts.format) this.start(opts.format);
  }

  /** Observations validated so far (and not taken yet). */
  get pending(): number {
    return this.observations.length;
  }

  push(text: string): void {
    if (!this.started && text) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.reader) {
      this.reader.push(text);
      return;
    }
    this.head += text;
    const format = sniff(this.head, false);
    if (!format) return;
    this.start(format);
    const head = this.head;
    this.head = '';
    this.reader!.push(head);
  }

  end(): void {
    if (!this.reader) {
      this.start(sniff(this.head, true)!);
      this.reader!.push(this.head);
      this.head = '';
    }
    this.reader!.end();
    if (this.format === 'csv' && !this.cols)
      this.errors.push({ line: 1, reason: 'empty file: expected a header row' });
    this.done = true;
  }

  /** The observations validated since the last call. */
  take(): ContainerObservation[] {
    const out = this.observations;
    this.observations = [];
    return out;
  }

  private start(format: 'csv' | 'json' | 'jsonl'): void {
    this.format = format;
    const sink = {
      value: (line: number, value: unknown) => this.record(line, renameKeys(value)),
      error: (line: number, reason: string) => {
        // A broken JSON document or CSV quote is a problem of the file, not one more row.
        this.errors.push({ line, reason });
      },
    };
    if (format === 'jsonl') {
      this.reader = new JsonLinesReader({
        value: sink.value,
        error: (line, reason) => {
          this.rows++;
          this.errors.push({ line, reason });
        },
      });
    } else if (format === 'json') this.reader = new JsonRowsReader(sink);
    else {
      const csv = new CsvReader((r) => this.csvRecord(r));
      this.reader = {
        push: (text) => this.guardCsv(() => csv.push(text)),
        end: () => this.guardCsv(() => csv.end()),
      };
    }
  }

  private guardCsv(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof UnterminatedQuoteError)) throw err;
      this.errors.push({ line: err.line, reason: err.message });
    }
  }

  private csvRecord(r: CsvRecord): void {
    if (!this.cols) {
      this.cols = r.fields.map(key);
      const known = this.cols.every((c) => CMDB_KEYS.has(c)) && new Set(this.cols).size === this.cols.length;
      if (known && !this.opts.schemaOnly) {
        this.plainAt = {};
        for (const k of CMDB_KEYS) this.plainAt[k] = this.cols.indexOf(k);
      }
      return;
    }
    const cols = this.cols;
    if (r.fields.length !== cols.length) {
      this.rows++;
      this.errors.push({
        line: r.line,
        reason: `expected ${cols.length} fields as in the header, found ${r.fields.length}`,
      });
      return;
    }
    if (this.plainAt && r.fields.every((f) => isClean(f, 'line'))) {
      const row = plainCsvRow(this.plainAt, r.fields);
      if (row) {
        this.rows++;
        this.accept(r.line, row);
        return;
      }
    }
    const value: Record<string, unknown> = {};
    for (let i = 0; i < cols.length; i++) value[cols[i]!] = r.fields[i];
    this.record(r.line, value);
  }

  private record(line: number, raw: Record<string, unknown>): void {
    this.rows++;
    const changes: TextChange[] = [];
    const value = cleanTree(raw, '', changes);
    for (const c of changes) this.warnings.push({ line, reason: describeTextChange(c) });
    if (value === NOT_AN_OBJECT) {
      this.errors.push({ line, reason: 'expected an object with the documented keys' });
      return;
    }
    const parsed = cmdbRowSchema.safeParse(value);
    if (!parsed.success) {
      this.errors.push({ line, reason: parsed.error.issues.map(issueText).join('; ') });
      return;
    }
    this.accept(line, parsed.data);
  }

  /** A valid row: an observation, unless its source id was used before. */
  private accept(line: number, row: CmdbRow): void {
    const dup = this.seen.get(row.sourceId);
    if (dup !== undefined) {
      this.errors.push({ line, reason: `source_id "${row.sourceId}" already used on line ${dup}` });
      return;
    }
    this.seen.set(row.sourceId, line);
    this.observed++;
    this.observations.push(toObservation(row, this.opts.sourceName, this.opts.keys));
  }
}

function toObservation(row: CmdbRow, source: string, keys: MetadataKeys): ContainerObservation {
  let workloadKind = row.workloadKind;
  let workloadName = row.workload;
  if (workloadName?.includes('/') && !workloadKind) {
    const [k, ...rest] = workloadName.split('/');
    workloadKind = k;
    workloadName = rest.join('/');
  }
  let digest: string | undefined;
  let digestKind = row.digestKind ?? undefined;
  if (row.digest) {
    const p = parseDigestCell(row.digest);
    digest = p.digest;
    // A CMDB "digest" column names the repository digest unless it says otherwise (digest_kind,
    // or the `docker://sha256:…` image-id form).
    digestKind ??= p.repository || !row.digest.includes('://') ? 'repo' : p.digestKind;
  } else {
    digest = pinnedDigest(row.image);
    if (digest) digestKind ??= 'repo';
    else digestKind = undefined;
  }
  const [os, architecture, variant] = row.platform?.split('/') ?? [];
  const platform: Platform | undefined = os && architecture ? { os, architecture, variant } : undefined;
  return {
    id: `${source}/${row.sourceId}`,
    cluster: row.cluster,
    namespace: row.namespace,
    workloadKind,
    workloadName,
    pod: row.pod,
    container: row.container,
    containerKind: row.containerKind ?? 'regular',
    node: row.node,
    platform,
    image: row.image,
    imageId: row.digest,
    digest,
    digestKind,
    state: row.state ?? 'running',
    startedAt: row.startedAt ? new Date(row.startedAt) : undefined,
    owner: row.owner ?? pickValue(keys.ownerKeys, [row.labels]),
    environment: row.environment ?? pickValue(keys.environmentKeys, [row.labels]),
    labels: row.labels,
  };
}

const pinnedDigest = memo(digestOfReference);

const NOT_AN_OBJECT: Record<string, unknown> = {};

function renameKeys(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return NOT_AN_OBJECT;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [key(k), x]));
}

function issueText(issue: { path: PropertyKey[]; message: string; code: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown column(s): ${issue.keys?.join(', ')}`;
  }
  const field = issue.path.map(String).join('.');
  if (issue.message.includes(':') || issue.message.includes('required') || !field) return issue.message;
  return `${field}: ${issue.message}`;
}

/**
 * The format of a file from its first characters, or undefined while more text is needed: `[` is a
 * JSON array; `{` is JSON Lines when the first line is a whole JSON value and another line starts
 * with `{`, else a JSON document; anything else is CSV.
 */
function sniff(text: string, final: boolean): 'csv' | 'json' | 'jsonl' | undefined {
  const t = text.trimStart();
  if (!t) return final ? 'csv' : undefined;
  if (t.startsWith('[')) return 'json';
  if (!t.startsWith('{')) return 'csv';
  const nl = t.indexOf('\n');
  if (nl === -1) return final || t.length > SNIFF_LIMIT ? 'json' : undefined;
  try {
    JSON.parse(t.slice(0, nl).trim());
  } catch {
    return 'json';
  }
  // The next line that is not blank tells.
  const rest = t.slice(nl + 1).trimStart();
  if (!rest) return final ? 'json' : undefined;
  return rest.startsWith('{') ? 'jsonl' : 'json';
}
