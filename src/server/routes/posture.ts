// GET /api/v1/posture: the `runsight posture --format json` document (roll-ups by one scope kind,
// priorities, coverage, exposure, freshness), its figures and totals over the caller's scope.
import type { z } from '@hono/zod-openapi';
import type { AccessScope } from '../../core/access.js';
import type { Severity } from '../../core/types.js';
import { postureConfigOf } from '../../propagation/index.js';
import { getPosture, type PostureBy } from '../../views/index.js';
import type { App } from '../app.js';
import type { AppDeps } from '../context.js';
import { apiRoute } from '../route-access.js';
import { PostureQuerySchema, PostureReportSchema } from '../schemas.js';
import { streamJsonDocument } from '../stream-json.js';

const posture = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/posture',
  summary: 'Posture rolled up by namespace, workload, cluster, environment, owner, image or container',
  tags: ['posture'],
  request: { query: PostureQuerySchema },
  responses: {
    200: {
      description: 'the posture report',
      content: { 'application/json': { schema: PostureReportSchema } },
    },
  },
});

/** The posture document for an API query, over the caller's scope (also the source of /priorities and /coverage). */
export function postureFor(deps: AppDeps, q: z.infer<typeof PostureQuerySchema>, scope: AccessScope) {
  return getPosture(
    deps.store,
    {
      by: q.by as PostureBy,
      severity: q.severity?.toUpperCase() as Severity | undefined,
      kev: q.kev,
      fixable: q.fixable,
      cluster: q.cluster,
      namespace: q.namespace,
      top: q.top,
      sort: q.sort,
      limit: q.limit,
      after: q.after,
      scope,
      ...(deps.now ? { now: deps.now() } : {}),
    },
    postureConfigOf(deps.config),
  );
}

export function registerPostureRoutes(app: App): void {
  app.openapi(posture, async (c) => {
    const report = await postureFor(c.var.deps, c.req.valid('query'), c.var.principal.scope);
    // Streamed when large: unpaged by container, a 1M fleet is a million groups (one string of it
    // would pass V8's string limit).
    return streamJsonDocument({ ...report }) as never;
  });
}
