// GET /api/v1/history: posture snapshots of one scope kind's keys over a time range (trends; did a
// redeploy improve posture), and GET /api/v1/priorities, /coverage, /freshness: the sections of the
// posture document on their own — each over the caller's scope, as the views compute them.
import type { ScopeKind } from '../../core/types.js';
import { postureConfigOf } from '../../propagation/index.js';
import { getFreshness, postureHistory } from '../../views/index.js';
import type { App } from '../app.js';
import { apiRoute } from '../route-access.js';
import {
  CoverageSchema,
  FreshnessSchema,
  HistoryQuerySchema,
  HistorySchema,
  PostureQuerySchema,
  PrioritiesSchema,
} from '../schemas.js';
import { postureFor } from './posture.js';

const history = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/history',
  summary: 'Posture snapshots of scopes over a time range, newest first',
  tags: ['posture'],
  request: { query: HistoryQuerySchema },
  responses: {
    200: { description: 'the snapshots', content: { 'application/json': { schema: HistorySchema } } },
  },
});

const sectionRoute = (path: string, summary: string) => ({
  method: 'get' as const,
  path,
  summary,
  tags: ['posture'],
  request: { query: PostureQuerySchema },
});
const priorities = apiRoute('viewer', {
  ...sectionRoute(
    '/api/v1/priorities',
    'The prioritised vulnerability list (the posture document’s priorities)',
  ),
  responses: {
    200: { description: 'priorities', content: { 'application/json': { schema: PrioritiesSchema } } },
  },
});
const coverage = apiRoute('viewer', {
  ...sectionRoute(
    '/api/v1/coverage',
    'Match methods, coverage gaps and tag drift (the posture document’s coverage)',
  ),
  responses: {
    200: { description: 'coverage', content: { 'application/json': { schema: CoverageSchema } } },
  },
});

const freshness = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/freshness',
  summary: 'How old every input is: advisories, inventory sources, scans in use, posture',
  tags: ['posture'],
  responses: {
    200: { description: 'freshness', content: { 'application/json': { schema: FreshnessSchema } } },
  },
});

export function registerHistoryRoutes(app: App): void {
  app.openapi(history, async (c) => {
    const q = c.req.valid('query');
    const keys = q.key === undefined ? [] : Array.isArray(q.key) ? q.key : [q.key];
    const doc = await postureHistory(c.var.deps.store, {
      kind: q.kind as ScopeKind,
      keys,
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
      limit: q.limit,
      scope: c.var.principal.scope,
    });
    return c.json(doc as never, 200);
  });
  app.openapi(priorities, async (c) => {
    const report = await postureFor(c.var.deps, c.req.valid('query'), c.var.principal.scope);
    return c.json({ priorities: report.priorities } as never, 200);
  });
  app.openapi(coverage, async (c) => {
    const report = await postureFor(c.var.deps, c.req.valid('query'), c.var.principal.scope);
    return c.json(report.coverage as never, 200);
  });
  app.openapi(freshness, async (c) => {
    const deps = c.var.deps;
    const doc = await getFreshness(deps.store, postureConfigOf(deps.config), deps.now?.() ?? new Date(), {
      scope: c.var.principal.scope,
    });
    return c.json(doc as never, 200);
  });
}
