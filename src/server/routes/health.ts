// GET /healthz (the process answers) and GET /readyz (the store answers and its schema is the one
// this build migrates to): the two routes a load balancer or Kubernetes probe calls without a token.
import { createRoute, z } from '@hono/zod-openapi';
import { LATEST_SCHEMA_VERSION, schemaVersion } from '../../store/index.js';
import type { App } from '../app.js';
import { ROLE_EXTENSION } from '../route-access.js';
import { ErrorSchema } from '../schemas.js';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Ready = z.object({ status: z.literal('ready'), schemaVersion: z.number() }).openapi('Ready');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'The process is up',
  tags: ['health'],
  security: [],
  [ROLE_EXTENSION]: 'public',
  responses: { 200: { description: 'up', content: { 'application/json': { schema: Health } } } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'The store is reachable and its migrations are current',
  tags: ['health'],
  security: [],
  [ROLE_EXTENSION]: 'public',
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: Ready } } },
    503: {
      description: 'store unreachable or schema behind',
      content: { 'application/json': { schema: ErrorSchema } },
    },
  },
});

export function registerHealthRoutes(app: App): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    let version: number;
    try {
      version = await schemaVersion(c.var.deps.store.db);
    } catch (err) {
      c.var.deps.logger.warn('readiness: store unreachable', { error: (err as Error).message });
      return c.json({ error: { code: 'store_unreachable', message: 'the store does not answer' } }, 503);
    }
    if (version !== LATEST_SCHEMA_VERSION)
      return c.json(
        {
          error: {
            code: 'schema_not_current',
            message: `the store's schema is version ${version}; this build needs ${LATEST_SCHEMA_VERSION} (run any runsight command against it to migrate)`,
          },
        },
        503,
      );
    return c.json({ status: 'ready' as const, schemaVersion: version }, 200);
  });
}
