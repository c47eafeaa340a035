// The zod schemas of the API, one per resource: they validate requests (query, path, body) and
// generate the OpenAPI 3.1 document (/openapi.json). Response schemas name the documented fields of
// each document — the same documents the CLI prints with `--format json` (docs/api.md) — and let
// the stage add fields (`looseObject`), as the CLI's JSON does.
import { z } from '@hono/zod-openapi';
import { SCOPE_KINDS } from '../core/types.js';
import { IMPORT_FORMATS } from '../importers/index.js';
import { POSTURE_BY } from '../views/index.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'no container "shop/api-1/app"' }),
    }),
  })
  .openapi('Error');

const errorContent = { 'application/json': { schema: ErrorSchema } };
export const errorResponses = {
  400: { description: 'Invalid request: the message names the field path', content: errorContent },
  401: { description: 'No token, or a token that is unknown, expired or revoked', content: errorContent },
  403: { description: 'The caller’s role does not allow this', content: errorContent },
  404: { description: 'Unknown, or outside the caller’s scope (the same answer)', content: errorContent },
  500: { description: 'Internal error (details in the server log)', content: errorContent },
} as const;

const flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
/** A query parameter given once or repeated (`?namespace=a&namespace=b`). */
const repeated = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .optional();

// ---- containers ----
export const PAGE_MAX = 1000;
/** `vuln where`'s largest page of containers: rows are small and a fleet-wide CVE has many. */
export const WHERE_PAGE_MAX = 10_000;
/** A page size from the query string, 1–`max`. */
const pageSize = (max = PAGE_MAX) => z.coerce.number().int().min(1).max(max);
export const ContainersQuery = z.object({
  cluster: z.string().min(1).optional().openapi({ description: 'only this cluster' }),
  namespace: repeated.openapi({ description: 'only these namespaces (repeatable)' }),
  source: z.string().min(1).optional().openapi({ description: 'only this inventory source' }),
  all: flag.openapi({ description: 'include containers that have gone (state "removed")' }),
  after: z.string().min(1).optional().openapi({ description: 'the `next` of the previous page' }),
  sort: z.enum(['source', 'id', 'workload', 'severity']).default('source').openapi({
    description:
      "the order: `source` (source, cluster, namespace, pod, id), `id`, `workload` (cluster, namespace, workload kind and name, id), or `severity` (worst first: the image's KEV, then critical, high, medium, low, unknown vulnerabilities, then id; containers whose image has no posture last); a cursor continues only the order it came from",
  }),
  limit: pageSize()
    .default(100)
    .openapi({ description: `page size, 1–${PAGE_MAX} (default 100)` }),
});

const Counts = z.looseObject({
  critical: z.number(),
  high: z.number(),
  medium: z.number(),
  low: z.number(),
  unknown: z.number(),
  kev: z.number(),
  fixable: z.number(),
  total: z.number(),
});
const Summary = z.object({ vulnerabilities: Counts, findings: Counts }).openapi('CountSummary');

export const ContainerSchema = z
  .looseObject({
    id: z.string(),
    source: z.string(),
    cluster: z.string().nullable(),
    namespace: z.string().nullable(),
    workloadKind: z.string().nullable(),
    workloadName: z.string().nullable(),
    pod: z.string().nullable(),
    container: z.string(),
    containerKind: z.string(),
    node: z.string().nullable(),
    platform: z.string().nullable(),
    image: z.string(),
    imageId: z.string().nullable(),
    digest: z.string().nullable(),
    digestKind: z.string().nullable(),
    state: z.string(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    owner: z.string().nullable(),
    environment: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    imageDigest: z.string().nullable(),
    matchMethod: z.string(),
    confidence: z.string(),
    summary: Summary.nullable(),
  })
  .openapi('Container', { description: 'One row of `runsight containers --format json`' });

export const ContainerPage = z
  .object({
    items: z.array(ContainerSchema),
    next: z
      .string()
      .nullable()
      .openapi({ description: 'pass as `after` for the next page; null on the last' }),
  })
  .openapi('ContainerPage');

export const ContainerId = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'prod/shop/api-1/app' }),
});
export const ContainerViewSchema = z
  .looseObject({ id: z.string(), image: z.string(), matchMethod: z.string(), findings: z.array(z.unknown()) })
  .openapi('ContainerView', { description: 'The document of `runsight container show --format json`' });

// ---- workloads ----
export const WorkloadKey = z.object({
  key: z
    .string()
    .min(1)
    .openapi({
      param: { name: 'key', in: 'path' },
      description: 'NAMESPACE/KIND/NAME or CLUSTER/NAMESPACE/KIND/NAME, URL-encoded (%2F for /)',
      example: 'prod%2Fshop%2FDeployment%2Fapi',
    }),
});
export const WorkloadViewSchema = z
  .looseObject({ workload: z.string(), containers: z.array(z.unknown()) })
  .openapi('WorkloadView', { description: 'The document of `runsight workload show --format json`' });

