// The metrics this process keeps in memory (docs/metrics.md "Process metrics"): build info, the
// HTTP request durations of the API (by method, route template and status class: never the raw
// path), the jobs this process ran (count and duration per kind, fed by the worker through
// job-events.ts), and prom-client's default process and Node.js metrics. One registry per process,
// created on first use; posture gauges are built per scrape elsewhere (posture-metrics.ts).
import { readFileSync } from 'node:fs';
import type { Counter, Histogram, Registry } from 'prom-client';
import { onJobRun } from './job-events.js';
import { promClient } from './prom.js';

export interface ProcessMetrics {
  registry: Registry;
  http: Histogram<'method' | 'route' | 'status'>;
  jobRuns: Counter<'kind' | 'outcome'>;
  jobDuration: Histogram<'kind'>;
}

let current: ProcessMetrics | undefined;

const LINT_REFUSED = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** The running version (package.json beside src/ or dist/). */
function version(): string {
  try {
    return String(
      JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version,
    );
  } catch {
    return 'unknown';
  }
}

/** This process's metrics (created, and subscribed to finished jobs, on the first call). */
export function processMetrics(): ProcessMetrics {
  if (current) return current;
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = promClient();
  const registry = new Registry();
  // prom-client's defaults, less three gauges named `…_total` that promtool's lint refuses (the
  // same figures remain as nodejs_active_handles, nodejs_active_requests, nodejs_active_resources).
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const name of LINT_REFUSED) defaults.removeSingleMetric(name);
  new Gauge({
    name: 'runsight_build_info',
    help: 'Runsight build: the version and the Node.js version running it (value 1)',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version: version(), node: process.version }, 1);
  const http = new Histogram({
    name: 'runsight_http_request_duration_seconds',
    help: 'HTTP API requests by method, route template and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'runsight_job_runs_total',
    help: 'Jobs this process ran, by kind and outcome (ok, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'runsight_job_duration_seconds',
    help: 'Duration of the jobs this process ran, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  onJobRun((e) => {
    jobRuns.inc({ kind: e.kind, outcome: e.ok ? 'ok' : 'failed' });
    jobDuration.observe({ kind: e.kind }, e.seconds);
  });
  current = { registry: Registry.merge([defaults, registry]), http, jobRuns, jobDuration };
  return current;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * A route as registered (`/api/v1/containers/:id` or `/api/v1/containers/{id}`) → its template
 * label (`/api/v1/containers/{id}`); no route (a 404 outside every route): `(unmatched)`.
 */
export function routeTemplate(path: string | undefined): string {
  if (!path || path === '*' || path === '/*') return '(unmatched)';
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}');
}

/** Records one API request: method (others as `OTHER`), route template, status class (`2xx`). */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  processMetrics().http.observe(
    {
      method: METHODS.has(method) ? method : 'OTHER',
      route,
      status: `${Math.floor(status / 100)}xx`,
    },
    seconds,
  );
}
