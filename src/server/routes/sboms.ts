// POST /api/v1/sboms (operator): a CycloneDX or SPDX JSON SBOM as the body, for the image digest
// `image=` names (else the SBOM's own subject), matched against the loaded advisories and stored
// as that digest's findings (source `runsight-sbom`) by the importers stage's importSbom — all of it
// or none. The body is streamed to a temporary file under server.maxBodyBytes (413 beyond), as for
// /imports; then posture is brought up to date, so the containers running the digest show the
// findings. 201 with what landed; 400 for a body that is not an SBOM; 422 when it could not land.
import { z } from '@hono/zod-openapi';
import { importSbom, NotAnSbomError } from '../../importers/index.js';
import { maintainPosture, postureConfigOf } from '../../propagation/index.js';
import type { App } from '../app.js';
import { ApiError } from '../errors.js';
import { maxBodyBytes } from '../limits.js';
import { apiRoute } from '../route-access.js';
import { spoolBody } from '../spool-body.js';

const SbomQuery = z.object({
  image: z.string().min(1).max(1000).optional().openapi({
    description: 'the image (DIGEST or REF) the SBOM describes; default: the SBOM’s own subject',
  }),
  force: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .openapi({ description: 'land it on `image` even when the SBOM’s own digest or OS disagrees' }),
});

const SbomResultSchema = z
  .object({
    format: z.enum(['cyclonedx', 'spdx']),
    reference: z.string().nullable(),
    digest: z.string(),
    matchMethod: z.string(),
    confidence: z.string(),
    source: z.literal('runsight-sbom'),
    status: z.enum(['complete', 'partial']),
    os: z.string().nullable(),
    packages: z.number().int(),
    findings: z.number().int(),
    skippedComponents: z.array(z.object({ component: z.string(), reason: z.string() })),
    skippedCount: z.number().int(),
    cleaned: z.array(z.string()),
    alreadyImported: z.boolean(),
    current: z.boolean(),
  })
  .openapi('SbomImportResult');

const sbomRoute = apiRoute('operator', {
  method: 'post',
  path: '/api/v1/sboms',
  summary:
    'Upload a CycloneDX or SPDX JSON SBOM for an image: matched against the advisories and stored as its findings',
  tags: ['writes'],
  request: {
    query: SbomQuery,
    body: {
      required: true,
      description: 'The SBOM file (CycloneDX 1.x JSON or SPDX 2.x JSON)',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
  },
  responses: {
    201: { description: 'stored', content: { 'application/json': { schema: SbomResultSchema } } },
    413: { description: 'body larger than server.maxBodyBytes' },
    422: { description: 'the SBOM could not be mapped to an image, or contradicts it; nothing landed' },
  },
});

export function registerSbomRoutes(app: App): void {
  app.openapi(sbomRoute, async (c) => {
    const q = c.req.valid('query');
    const deps = c.var.deps;
    const body = await spoolBody(c.req.raw.body, maxBodyBytes(deps.config), c.req.header('content-length'));
    c.set('auditDetail', { bytes: body.bytes, ...(q.image ? { image: q.image } : {}) });
    try {
      const r = await importSbom(deps.store, {
        file: body.file,
        origin: 'request body',
        image: q.image,
        force: q.force,
        signal: c.var.signal,
      }).catch((err: unknown) => {
        if (err instanceof NotAnSbomError)
          throw new ApiError(400, 'not_an_sbom', err.message.replaceAll(body.file, 'request body'));
        throw err;
      });
      c.set('auditTarget', r.digest ?? r.reference ?? undefined);
      c.set('auditDetail', {
        bytes: body.bytes,
        format: r.format,
        packages: r.packages,
        findings: r.findings,
        ...(q.image ? { image: q.image } : {}),
      });
      if (!r.landed) throw new ApiError(422, 'not_imported', `the SBOM was not stored: ${r.reason}`);
      if (!r.alreadyImported)
        await maintainPosture(deps.store, {}, { ...postureConfigOf(deps.config), signal: deps.signal });
      const { landed: _landed, reason: _reason, ...doc } = r;
      return c.json({ ...doc, digest: r.digest! }, 201);
    } finally {
      await body.dispose();
    }
  });
}
