// The HTTP API (`runsight serve`, docs/api.md): a Hono app over the same stage and view functions
// the CLI calls. Middleware, in order: access log (never the Authorization header), security
// headers, CORS only for configured origins, the request's AbortSignal and timeout (request-signal.ts:
// 504, and the work aborted), the audit of every write (also
// refused and failed ones), authentication (all but /healthz and /readyz), then the routes, each
// with its least role (route-access.ts) and the caller's scope passed to the view.
import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { observeHttpRequest, routeTemplate } from '../reports/index.js';
import { isAuthFailure, recordAudit, WWW_AUTHENTICATE } from './auth/index.js';
import { authThrottle } from './auth-throttle.js';
import type { AppDeps, AppEnv } from './context.js';
import { registerDashboard } from './dashboard/index.js';
import { ApiError, cleanMessage, errorBody, toErrorResponse } from './errors.js';
import { gunzipBody } from './gunzip-body.js';
import { maxBodyBytes, requestTimeoutMs } from './limits.js';
import { openApiDocument, registerMetaRoutes } from './openapi-page.js';
import { requestSignal } from './request-signal.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerImageRoutes } from './routes/images.js';
import { registerImportRoutes } from './routes/imports.js';
import { registerInventoryRoutes } from './routes/inventory.js';
import { METRICS_PATH, metricsArePublic, registerMetricsRoutes } from './routes/metrics.js';
import { registerPostureRoutes } from './routes/posture.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSbomRoutes } from './routes/sboms.js';
import { registerScanRoutes } from './routes/scans.js';
import { registerValidateRoutes } from './routes/validate.js';
import { registerVulnerabilityRoutes } from './routes/vulnerabilities.js';
import { registerWorkloadRoutes } from './routes/workloads.js';

/** Paths answered without a token. */
export const PUBLIC_PATHS: readonly string[] = ['/healthz', '/readyz'];
export const API_PREFIX = '/api/v1';

/** Paths whose body is streamed to a file under the limit by the route itself (not buffered here). */
const STREAMED_BODIES = [`${API_PREFIX}/sboms`, `${API_PREFIX}/imports`];
const NO_BODY = new Set(['GET', 'HEAD']);

export type App = OpenAPIHono<AppEnv>;

/** The peer's address (the node server's socket); `local` for in-process requests. */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local';
  }
}

