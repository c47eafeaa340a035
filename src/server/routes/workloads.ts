// GET /api/v1/workloads/{key}: `runsight workload show` — containers, posture, rollout check and
// history of one workload inside the caller's scope.

import { postureConfigOf } from '../../propagation/index.js';
import { parseWorkloadSpec } from '../../remediation/index.js';
import { showWorkload } from '../../views/index.js';
import type { App } from '../app.js';
import { apiRoute } from '../route-access.js';
import { WorkloadKey, WorkloadViewSchema } from '../schemas.js';

const show = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/workloads/{key}',
  summary: 'One workload: containers, posture, rollout check, history',
  tags: ['workloads'],
  request: { params: WorkloadKey },
  responses: {
    200: { description: 'the workload', content: { 'application/json': { schema: WorkloadViewSchema } } },
  },
});

export function registerWorkloadRoutes(app: App): void {
  app.openapi(show, async (c) => {
    const { key } = c.req.valid('param');
    const deps = c.var.deps;
    const view = await showWorkload(
      deps.store,
      parseWorkloadSpec(key),
      postureConfigOf(deps.config),
      deps.now?.() ?? new Date(),
      {
        scope: c.var.principal.scope,
      },
    );
    return c.json(view as never, 200);
  });
}
