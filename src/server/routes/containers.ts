// GET /api/v1/containers (a page of the `runsight containers --format json` rows, streamed) and
// GET /api/v1/containers/{id} (`runsight container show`), inside the caller's scope.

import { postureConfigOf } from '../../propagation/index.js';
import { listContainerDocuments, showContainer } from '../../views/index.js';
import type { App } from '../app.js';
import { apiRoute } from '../route-access.js';
import { ContainerId, ContainerPage, ContainersQuery, ContainerViewSchema } from '../schemas.js';
import { streamJsonPage } from '../stream-json.js';

const list = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/containers',
  summary: 'Running containers with their image identity and posture, a page at a time',
  tags: ['containers'],
  request: { query: ContainersQuery },
  responses: { 200: { description: 'a page', content: { 'application/json': { schema: ContainerPage } } } },
});

const show = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/containers/{id}',
  summary: 'One container: resolution, posture, findings with fix guidance',
  tags: ['containers'],
  request: { params: ContainerId },
  responses: {
    200: { description: 'the container', content: { 'application/json': { schema: ContainerViewSchema } } },
  },
});

export function registerContainerRoutes(app: App): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const page = await listContainerDocuments(c.var.deps.store, {
      cluster: q.cluster,
      namespaces: q.namespace,
      source: q.source,
      includeRemoved: q.all,
      after: q.after,
      sort: q.sort,
      limit: q.limit,
      scope: c.var.principal.scope,
    });
    return streamJsonPage(page.items, page.next) as never;
  });
  app.openapi(show, async (c) => {
    const { id } = c.req.valid('param');
    const deps = c.var.deps;
    const view = await showContainer(
      deps.store,
      id,
      postureConfigOf(deps.config),
      deps.now?.() ?? new Date(),
      {
        scope: c.var.principal.scope,
      },
    );
    return c.json(view as never, 200);
  });
}
