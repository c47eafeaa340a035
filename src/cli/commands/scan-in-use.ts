// `runsight scan --in-use`: scans every image that runs but has no current scan (or a scan older
// than `sla.scanAge`), as listed by propagation's coverage gaps, then brings posture up to date.
// A reference that cannot be scanned (unreachable registry, unresolved tag) is reported, not fatal.
import { matchPackages } from '../../advisories/index.js';
import { scanImage } from '../../scan/index.js';
import { listInUseScanTargets } from '../../views/index.js';
import type { CliContext } from '../context.js';
import type { Printable } from '../output.js';
import { maintain, postureConfig } from '../posture-format.js';

export interface InUseRow {
  reference: string;
  reason: string;
  containers: number;
  status: 'scanned' | 'failed';
  digests: string[];
  findings: number;
  error: string | null;
}

export async function scanInUse(ctx: CliContext): Promise<Printable<InUseRow>> {
  const store = await ctx.store();
  const config = postureConfig(ctx);
  const targets = await listInUseScanTargets(store, config);
  const rows: InUseRow[] = [];
  for (const t of targets) {
    ctx.signal.throwIfAborted();
    try {
      const results = await scanImage({
        source: t.reference,
        store,
        match: (packages, o) => matchPackages(store, packages, o),
        limits: ctx.config.scan,
        sourceOptions: {
          insecureRegistries: ctx.insecureRegistries,
          registriesConfig: ctx.config.registries,
          env: ctx.env,
          logger: ctx.logger,
        },
        signal: ctx.signal,
        logger: ctx.logger,
      });
      rows.push({
        reference: t.reference,
        reason: t.reason,
        containers: t.containers,
        status: 'scanned',
        digests: results.map((r) => r.image.digest),
        findings: results.reduce((n, r) => n + r.findings.length, 0),
        error: null,
      });
    } catch (err) {
      ctx.logger.warn('in-use image could not be scanned', {
        reference: t.reference,
        error: (err as Error).message,
      });
      rows.push({
        reference: t.reference,
        reason: t.reason,
        containers: t.containers,
        status: 'failed',
        digests: [],
        findings: 0,
        error: (err as Error).message,
      });
    }
  }
  await maintain(ctx);
  return {
    json: { inUse: rows },
    rows,
    columns: [
      { header: 'reference', value: (r) => r.reference },
      { header: 'reason', value: (r) => r.reason },
      { header: 'containers', value: (r) => r.containers },
      { header: 'status', value: (r) => r.status },
      { header: 'findings', value: (r) => r.findings },
      { header: 'error', value: (r) => r.error ?? '' },
    ],
    footer: [`${rows.filter((r) => r.status === 'scanned').length} of ${rows.length} in-use images scanned`],
  };
}
