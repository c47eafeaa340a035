// POST /api/v1/imports (operator): a scanner report as the body, imported by the same stage function
// as `runsight import FORMAT FILE` (src/importers importReports): all of a report or none of it.
// The body is streamed to a temporary file up to server.maxBodyBytes (413 beyond); then posture
// is brought up to date, as after the CLI's import. 201 with the CLI's JSON; 422 when the report
// could not be imported (nothing landed).
import { z } from '@hono/zod-openapi';
import { type ImportFormat, importReports } from '../../importers/index.js';
import { maintainPosture, postureConfigOf } from '../../propagation/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { maxBodyBytes } from '../limits.js';
import { apiRoute } from '../route-access.js';
import { ImportQuery, ImportResultSchema } from '../schemas.js';
import { spoolBody } from '../spool-body.js';

const importRoute = apiRoute('operator', {
  method: 'post',
  path: '/api/v1/imports',
  summary: 'Import a scanner report (Trivy, Grype, CycloneDX, trivy-operator, osv-scanner) as image findings',
  tags: ['writes'],
  request: {
    query: ImportQuery,
    body: {
      required: true,
      description: 'The report file as the scanner wrote it (JSON; a trivy-operator report may be YAML)',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    201: { description: 'imported', content: { 'application/json': { schema: ImportResultSchema } } },
    413: { description: 'body larger than server.maxBodyBytes' },
    422: { description: 'the report could not be imported; nothing landed' },
  },
});

export function registerImportRoutes(app: App): void {
  app.openapi(importRoute, async (c) => {
    const q = c.req.valid('query');
    const deps = c.var.deps;
    const limit = maxBodyBytes(deps.config);
    const body = await spoolBody(c.req.raw.body, limit, c.req.header('content-length'));
    c.set('auditDetail', { format: q.format, bytes: body.bytes, ...(q.image ? { image: q.image } : {}) });
    try {
      const result = await importReports(deps.store, {
        format: q.format as ImportFormat | 'auto',
        files: [body.file],
        image: q.image,
        force: q.force,
        signal: c.var.signal,
        logger: { ...deps.logger, error: (msg, fields) => deps.logger.debug(msg, fields) },
      });
      if (result.images.length)
        await maintainPosture(deps.store, {}, { ...postureConfigOf(deps.config), signal: deps.signal });
      c.set('auditTarget', result.images.map((i) => i.digest ?? i.reference ?? '?').join(', ') || undefined);
      if (result.errors.length)
        throw new ApiError(
          422,
          'not_imported',
          `the report was not imported: ${result.errors.map((e) => e.message.replaceAll(body.file, 'request body')).join(' | ')}`,
        );
      return c.json(
        {
          images: result.images.map((i) => ({
            reference: i.reference,
            digest: i.digest,
            matchMethod: i.matchMethod,
            source: i.source,
            imported: i.imported,
            skipped: i.skipped.map((s) => ({ id: s.id, reason: s.reason })),
          })),
        },
        201,
      );
    } finally {
      await body.dispose();
    }
  });
}