export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono<AppEnv>({
    // A request that does not match its schema: 400 naming the field path (`query.limit: …`).
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const path = [result.target, ...(issue?.path ?? [])].join('.');
      return c.json(errorBody('invalid_request', `${path}: ${issue?.message ?? 'invalid'}`), 400);
    },
  });
  const server = deps.config.server ?? {};

  // Request durations for /metrics: by method, route template (never the raw path), status class.
  app.use('*', async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      observeHttpRequest(
        c.req.method,
        routeTemplate(routePath(c, -1)),
        c.res.status,
        (performance.now() - started) / 1000,
      );
    }
  });
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('deps', deps);
    await next();
    deps.logger.info('request', {
      method: c.req.method,
      path: cleanMessage(c.req.path).slice(0, 300),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      subject: c.var.principal?.subject ?? null,
    });
  });
  app.use('*', secureHeaders());
  if (server.corsOrigins?.length)
    app.use(
      '*',
      cors({
        origin: server.corsOrigins,
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: ['GET', 'POST'],
        maxAge: 600,
      }),
    );
  const requestMs = requestTimeoutMs(deps.config);
  // The request's AbortSignal (c.var.signal): 504 past the timeout, and the work is aborted.
  app.use('*', requestSignal(requestMs, deps.signal));
  app.use('*', auditRequests);
  app.use('*', authThrottle(clientAddress, deps.now ? () => deps.now!().getTime() : Date.now));
  // The web dashboard's pages, /login and /static (never under /api): ahead of the bearer check.
  registerDashboard(app);
  app.use('*', async (c, next) => {
    if (PUBLIC_PATHS.includes(c.req.path)) return next();
    if (c.req.path === METRICS_PATH && metricsArePublic(deps)) return next();
    const who = await deps.authenticate(c.req.header('authorization'));
    if (isAuthFailure(who)) {
      if (who.status === 401) c.header('WWW-Authenticate', WWW_AUTHENTICATE);
      if (who.subject) c.set('auditSubject', who.subject);
      const code = { 401: 'unauthorized', 403: 'forbidden', 503: 'auth_unavailable' }[who.status];
      throw new ApiError(who.status, code, who.message);
    }
    c.set('principal', who);
    await next();
  });
  app.use(
    '*',
    gunzipBody(() => maxBodyBytes(deps.config), STREAMED_BODIES),
  ); // before the limit: it bounds the inflated size
  app.use('*', async (c, next) => {
    // A GET or HEAD carries no body (the node server gives it none): looking for one would build
    // the whole web Request that @hono/node-server otherwise leaves unbuilt.
    if (NO_BODY.has(c.req.method) || STREAMED_BODIES.includes(c.req.path)) return next();
    return bodyLimit({
      maxSize: maxBodyBytes(deps.config),
      onError: () => {
        throw new ApiError(
          413,
          'body_too_large',
          `the request body is larger than ${maxBodyBytes(deps.config)} bytes`,
        );
      },
    })(c, next);
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`runsight token create`) or an OIDC ID token',
  });
  registerHealthRoutes(app);
  registerContainerRoutes(app);
  registerWorkloadRoutes(app);
  registerPostureRoutes(app);
  registerHistoryRoutes(app);
  registerReportRoutes(app);
  registerVulnerabilityRoutes(app);
  registerImageRoutes(app);
  registerValidateRoutes(app);
  registerAuditRoutes(app);
  registerImportRoutes(app);
  registerInventoryRoutes(app);
  registerAgentRoutes(app);
  registerScanRoutes(app);
  registerMetricsRoutes(app, deps);
  registerSbomRoutes(app);
  registerMetaRoutes(app, () => openApiDocument(app));

  app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const res = err.getResponse();
      if (res.headers.get('content-type')?.includes('json')) return res;
      return c.json(errorBody(`http_${err.status}`, err.message || 'request refused'), err.status);
    }
    const { status, body, internal } = toErrorResponse(err);
    if (internal)
      deps.logger.error('request failed', {
        method: c.req.method,
        path: cleanMessage(c.req.path).slice(0, 300),
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    return c.json(body, status);
  });
  return app;
}

/**
 * Every request that is not a read, and every refused one, lands one audit entry when it ends: who
 * (the principal, or `anonymous` when authentication failed), what (method and path), the target
 * and detail the route set, and the outcome (the HTTP status). A failure to write the entry is
 * logged, not hidden (docs/api.md "Audit log").
 */
async function auditRequests(c: import('hono').Context<AppEnv>, next: () => Promise<void>): Promise<void> {
  const read = c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS';
  const deps = c.var.deps;
  try {
    await next();
  } finally {
    // Reads are audited only when refused (401, 403): who tried what.
    if (!read || c.res.status === 401 || c.res.status === 403) await audit(c, deps);
  }
}

async function audit(c: import('hono').Context<AppEnv>, deps: AppDeps): Promise<void> {
  const event = {
    principal: c.var.principal,
    subject: c.var.auditSubject,
    action: `${c.req.method} ${c.req.path}`,
    target: c.var.auditTarget,
    outcome: c.res.status,
    detail: c.var.auditDetail,
  };
  await recordAudit(deps.store, event).catch((err: unknown) =>
    deps.logger.error('could not write the audit entry', {
      subject: event.principal?.subject ?? event.subject ?? 'anonymous',
      action: cleanMessage(event.action).slice(0, 300),
      outcome: event.outcome,
      error: (err as Error).message,
    }),
  );
}
