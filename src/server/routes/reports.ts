// GET /api/v1/reports: the scope report (docs/reports.md) as HTML, CSV or JSON — `scope=KIND=VALUE`
// (repeatable) can only narrow the caller's own scope (a value outside it is 403); CSV finding rows
// (`rows=finding`) are streamed. GET /api/v1/images/{digest}/report: the per-image SARIF, CycloneDX
// or OpenVEX document under the caller's scope. Both answer as attachments with a safe file name;
// both are reads (an ad-hoc report records nothing).
import { z } from '@hono/zod-openapi';
import { type AccessScope, type Principal, parseScope } from '../../core/access.js';
import { UsageError } from '../../core/errors.js';
import { postureConfigOf } from '../../propagation/index.js';
import {
  adHocFilename,
  CONTENT_TYPES,
  CSV_ROWS,
  IMAGE_REPORT_FORMATS,
  narrowScope,
  renderImageReport,
  SCOPE_REPORT_FORMATS,
  type ScopeReportFormat,
  type WriteScopeReportOptions,
  writeScopeReport,
} from '../../reports/index.js';
import { getSetting } from '../../store/index.js';
import type { App } from '../app.js';
import type { AppDeps } from '../context.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';

const REPORT_BY = ['namespace', 'workload', 'owner', 'cluster', 'environment'] as const;

export const ReportQuerySchema = z.object({
  scope: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional()
    .openapi({ description: 'KIND=VALUE, repeatable (kinds AND, values OR); narrows the caller scope' }),
  by: z.enum(REPORT_BY).optional().openapi({ description: 'roll up by (default namespace)' }),
  format: z.enum(SCOPE_REPORT_FORMATS as [ScopeReportFormat, ...ScopeReportFormat[]]).default('html'),
  rows: z
    .enum(CSV_ROWS as ['scope', 'finding'])
    .optional()
    .openapi({ description: 'CSV rows: scope (default) or finding' }),
  bom: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .openapi({ description: 'CSV: start with a UTF-8 byte order mark' }),
});

const body = (types: string[]) =>
  Object.fromEntries(types.map((t) => [t, { schema: z.string().openapi({ format: 'binary' }) }]));

const scopeReport = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/reports',
  summary: 'The posture report of a scope as HTML, CSV or JSON (an attachment)',
  tags: ['reports'],
  request: { query: ReportQuerySchema },
  responses: { 200: { description: 'the report', content: body(Object.values(CONTENT_TYPES)) } },
});

const imageReport = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/images/{digest}/report',
  summary: 'One image as a SARIF, CycloneDX or OpenVEX document (an attachment)',
  tags: ['reports'],
  request: {
    params: z.object({ digest: z.string().min(1).max(1000) }),
    query: z.object({ format: z.enum(IMAGE_REPORT_FORMATS as ['sarif', 'cyclonedx', 'openvex']) }),
  },
  responses: {
    200: {
      description: 'the document',
      content: body(['application/sarif+json', 'application/vnd.cyclonedx+json', 'application/json']),
    },
  },
});

/** The caller's scope narrowed by the requested items; a value outside it is 403, a malformed one 400. */
export function requestedScope(principal: Principal, items: readonly string[]): AccessScope {
  let requested: AccessScope;
  try {
    requested = parseScope(items);
  } catch (err) {
    if (err instanceof UsageError) throw new ApiError(400, 'invalid_request', `query.scope: ${err.message}`);
    throw err;
  }
  try {
    return narrowScope(principal.scope, requested);
  } catch (err) {
    throw new ApiError(403, 'forbidden', (err as Error).message);
  }
}

function disposition(filename: string): string {
  return `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}

/**
 * The report as a Response: HTML, JSON and scope-row CSV are built whole (an error is a JSON error);
 * CSV finding rows stream, a page of containers at a time.
 */
export async function scopeReportResponse(deps: AppDeps, opts: WriteScopeReportOptions): Promise<Response> {
  const now = opts.now ?? new Date();
  const headers = {
    'content-type': CONTENT_TYPES[opts.format],
    'content-disposition': disposition(adHocFilename(opts, now)),
    'cache-control': 'no-store',
  };
  const config = postureConfigOf(deps.config);
  if (opts.format === 'csv' && opts.csvRows === 'finding') {
    const encoder = new TextEncoder();
    const { readable, writable } = new TransformStream<string, Uint8Array>({
      transform: (chunk, ctl) => ctl.enqueue(encoder.encode(chunk)),
    });
    const writer = writable.getWriter();
    writeScopeReport(deps.store, { ...opts, now }, config, async (chunk) => {
      await writer.ready;
      await writer.write(chunk);
    }).then(
      () => writer.close(),
      (err) => {
        deps.logger.error('report stream failed', {
          error: err instanceof Error ? err.message : String(err),
        });
        return writer.abort(err);
      },
    );
    return new Response(readable, { status: 200, headers });
  }
  let text = '';
  await writeScopeReport(deps.store, { ...opts, now }, config, (chunk) => {
    text += chunk;
  });
  return new Response(text, { status: 200, headers });
}

export function registerReportRoutes(app: App): void {
  app.openapi(scopeReport, async (c) => {
    const q = c.req.valid('query');
    if (q.format !== 'csv' && (q.rows !== undefined || q.bom))
      throw new ApiError(400, 'invalid_request', 'query.rows: rows and bom apply to format=csv only');
    const deps = c.var.deps;
    const scope = requestedScope(c.var.principal, q.scope ?? []);
    return (await scopeReportResponse(deps, {
      scope,
      by: q.by,
      format: q.format,
      csvRows: q.rows,
      bom: q.bom,
      now: deps.now?.(),
      signal: c.req.raw.signal,
    })) as never;
  });
  app.openapi(imageReport, async (c) => {
    const { digest } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const deps = c.var.deps;
    const config = postureConfigOf(deps.config);
    const doc = await renderImageReport(deps.store, digest, format, {
      scope: c.var.principal.scope,
      authoritativeSource:
        config.authoritativeSource ?? (await getSetting<string>(deps.store, 'posture.authoritativeSource')),
      now: deps.now?.(),
    });
    return new Response(doc.body, {
      status: 200,
      headers: {
        'content-type': doc.contentType,
        'content-disposition': disposition(doc.filename),
        'cache-control': 'no-store',
      },
    }) as never;
  });
}
