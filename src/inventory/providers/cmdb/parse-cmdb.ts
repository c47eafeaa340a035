// Reads a CMDB export (CSV, JSON array, `{"containers": [...]}` or JSON Lines) into container
// observations. Every bad row is reported with its line number and the reason; the caller decides
// whether anything is imported (nothing, unless --allow-partial). Every cell is cleaned by the one
// rule of core/untrusted-text.ts before it is validated; each change is a warning with its line.
import type { ContainerObservation, Platform } from '../../../core/types.js';
import { cleanTree, describeTextChange, type TextChange } from '../../../core/untrusted-text.js';
import { digestOfReference, parseImageId } from '../../image-id.js';
import { type MetadataKeys, pickValue } from '../../metadata-keys.js';
import { parseCsv } from './csv.js';
import { type CmdbRow, canonicalKey, cmdbRowSchema } from './schema.js';

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

export function parseCmdb(
  text: string,
  opts: { sourceName: string; format?: 'csv' | 'json' | 'jsonl' | undefined; keys: MetadataKeys },
): CmdbParseResult {
  const format = opts.format ?? sniff(text);
  const errors: CmdbRowError[] = [];
  const records: { line: number; value: Record<string, unknown> }[] = [];

  if (format === 'csv') {
    let table: ReturnType<typeof parseCsv>;
    try {
      table = parseCsv(text);
    } catch (err) {
      return {
        format,
        observations: [],
        errors: [{ line: 1, reason: (err as Error).message }],
        warnings: [],
        rows: 0,
      };
    }
    const [header, ...body] = table;
    if (!header)
      return {
        format,
        observations: [],
        warnings: [],
        errors: [{ line: 1, reason: 'empty file: expected a header row' }],
        rows: 0,
      };
    const cols = header.fields.map(key);
    for (const r of body) {
      if (r.fields.length !== cols.length) {
        errors.push({
          line: r.line,
          reason: `expected ${cols.length} fields as in the header, found ${r.fields.length}`,
        });
        continue;
      }
      records.push({ line: r.line, value: Object.fromEntries(cols.map((c, i) => [c, r.fields[i]])) });
    }
  } else if (format === 'jsonl') {
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      try {
        records.push({ line: i + 1, value: renameKeys(JSON.parse(l)) });
      } catch (err) {
        errors.push({ line: i + 1, reason: `not valid JSON: ${(err as Error).message}` });
      }
    });
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return {
        format,
        observations: [],
        warnings: [],
        errors: [{ line: jsonErrorLine(text, err), reason: `not valid JSON: ${(err as Error).message}` }],
        rows: 0,
      };
    }
    const items = Array.isArray(doc) ? doc : (doc as { containers?: unknown })?.containers;
    if (!Array.isArray(items)) {
      return {
        format,
        observations: [],
        warnings: [],
        errors: [{ line: 1, reason: 'expected a JSON array of rows or {"containers": [...]}' }],
        rows: 0,
      };
    }
    const lines = elementLines(text, !Array.isArray(doc));
    items.forEach((item, i) => {
      records.push({ line: lines[i] ?? 1, value: renameKeys(item) });
    });
  }

  const shapeErrors = errors.length;
  const observations: ContainerObservation[] = [];
  const warnings: CmdbRowError[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const changes: TextChange[] = [];
    const r = { line: record.line, value: cleanTree(record.value, '', changes) };
    for (const c of changes) warnings.push({ line: r.line, reason: describeTextChange(c) });
    if (r.value === NOT_AN_OBJECT) {
      errors.push({ line: r.line, reason: 'expected an object with the documented keys' });
      continue;
    }
    const parsed = cmdbRowSchema.safeParse(r.value);
    if (!parsed.success) {
      errors.push({ line: r.line, reason: parsed.error.issues.map(issueText).join('; ') });
      continue;
    }
    const row = parsed.data;
    const dup = seen.get(row.sourceId);
    if (dup !== undefined) {
      errors.push({ line: r.line, reason: `source_id "${row.sourceId}" already used on line ${dup}` });
      continue;
    }
    seen.set(row.sourceId, r.line);
    observations.push(toObservation(row, opts.sourceName, opts.keys));
  }
  errors.sort((a, b) => a.line - b.line);
  return { format, observations, errors, warnings, rows: records.length + shapeErrors };
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
    const p = parseImageId(row.digest);
    digest = p.digest;
    // A CMDB "digest" column names the repository digest unless it says otherwise (digest_kind,
    // or the `docker://sha256:…` image-id form).
    digestKind ??= p.repository || !row.digest.includes('://') ? 'repo' : p.digestKind;
  } else {
    digest = digestOfReference(row.image);
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

function sniff(text: string): 'csv' | 'json' | 'jsonl' {
  const t = text.trimStart();
  if (t.startsWith('[')) return 'json';
  if (t.startsWith('{')) {
    const first = t.split('\n', 1)[0]!.trim();
    try {
      JSON.parse(first);
      return t.includes('\n{') ? 'jsonl' : 'json';
    } catch {
      return 'json';
    }
  }
  return 'csv';
}

/** The line on which each element of the top-level array (or of `"containers"`) starts. */
function elementLines(text: string, nested: boolean): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  const target = nested ? 2 : 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === target) lines.push(line);
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === target) lines.push(line);
      depth++;
    } else if (c === '}' || c === ']') depth--;
    else if (depth === target && /[-0-9tfn]/.test(c) && !/[-0-9a-z.]/.test(text[i - 1] ?? ''))
      lines.push(line);
  }
  return lines;
}

function jsonErrorLine(text: string, err: unknown): number {
  const m = /position (\d+)/.exec((err as Error).message);
  if (!m) return 1;
  return text.slice(0, Number(m[1])).split('\n').length;
}
