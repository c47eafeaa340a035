// The CMDB import schema (docs/inventory.md, "CMDB files"): one row per running container. CSV
// headers and JSON keys may be snake_case or camelCase. Required: source_id, container, image.
import { z } from 'zod';
import { normalizeDigest, parseImageId, referenceProblem } from '../../image-id.js';

const optionalText = z
  .string()
  .trim()
  .nullish()
  .transform((v) => (v ? v : undefined));

const labelMap = z
  .union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v == null || v === '') return {};
    if (typeof v !== 'string') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    const t = v.trim();
    if (t.startsWith('{')) {
      try {
        const o = JSON.parse(t);
        if (o && typeof o === 'object' && !Array.isArray(o)) {
          return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, String(x)]));
        }
      } catch {}
      ctx.addIssue({
        code: 'custom',
        message: 'labels: expected a JSON object or key=value pairs separated by ";"',
      });
      return z.NEVER;
    }
    const out: Record<string, string> = {};
    for (const pair of t.split(';')) {
      if (!pair.trim()) continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        ctx.addIssue({ code: 'custom', message: `labels: "${pair.trim()}" is not key=value` });
        return z.NEVER;
      }
      out[pair.slice(0, eq).trim()] = pair
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
    }
    return out;
  });

export const cmdbRowSchema = z
  .object({
    sourceId: z.string({ error: 'source_id is required' }).trim().min(1, 'source_id is required'),
    cluster: optionalText,
    namespace: optionalText,
    /** `Kind/Name` (e.g. `Deployment/web`) or a bare name with workloadKind beside it. */
    workload: optionalText,
    workloadKind: optionalText,
    pod: optionalText,
    container: z.string({ error: 'container is required' }).trim().min(1, 'container is required'),
    containerKind: z.enum(['init', 'sidecar', 'regular', 'ephemeral']).nullish(),
    node: optionalText,
    platform: optionalText.refine((p) => p === undefined || /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p), {
      message: 'platform: expected os/arch[/variant], e.g. linux/amd64',
    }),
    image: z
      .string({ error: 'image is required' })
      .trim()
      .min(1, 'image is required')
      .superRefine((image, ctx) => {
        const problem = referenceProblem(image);
        if (problem) ctx.addIssue({ code: 'custom', message: `image: ${problem}` });
      }),
    digest: optionalText.refine(
      (d) => d === undefined || parseImageId(d).digest !== undefined || !!normalizeDigest(d),
      {
        message: 'digest: expected sha256:<64 hex digits> (or repo@sha256:…)',
      },
    ),
    digestKind: z.enum(['repo', 'config']).nullish(),
    state: optionalText,
    startedAt: optionalText.refine((t) => t === undefined || !Number.isNaN(Date.parse(t)), {
      message: 'started_at: expected an ISO 8601 time such as 2026-01-31T12:00:00Z',
    }),
    labels: labelMap,
    owner: optionalText,
    environment: optionalText,
  })
  .strict();

export type CmdbRow = z.output<typeof cmdbRowSchema>;

/** `source_id`, `Source ID`, `sourceId` → `sourceId`. */
export function canonicalKey(key: string): string {
  const parts = key
    .trim()
    .split(/[\s_-]+|(?<=[a-z])(?=[A-Z])/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
}
