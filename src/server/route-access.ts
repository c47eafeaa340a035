// Who may call a route: each route declares the least role it needs, and the declaration shows in
// the OpenAPI document (`x-runsight-role`) and is enforced by the same middleware, so the document,
// the enforcement and the scope test (which enumerates the document) cannot disagree.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { type Role, roleAllows } from '../core/access.js';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';
import { errorResponses } from './schemas.js';

export const ROLE_EXTENSION = 'x-runsight-role';

/** Refuses (403) a caller whose role does not include `needed`. */
export function requireRole(needed: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!roleAllows(p.role, needed))
      throw new ApiError(
        403,
        'forbidden',
        `this needs the ${needed} role; the caller (${p.subject}) is ${p.role}`,
      );
    await next();
  };
}

/** A route that needs `role`: the role check, the bearer security and the error responses added. */
export function apiRoute<const R extends RouteConfig>(role: Role, config: R) {
  return createRoute({
    ...config,
    [ROLE_EXTENSION]: role,
    security: [{ bearer: [] }],
    middleware: requireRole(role),
    responses: { ...errorResponses, ...config.responses },
  });
}
