// GET /api/v1/validate: the propagation validation checklist (`runsight validate --format json`)
// over the caller's scope. The document says which checks failed; the status is 200 either way.

import { postureConfigOf } from '../../propagation/index.js';
import { validatePropagation } from '../../views/index.js';
import type { App } from '../app.js';
import { apiRoute } from '../route-access.js';
import { ValidateQuery, ValidateSchema } from '../schemas.js';

const validate = apiRoute('viewer', {
  method: 'get',
  path: '/api/v1/validate',
  summary: 'The vulnerability-propagation validation checklist',
  tags: ['validate'],
  request: { query: ValidateQuery },
  responses: {
    200: { description: 'the checks', content: { 'application/json': { schema: ValidateSchema } } },
  },
});

export function registerValidateRoutes(app: App): void {
  app.openapi(validate, async (c) => {
    const q = c.req.valid('query');
    const deps = c.var.deps;
    const result = await validatePropagation(
      deps.store,
      q,
      postureConfigOf(deps.config),
      deps.now?.() ?? new Date(),
      {
        scope: c.var.principal.scope,
      },
    );
    return c.json(result as never, 200);
  });
}
