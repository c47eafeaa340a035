// GET /api/v1/audit (admin): the audit log, newest first, a page at a time (`before` = the `next`
// of the previous page).

import type { App } from '../app.js';
import { readAudit } from '../auth/index.js';
import { apiRoute } from '../route-access.js';
import { AuditPageSchema, AuditQuery } from '../schemas.js';

const audit = apiRoute('admin', {
  method: 'get',
  path: '/api/v1/audit',
  summary: 'Audit log entries: who did what, when, with what outcome',
  tags: ['audit'],
  request: { query: AuditQuery },
  responses: {
    200: { description: 'a page of entries', content: { 'application/json': { schema: AuditPageSchema } } },
  },
});

export function registerAuditRoutes(app: App): void {
  app.openapi(audit, async (c) => {
    const q = c.req.valid('query');
    const page = await readAudit(c.var.deps.store, {
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: q.before,
      limit: q.limit,
    });
    return c.json(
      {
        entries: page.entries.map((e) => ({ ...e, at: e.at.toISOString() })),
        next: page.next,
      },
      200,
    );
  });
}