// ---- posture ----
export const PostureQuerySchema = z.object({
  by: z.enum(POSTURE_BY as [string, ...string[]]).default('namespace'),
  severity: z
    .enum(['critical', 'high', 'medium', 'low', 'unknown', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'])
    .optional()
    .openapi({ description: 'count only vulnerabilities at or above this severity' }),
  kev: flag,
  fixable: flag,
  cluster: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  top: z.coerce.number().int().min(1).max(1000).default(20),
  limit: pageSize()
    .optional()
    .openapi({ description: `page size of \`groups\`, 1–${PAGE_MAX} (default: every group, no \`next\`)` }),
  after: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .openapi({ description: 'the `next` of the previous page (with the same `sort`)' }),
  sort: z.enum(['instances', 'distinct', 'containers', 'key']).default('instances').openapi({
    description:
      'the order of `groups`: `instances` (worst first: the weight of the filtered instances — KEV, then critical, high, medium, low), `distinct` (the same of the distinct vulnerabilities), `containers` (most first), each then by key; or `key`',
  }),
});
export const PostureReportSchema = z
  .looseObject({
    by: z.string(),
    totals: z.looseObject({ containers: z.number() }),
    groups: z.array(z.looseObject({ key: z.string(), containers: z.number() })),
    next: z.string().nullable().optional().openapi({
      description:
        'only when `limit` or `after` was given: pass as `after` for the next page of `groups`; null on the last',
    }),
    priorities: z.array(z.unknown()),
    coverage: z.unknown(),
    exposure: z.unknown(),
    freshness: z.unknown(),
    limits: z.string(),
  })
  .openapi('PostureReport', { description: 'The document of `runsight posture --format json`' });

// ---- vulnerabilities ----
export const VulnerabilityId = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'CVE-2025-26519' }),
});
export const VulnerabilitySchema = z
  .looseObject({ id: z.string(), advisories: z.array(z.unknown()), images: z.array(z.unknown()) })
  .openapi('Vulnerability', { description: 'The document of `runsight vuln show --format json`' });
export const VulnWhereSchema = z
  .looseObject({
    ids: z.array(z.string()),
    containers: z.array(z.unknown()),
    workloads: z.array(z.unknown()).optional().openapi({ description: 'absent only with `summary=false`' }),
    images: z.array(z.unknown()).optional().openapi({ description: 'absent only with `summary=false`' }),
    next: z.string().nullable().optional().openapi({
      description:
        'only when `limit`, `after` or `cursor` was given: pass as `after` for the next page of `containers`; null on the last',
    }),
  })
  .openapi('VulnWhere', {
    description:
      'The document of `runsight vuln where --format json`; with `limit`, `containers` is one page (workloads and images stay whole)',
  });
export const VulnWhereQuery = z.object({
  limit: pageSize(WHERE_PAGE_MAX)
    .optional()
    .openapi({
      description: `page size of \`containers\`, 1–${WHERE_PAGE_MAX} (default: all of them, no \`next\`)`,
    }),
  after: z.string().min(1).max(2000).optional().openapi({ description: 'the `next` of the previous page' }),
  cursor: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .openapi({ description: 'the same as `after` (its earlier name); not with a different `after`' }),
  summary: flag.openapi({
    description:
      "false: a page of `containers` only, without `workloads` and `images` (they cost an aggregate over every carrier; a client walking the pages keeps the first page's)",
  }),
});

// ---- images ----
export const ImageRef = z.object({
  digest: z
    .string()
    .min(1)
    .openapi({
      param: { name: 'digest', in: 'path' },
      description: 'a digest (sha256:…) or an image reference, URL-encoded',
      example: 'sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1',
    }),
});
export const ImagePair = z.object({
  a: z
    .string()
    .min(1)
    .openapi({ param: { name: 'a', in: 'path' } }),
  b: z
    .string()
    .min(1)
    .openapi({ param: { name: 'b', in: 'path' } }),
});
export const PlatformQuery = z.object({
  platform: z
    .string()
    .regex(/^[^/]+\/[^/]+(\/[^/]+)?$/, 'expected os/arch[/variant], e.g. linux/amd64')
    .default('linux/amd64'),
});
export const ImageShowSchema = z
  .looseObject({ digest: z.string(), sources: z.array(z.unknown()), differences: z.array(z.unknown()) })
  .openapi('ImageShow', { description: 'The document of `runsight image show --format json`' });
export const ImageDiffSchema = z
  .looseObject({
    a: z.unknown(),
    b: z.unknown(),
    fixed: z.array(z.unknown()),
    introduced: z.array(z.unknown()),
  })
  .openapi('ImageDiff', { description: 'The document of `runsight image diff --format json`' });

// ---- validate ----
export const ValidateQuery = z.object({
  image: z.string().min(1).optional(),
  vulnerability: z.string().min(1).optional(),
  fixedImage: z.string().min(1).optional(),
});
export const ValidateSchema = z
  .looseObject({
    checks: z.array(z.looseObject({ name: z.string(), status: z.string(), evidence: z.string() })),
  })
  .openapi('Validation', { description: 'The document of `runsight validate --format json`' });

