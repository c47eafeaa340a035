// POST /api/v1/scans (operator): scan a registry image with the built-in scanner (the scan stage's
// scanImage, as `runsight scan REF`), store its findings and bring posture up to date. It runs
// INLINE, within the request (and its timeout), until a job queue takes it over. Only registry
// references: the server never reads local paths (oci:, oci-archive:, docker-archive:, sbom:) on a
// client's behalf.

import { matchPackages } from '../../advisories/index.js';
import { durationToMs } from '../../core/duration.js';
import { parsePlatform, sourceKind } from '../../identity/index.js';
import { countFindings, maintainPosture, postureConfigOf } from '../../propagation/index.js';
import { scanImage } from '../../scan/index.js';
import type { App } from '../app.js';
import type { AppDeps } from '../context.js';
import { ApiError } from '../errors.js';
import { apiRoute } from '../route-access.js';
import { ScanRequestSchema, ScanResultSchema } from '../schemas.js';

const scan = apiRoute('operator', {
  method: 'post',
  path: '/api/v1/scans',
  summary: 'Scan a registry image now (inline: the answer comes when the scan is done)',
  tags: ['writes'],
  request: { body: { required: true, content: { 'application/json': { schema: ScanRequestSchema } } } },
  responses: {
    201: { description: 'scanned and stored', content: { 'application/json': { schema: ScanResultSchema } } },
  },
});

/** How to reach registries, from the config file and the environment (as the CLI's context). */
function registryOptions(deps: AppDeps) {
  const config = deps.config;
  const insecure = [
    ...(config.insecureRegistries ?? []),
    ...Object.entries(config.registries ?? {})
      .filter(([, r]) => r.insecure)
      .map(([host]) => host),
  ];
  return {
    insecureRegistries: [...new Set(insecure)],
    registriesConfig: config.registries,
    env: process.env,
    logger: deps.logger,
    blobTimeoutMs: durationToMs(config.registry?.blobTimeout),
    minThroughput: config.registry?.minThroughput,
    throughputWindowMs: durationToMs(config.registry?.throughputWindow),
  };
}

export function registerScanRoutes(app: App): void {
  app.openapi(scan, async (c) => {
    const req = c.req.valid('json');
    const deps = c.var.deps;
    c.set('auditTarget', req.reference);
    if (
      sourceKind(req.reference) !== 'registry' ||
      /^(sbom|docker-daemon|containers-storage):/.test(req.reference)
    )
      throw new ApiError(
        400,
        'invalid_request',
        `json.reference: "${req.reference}" is not a registry reference; the API scans registry images only (e.g. registry.example.com/shop/api:1.4)`,
      );
    const platform =
      req.platform === undefined
        ? undefined
        : req.platform === 'all'
          ? ('all' as const)
          : parsePlatform(req.platform);
    const store = deps.store;
    const results = await scanImage({
      source: req.reference,
      platform,
      store,
      match: (packages, o) => matchPackages(store, packages, o),
      limits: deps.config.scan,
      includeOsOwned: deps.config.scan?.includeOsOwned,
      sourceOptions: registryOptions(deps),
      signal: c.var.signal,
      logger: deps.logger,
    });
    await maintainPosture(store, {}, { ...postureConfigOf(deps.config), signal: deps.signal });
    c.set('auditDetail', { digests: results.map((r) => r.image.digest) });
    return c.json(
      {
        images: results.map((r) => ({
          reference: r.image.reference,
          digest: r.image.digest,
          platform: r.image.platform || null,
          status: r.status,
          errors: r.errors,
          summary: countFindings(r.findings),
        })),
      },
      201,
    );
  });
}
