// GET /metrics: the Prometheus exposition (docs/metrics.md), built per scrape from the maintained
// roll-ups by src/reports/metrics. By default it needs a token (viewer) and its posture gauges cover
// the caller's access scope; `metrics.requireToken: false` serves it without a token (the auth
// middleware lets it through) over the whole fleet. Not in the OpenAPI document: it is not a JSON
// API route, and whether it needs a role depends on the config.
import { postureConfigOf } from '../../propagation/index.js';
import { METRICS_CONTENT_TYPE, processMetrics, renderMetrics } from '../../reports/index.js';
import type { App } from '../app.js';
import type { AppDeps } from '../context.js';
import { requireRole } from '../route-access.js';

export const METRICS_PATH = '/metrics';

/** Whether /metrics is served without a token (and unscoped): `metrics.requireToken: false`. */
export function metricsArePublic(deps: Pick<AppDeps, 'config'>): boolean {
  return deps.config.metrics?.requireToken === false;
}

export function registerMetricsRoutes(app: App, deps: AppDeps): void {
  const pub = metricsArePublic(deps);
  processMetrics(); // from the start: jobs this process runs count before the first scrape
  const handler = async (c: import('hono').Context<import('../context.js').AppEnv>) => {
    const text = await renderMetrics(deps.store, {
      scope: pub ? {} : c.var.principal.scope,
      metrics: deps.config.metrics,
      posture: postureConfigOf(deps.config),
      ...(deps.now ? { now: deps.now() } : {}),
    });
    return c.body(text, 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
  };
  if (pub) app.get(METRICS_PATH, handler);
  else app.get(METRICS_PATH, requireRole('viewer'), handler);
}
