// GET /api/v1/posture: the `runsight posture --format json` document (roll-ups by one scope kind,
// priorities, coverage, exposure, freshness), its figures and totals over the caller's scope.
import type { Severity } from '../../core/types.js';
import { getPosture, type PostureBy } from '../../views/index.js';
import type { App } from '../app.js';
import { postureSettings } from '../posture-settings.js';
import { apiRoute } from '../route-access.js';
import { PostureQuerySchema, PostureReportSchema } from '../schemas.js';

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

export function registerPostureRoutes(app: App): void {
  app.openapi(posture, async (c) => {
    const q = c.req.valid('query');
    const deps = c.var.deps;
    const report = await getPosture(
      deps.store,
      {
        by: q.by as PostureBy,
        severity: q.severity?.toUpperCase() as Severity | undefined,
        kev: q.kev,
        fixable: q.fixable,
        cluster: q.cluster,
        namespace: q.namespace,
        top: q.top,
        scope: c.var.principal.scope,
        ...(deps.now ? { now: deps.now() } : {}),
      },
      postureSettings(deps.config),
    );
    return c.json(report as never, 200);
  });
}
