// The CMDB import schema (docs/inventory.md, "CMDB files"): one row per running container. CSV
// headers and JSON keys may be snake_case or camelCase. Required: source_id, container, image.
import { z } from 'zod';
import { normalizeDigest, parseImageId, referenceProblem } from '../../image-id.js';

// Each cell is checked as it came (a string, or absent) and trimmed once, by `trimmed` at the end:
// a chain of zod steps per cell (trim, then nullish, then a transform) cost 7× the checks themselves,
// ~9 µs a row of a 1M-row import (issue 15). What a row means and every message are unchanged.

/** An optional cell: a string or absent; blank counts as absent. */
const optionalText = z.string().nullish();

/** The value of an optional cell: trimmed, and undefined when blank. */
function text(v: string | null | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** A required cell: a string that is not blank (`message` otherwise), and passes `check` trimmed. */
function requiredText(message: string, check?: (value: string, ctx: z.RefinementCtx) => void) {
  return z.string({ error: message }).superRefine((v, ctx) => {
    const t = v.trim();
    if (!t) ctx.addIssue({ code: 'custom', message });
    check?.(t, ctx);
  });
}

/** An optional cell that must pass `valid` when it is not blank. */
function checkedText(valid: (value: string) => boolean, message: string) {
  return optionalText.refine((v) => {
    const t = text(v);
    return t === undefined || valid(t);
  }, message);
}

const labelMap = z
  .union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v == null || v === '') return {};
    if (typeof v !== 'string') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    const r = labelText(v);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r });
      return z.NEVER;
    }
    return r;
  });

/**
 * The labels of a text cell (not blank): a JSON object, or `key=value` pairs separated by `;`
 * (a value may be quoted). A string is the problem's message.
 */