// ---- audit ----
export const AuditQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'the `next` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const AuditPageSchema = z
  .object({
    entries: z.array(
      z.looseObject({
        id: z.number(),
        at: z.string(),
        subject: z.string(),
        role: z.string().nullable(),
        action: z.string(),
        target: z.string().nullable(),
        outcome: z.string(),
      }),
    ),
    next: z.number().nullable(),
  })
  .openapi('AuditPage');

// ---- imports ----
export const ImportQuery = z.object({
  format: z.enum(['auto', ...IMPORT_FORMATS] as [string, ...string[]]).default('auto'),
  image: z
    .string()
    .min(1)
    .optional()
    .openapi({ description: 'the image (REF or DIGEST) the report describes' }),
  force: flag,
});
export const ImportResultSchema = z
  .object({
    images: z.array(
      z.looseObject({
        reference: z.string().nullable(),
        digest: z.string().nullable(),
        matchMethod: z.string(),
        source: z.string(),
        imported: z.number(),
        skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
      }),
    ),
  })
  .openapi('ImportResult', { description: 'The document of `runsight import --format json`' });

// ---- inventory ----
const text = z.string().min(1).max(4096);
const optText = z.string().max(4096).optional();
const when = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .optional();
export const ContainerObservationSchema = z
  .strictObject({
    id: text,
    cluster: optText,
    namespace: optText,
    workloadKind: optText,
    workloadName: optText,
    pod: optText,
    container: text,
    containerKind: z.enum(['init', 'sidecar', 'regular', 'ephemeral']).default('regular'),
    node: optText,
    platform: z
      .strictObject({
        os: z.string().min(1),
        architecture: z.string().min(1),
        variant: z.string().min(1).optional(),
        osVersion: z.string().min(1).optional(),
      })
      .optional(),
    image: text,
    imageId: optText,
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256: and 64 hex digits')
      .optional(),
    digestKind: z.enum(['repo', 'config']).optional(),
    state: z.string().min(1).max(64).default('running'),
    startedAt: when,
    finishedAt: when,
    restarts: z.number().int().min(0).optional(),
    owner: optText,
    environment: optText,
    labels: z.record(z.string().max(1024), z.string().max(4096)).default({}),
  })
  .openapi('ContainerObservation');

export const InventoryMutationSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('full'),
      containers: z.array(ContainerObservationSchema),
      // A list of these namespaces only (an agent with --namespace): it closes rows only there.
      namespaces: z.array(text).min(1).max(1000).optional(),
    }),
    z.strictObject({
      type: z.literal('delta'),
      added: z.array(ContainerObservationSchema).default([]),
      removed: z.array(text).default([]),
    }),
  ])
  .openapi('InventoryMutation', {
    description: 'What a collector emits: a whole list (`full`) or what changed (`delta`)',
  });

export const InventorySource = z.object({
  source: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected a name of letters, digits, . _ : -')
    .openapi({ param: { name: 'source', in: 'path' }, example: 'prod-eu' }),
});
export const InventoryKindQuery = z.object({
  kind: z.enum(['kubernetes', 'docker', 'cmdb']).default('kubernetes'),
});
export const InventoryResultSchema = z
  .object({
    source: z.string(),
    runId: z.number(),
    counts: z.looseObject({ seen: z.number(), added: z.number(), changed: z.number(), removed: z.number() }),
  })
  .openapi('InventoryResult');

// ---- scans ----
export const ScanRequestSchema = z
  .strictObject({
    reference: z.string().min(1).max(1024).openapi({ example: 'registry.example.com/shop/api:1.4' }),
    platform: z.string().min(1).optional().openapi({ description: 'os/arch[/variant] or all' }),
  })
  .openapi('ScanRequest');
export const ScanResultSchema = z
  .object({
    images: z.array(
      z.looseObject({
        reference: z.string(),
        digest: z.string(),
        platform: z.string().nullable(),
        status: z.string(),
        summary: Summary,
      }),
    ),
  })
  .openapi('ScanResult');

export const HistoryQuerySchema = z.object({
  kind: z.enum(SCOPE_KINDS as [string, ...string[]]).default('fleet'),
  key: z
    .union([z.string().min(1), z.array(z.string().min(1))])
    .optional()
    .openapi({ description: 'scope key as posture prints it (repeatable), e.g. prod/shop for a namespace' }),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
export const HistorySchema = z
  .looseObject({ kind: z.string(), keys: z.array(z.string()), snapshots: z.array(z.unknown()) })
  .openapi('PostureHistory');
export const PrioritiesSchema = z.looseObject({ priorities: z.array(z.unknown()) }).openapi('Priorities');
export const CoverageSchema = z
  .looseObject({
    matchMethods: z.array(z.unknown()),
    gaps: z.array(z.unknown()),
    tagDrift: z.array(z.unknown()),
  })
  .openapi('Coverage');
export const FreshnessSchema = z.looseObject({ now: z.string(), stale: z.boolean() }).openapi('Freshness');
