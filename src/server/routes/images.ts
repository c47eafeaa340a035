// GET /api/v1/images/{digest} (`runsight image show`: every findings source side by side) and
// GET /api/v1/images/{a}/diff/{b} (`runsight image diff`). An image no container in the caller's
// scope runs is 404 for a scoped caller; the diff asks image show (with the scope) about both
// images first, so it answers exactly where image show does.
import { isUnrestricted } from '../../core/access.js';
import { parsePlatform } from '../../identity/index.js';
import { diffImages } from '../../remediation/index.js';
import { getSetting } from '../../store/index.js';
import { showImage } from '../../views/index.js';
import type { App } from '../app.js';
import type { AppDeps } from '../context.js';
import { apiRoute } from '../route-access.js';
import { ImageDiffSchema, ImagePair, ImageRef, ImageShowSchema, PlatformQuery } from '../schemas.js';

const show = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/images/{digest}',
  summary: 'Findings sources of an image side by side, and their differences',
  tags: ['images'],
  request: { params: ImageRef },
  responses: {
    200: { description: 'the image', content: { 'application/json': { schema: ImageShowSchema } } },
  },
});

const diff = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/images/{a}/diff/{b}',
  summary: 'Vulnerabilities fixed, introduced and unchanged between two scanned images',
  tags: ['images'],
  request: { params: ImagePair, query: PlatformQuery },
  responses: {
    200: { description: 'the difference', content: { 'application/json': { schema: ImageDiffSchema } } },
  },
});

/** posture.authoritativeSource from the config, else the settings table (as `image show` reads it). */
async function authoritative(deps: AppDeps): Promise<string | undefined> {
  return (
    deps.config.posture?.authoritativeSource ??
    (await getSetting<string>(deps.store, 'posture.authoritativeSource'))
  );
}

export function registerImageRoutes(app: App): void {
  app.openapi(show, async (c) => {
    const { digest } = c.req.valid('param');
    const deps = c.var.deps;
    const shown = await showImage(deps.store, digest, await authoritative(deps), {
      scope: c.var.principal.scope,
    });
    return c.json(shown as never, 200);
  });
  app.openapi(diff, async (c) => {
    const { a, b } = c.req.valid('param');
    const { platform } = c.req.valid('query');
    const deps = c.var.deps;
    const scope = c.var.principal.scope;
    if (!isUnrestricted(scope)) {
      const configured = await authoritative(deps);
      await showImage(deps.store, a, configured, { scope });
      await showImage(deps.store, b, configured, { scope });
    }
    const d = await diffImages(deps.store, a, b, { platform: parsePlatform(platform) });
    return c.json(d as never, 200);
  });
}
