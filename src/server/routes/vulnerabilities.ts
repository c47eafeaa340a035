// GET /api/v1/vulnerabilities/{id} (`runsight vuln show`) and …/{id}/where (`runsight vuln where`):
// a vulnerability that no advisory or finding names — or none inside the caller's scope — is 404.

import { postureConfigOf } from '../../propagation/index.js';
import { showVulnerability, vulnWhere } from '../../views/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';
import { VulnerabilityId, VulnerabilitySchema, VulnWhereQuery, VulnWhereSchema } from '../schemas.js';
import { streamJsonDocument } from '../stream-json.js';

const show = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/vulnerabilities/{id}',
  summary: 'Advisories, aliases, severity, affected ranges, KEV/EPSS and the images it affects',
  tags: ['vulnerabilities'],
  request: { params: VulnerabilityId },
  responses: {
    200: {
      description: 'the vulnerability',
      content: { 'application/json': { schema: VulnerabilitySchema } },
    },
  },
});

const where = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/vulnerabilities/{id}/where',
  summary: 'Every running container and workload whose image carries it',
  tags: ['vulnerabilities'],
  request: { params: VulnerabilityId, query: VulnWhereQuery },
  responses: {
    200: { description: 'where it runs', content: { 'application/json': { schema: VulnWhereSchema } } },
  },
});

function unknown(id: string): ApiError {
  return new ApiError(404, 'not_found', `no advisory or finding names "${id}"`);
}

export function registerVulnerabilityRoutes(app: App): void {
  app.openapi(show, async (c) => {
    const { id } = c.req.valid('param');
    const detail = await showVulnerability(c.var.deps.store, id, { scope: c.var.principal.scope });
    return c.json(detail as never, 200);
  });
  app.openapi(where, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const deps = c.var.deps;
    if (q.after !== undefined && q.cursor !== undefined && q.after !== q.cursor)
      throw new ApiError(
        400,
        'invalid_request',
        'query.cursor: give `after` (or its earlier name `cursor`), not both',
      );
    // With `limit` or `after`, one page read in SQL (keyset) beside the whole workloads and images
    // aggregated in SQL; without, every container (the CLI's document).
    const w = await vulnWhere(deps.store, id, postureConfigOf(deps.config), {
      scope: c.var.principal.scope,
      limit: q.limit,
      cursor: q.after ?? q.cursor,
      summary: q.summary,
    });
    if (!w.known) throw unknown(id);
    // Streamed when large: a CVE that runs fleet-wide lists every container it reaches.
    return streamJsonDocument({ ...w }) as never;
  });
}
