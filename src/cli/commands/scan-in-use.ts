// `runsight scan --in-use`: scans every image that runs but has no current scan (or a scan older
// than `sla.scanAge`), as listed by propagation's coverage gaps, then brings posture up to date.
// A reference that cannot be scanned (unreachable registry, unresolved tag) or scans partial is
// reported and the others go on; the command then exits 4 after printing.
import { matchPackages } from '../../advisories/index.js';
import { CompletedWithFailuresError } from '../../core/errors.js';
import { scanImage } from '../../scan/index.js';
import { listInUseScanTargets } from '../../views/index.js';
import { advisoriesAreLoaded, NO_ADVISORIES } from '../advisories-loaded.js';
import type { CliContext } from '../context.js';
import { type Printable, render } from '../output.js';
import { maintain, postureConfig } from '../posture-format.js';

export interface InUseRow {
  reference: string;
  reason: string;
  containers: number;
  status: 'scanned' | 'failed';
  /** Scanned, but at least one platform's scan is partial (its errors are in `error`). */
  partial: boolean;
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
        includeOsOwned: ctx.config.scan?.includeOsOwned,
        sourceOptions: ctx.registryOptions,
        signal: ctx.signal,
        logger: ctx.logger,
        progress: ctx.reportProgress,
      });
      const errors = results.flatMap((r) => r.errors.map((e) => `${e.code}: ${e.message}`));
      rows.push({
        reference: t.reference,
        reason: t.reason,
        containers: t.containers,
        status: 'scanned',
        partial: results.some((r) => r.status === 'partial'),
        digests: results.map((r) => r.image.digest),
        findings: results.reduce((n, r) => n + r.findings.length, 0),
        error: errors.length ? errors.join('; ') : null,
      });
    } catch (err) {
      // Reported once, in the row and in the closing error line; the log has it at info.
      ctx.logger.info('in-use image could not be scanned', {
        reference: t.reference,
        error: (err as Error).message,
      });
      rows.push({
        reference: t.reference,
        reason: t.reason,
        containers: t.containers,
        status: 'failed',
        partial: false,
        digests: [],
        findings: 0,
        error: (err as Error).message,
      });
    }
  }
  await maintain(ctx);
  const advisoriesLoaded = rows.some((r) => r.status === 'scanned')
    ? await advisoriesAreLoaded(
        ctx,
        store,
        rows.reduce((n, r) => n + r.findings, 0),
      )
    : true;
  const out: Printable<InUseRow> = {
    json: { inUse: rows, advisoriesLoaded },
    rows,
    columns: [
      { header: 'reference', value: (r) => r.reference },
      { header: 'reason', value: (r) => r.reason },
      { header: 'containers', value: (r) => r.containers },
      { header: 'status', value: (r) => (r.partial ? 'partial' : r.status) },
      { header: 'findings', value: (r) => r.findings },
      { header: 'error', value: (r) => r.error ?? '' },
    ],
    footer: [
      `${rows.filter((r) => r.status === 'scanned').length} of ${rows.length} in-use images scanned`,
      ...(advisoriesLoaded ? [] : [`! ${NO_ADVISORIES}`]),
    ],
  };
  const failed = rows.filter((r) => r.status === 'failed' || r.partial);
  if (!failed.length) return out;
  ctx.print(render(ctx.format, out));
  throw new CompletedWithFailuresError(
    `${failed.length} of ${rows.length} in-use image${rows.length > 1 ? 's' : ''} could not be scanned completely: ${failed
      .map((r) => `${r.reference} (${r.status === 'failed' ? 'failed' : 'partial'}: ${r.error})`)
      .join('; ')}`,
  );
}