export function labelText(v: string): Record<string, string> | string {
  const t = v.trim();
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t);
      if (o && typeof o === 'object' && !Array.isArray(o)) {
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, String(x)]));
      }
    } catch {}
    return 'labels: expected a JSON object or key=value pairs separated by ";"';
  }
  const out: Record<string, string> = {};
  for (const pair of t.split(';')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return `labels: "${pair.trim()}" is not key=value`;
    out[pair.slice(0, eq).trim()] = pair
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/**
 * A small cache of a pure function of a cell's text: a large export repeats its images and digests
 * row after row. Emptied when full, so it holds at most `limit` entries.
 */
export function memo<T>(fn: (text: string) => T, limit = 10_000): (text: string) => T {
  const cache = new Map<string, T>();
  return (t) => {
    let r = cache.get(t);
    if (r === undefined && !cache.has(t)) {
      if (cache.size >= limit) cache.clear();
      r = fn(t);
      cache.set(t, r);
    }
    return r as T;
  };
}

const imageProblem = memo(referenceProblem);
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
/** The parse of a digest cell (shared: not to be changed by its callers). */
export const parseDigestCell = memo(parseImageId);
const validTime = (t: string) => !Number.isNaN(Date.parse(t));
const validDigest = memo((d) => parseDigestCell(d).digest !== undefined || !!normalizeDigest(d));

export const cmdbRowSchema = z
  .object({
    sourceId: requiredText('source_id is required'),
    cluster: optionalText,
    namespace: optionalText,
    /** `Kind/Name` (e.g. `Deployment/web`) or a bare name with workloadKind beside it. */
    workload: optionalText,
    workloadKind: optionalText,
    pod: optionalText,
    container: requiredText('container is required'),
    containerKind: z.enum(['init', 'sidecar', 'regular', 'ephemeral']).nullish(),
    node: optionalText,
    platform: checkedText((p) => PLATFORM.test(p), 'platform: expected os/arch[/variant], e.g. linux/amd64'),
    image: requiredText('image is required', (image, ctx) => {
      const problem = imageProblem(image);
      if (problem) ctx.addIssue({ code: 'custom', message: `image: ${problem}` });
    }),
    digest: checkedText(validDigest, 'digest: expected sha256:<64 hex digits> (or repo@sha256:…)'),
    digestKind: z.enum(['repo', 'config']).nullish(),
    state: optionalText,
    startedAt: checkedText(validTime, 'started_at: expected an ISO 8601 time such as 2026-01-31T12:00:00Z'),
    labels: labelMap,
    owner: optionalText,
    environment: optionalText,
  })
  .strict()
  .transform(trimmed);

/** A valid row's cells as they mean: trimmed, blank optional cells absent. */
function trimmed(r: {
  sourceId: string;
  cluster?: string | null | undefined;
  namespace?: string | null | undefined;
  workload?: string | null | undefined;
  workloadKind?: string | null | undefined;
  pod?: string | null | undefined;
  container: string;
  containerKind?: 'init' | 'sidecar' | 'regular' | 'ephemeral' | null | undefined;
  node?: string | null | undefined;
  platform?: string | null | undefined;
  image: string;
  digest?: string | null | undefined;
  digestKind?: 'repo' | 'config' | null | undefined;
  state?: string | null | undefined;
  startedAt?: string | null | undefined;
  labels: Record<string, string>;
  owner?: string | null | undefined;
  environment?: string | null | undefined;
}) {
  return {
    sourceId: r.sourceId.trim(),
    cluster: text(r.cluster),
    namespace: text(r.namespace),
    workload: text(r.workload),
    workloadKind: text(r.workloadKind),
    pod: text(r.pod),
    container: r.container.trim(),
    containerKind: r.containerKind,
    node: text(r.node),
    platform: text(r.platform),
    image: r.image.trim(),
    digest: text(r.digest),
    digestKind: r.digestKind,
    state: text(r.state),
    startedAt: text(r.startedAt),
    labels: r.labels,
    owner: text(r.owner),
    environment: text(r.environment),
  };
}

export type CmdbRow = z.output<typeof cmdbRowSchema>;

/** The schema's keys (canonical, after the aliases): a column named otherwise is unknown. */
export const CMDB_KEYS: ReadonlySet<string> = new Set(Object.keys(cmdbRowSchema.in.shape));

function cellOf(
  at: Readonly<Record<string, number>>,
  cells: readonly string[],
  k: string,
): string | undefined {
  const i = at[k]!;
  return i < 0 ? undefined : cells[i];
}

const CONTAINER_KINDS = new Set(['init', 'sidecar', 'regular', 'ephemeral']);
const DIGEST_KINDS = new Set(['repo', 'config']);

/**
 * The row of CSV cells that need no cleaning, without the schema: the same row `cmdbRowSchema`
 * makes of them when they are valid, else undefined (then the schema reads the row, for its
 * messages). `at[k]` is the index of key k's column (-1: no such column); every column of the file
 * must be one of CMDB_KEYS, each once (see CmdbParser). For a large export (issue 15): zod's object
 * parse, the cleaned copy of the row and the schema's output cost ~10 µs a row.
 */
export function plainCsvRow(
  at: Readonly<Record<string, number>>,
  cells: readonly string[],
): CmdbRow | undefined {
  const sourceId = cellOf(at, cells, 'sourceId')?.trim();
  const container = cellOf(at, cells, 'container')?.trim();
  const image = cellOf(at, cells, 'image')?.trim();
  if (!sourceId || !container || !image || imageProblem(image)) return undefined;
  const containerKind = cellOf(at, cells, 'containerKind');
  if (containerKind !== undefined && !CONTAINER_KINDS.has(containerKind)) return undefined;
  const digestKind = cellOf(at, cells, 'digestKind');
  if (digestKind !== undefined && !DIGEST_KINDS.has(digestKind)) return undefined;
  const platform = text(cellOf(at, cells, 'platform'));
  if (platform !== undefined && !PLATFORM.test(platform)) return undefined;
  const digest = text(cellOf(at, cells, 'digest'));
  if (digest !== undefined && !validDigest(digest)) return undefined;
  const startedAt = text(cellOf(at, cells, 'startedAt'));
  if (startedAt !== undefined && !validTime(startedAt)) return undefined;
  const labelCell = cellOf(at, cells, 'labels');
  let labels: Record<string, string> = {};
  if (labelCell) {
    const l = labelText(labelCell);
    if (typeof l === 'string') return undefined;
    labels = l;
  }
  return {
    sourceId,
    cluster: text(cellOf(at, cells, 'cluster')),
    namespace: text(cellOf(at, cells, 'namespace')),
    workload: text(cellOf(at, cells, 'workload')),
    workloadKind: text(cellOf(at, cells, 'workloadKind')),
    pod: text(cellOf(at, cells, 'pod')),
    container,
    containerKind: containerKind as CmdbRow['containerKind'],
    node: text(cellOf(at, cells, 'node')),
    platform,
    image,
    digest,
    digestKind: digestKind as CmdbRow['digestKind'],
    state: text(cellOf(at, cells, 'state')),
    startedAt,
    labels,
    owner: text(cellOf(at, cells, 'owner')),
    environment: text(cellOf(at, cells, 'environment')),
  };
}

/** `source_id`, `Source ID`, `sourceId` → `sourceId`. */
export function canonicalKey(key: string): string {
  const parts = key
    .trim()
    .split(/[\s_-]+|(?<=[a-z])(?=[A-Z])/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
}
