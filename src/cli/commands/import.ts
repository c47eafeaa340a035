// `runsight import trivy|grype|cyclonedx|trivy-operator|osv-scanner|auto FILE… [--image REF]`:
// land other scanners' results as image findings (src/importers, docs/importers.md). Prints one
// row per image; exits 2 after printing when a file or an image could not be imported, with each
// failure said once, in the closing `runsight:` line.
// `import trivy-operator --from-cluster` lists the VulnerabilityReports from the current context.
// `import sbom FILE [--image REF]` stores a CycloneDX or SPDX JSON SBOM matched against the loaded
// advisories as the image's findings (source runsight-sbom), as `POST /api/v1/sboms` does.
import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import {
  IMPORT_FORMATS,
  type ImageImportSummary,
  type ImportFormat,
  importReports,
  importSbom,
  kubernetesReportLister,
  listVulnerabilityReports,
} from '../../importers/index.js';
import type { Run } from '../main.js';
import { type Printable, render } from '../output.js';
import { maintain } from '../posture-format.js';

interface ImportFlags {
  image?: string;
  force?: boolean;
  fromCluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export function registerImportCommand(program: Command, run: Run): void {
  const cmd = program
    .command('import')
    .description(
      "import other scanners' results (Trivy, Grype, CycloneDX, trivy-operator, osv-scanner) as image findings",
    );
  const formats: (ImportFormat | 'auto')[] = [...IMPORT_FORMATS, 'auto'];
  for (const format of formats) {
    const operator = format === 'trivy-operator';
    const sub = cmd
      .command(format)
      .description(
        format === 'auto' ? 'detect each file’s format, then import it' : `import ${format} reports`,
      )
      .argument(
        operator ? '[files...]' : '<files...>',
        operator ? 'VulnerabilityReport files (JSON or YAML)' : 'report files (JSON)',
      )
      .option('--image <ref>', 'the image (REF or DIGEST) the reports describe, when they do not say')
      .option('--force', 'land the reports on --image even when their own identity names another image');
    if (operator)
      sub
        .option('--from-cluster', 'list VulnerabilityReports from the Kubernetes API (current kube context)')
        .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
        .option('--context <name>', 'kube context to use')
        .option('--namespace <ns>', 'only this namespace (default: all)');
    sub.action(
      run(async (ctx, files: string[] | undefined, opts: ImportFlags) => {
        const documents: { origin: string; data: unknown }[] = [];
        if (opts.fromCluster) {
          const lister = await kubernetesReportLister({ kubeconfig: opts.kubeconfig, context: opts.context });
          const list = await listVulnerabilityReports(lister, {
            namespace: opts.namespace,
            signal: ctx.signal,
          });
          ctx.logger.info('listed VulnerabilityReports', { count: list.items.length });
          if (list.items.length)
            documents.push({ origin: `cluster${opts.context ? ` ${opts.context}` : ''}`, data: list });
        } else if (!files?.length) throw new UsageError('give report files, or --from-cluster');
        const store = await ctx.store();
        const result = await importReports(store, {
          format,
          files: files ?? [],
          documents,
          image: opts.image,
          force: opts.force,
          signal: ctx.signal,
          progress: ctx.reportProgress,
          // Files and images not imported come back in result.errors and are said once, below.
          logger: { ...ctx.logger, error: (msg, fields) => ctx.logger.debug(msg, fields) },
        });
        if (result.images.length) await maintain(ctx);
        const printable = toPrintable(result.images);
        if (!result.errors.length) return printable;
        ctx.print(render(ctx.format, printable));
        throw new InputError(
          `${result.errors.length} report(s) not imported: ${result.errors.map((e) => e.message).join(' | ')}`,
        );
      }),
    );
  }
  cmd
    .command('sbom')
    .description(
      'store a CycloneDX or SPDX JSON SBOM, matched against the loaded advisories, as an image’s findings',
    )
    .argument('<file>', 'the SBOM (JSON)')
    .option('--image <ref>', 'the image (REF or DIGEST) it describes (default: the SBOM’s own subject)')
    .option('--force', 'land it on --image even when the SBOM’s own digest or OS names another image')
    .action(
      run(async (ctx, file: string, opts: ImportFlags) => {
        const r = await importSbom(await ctx.store(), {
          file,
          image: opts.image,
          force: opts.force,
          signal: ctx.signal,
        });
        if (!r.landed) throw new InputError(`${file} was not stored: ${r.reason}`);
        if (!r.alreadyImported) await maintain(ctx);
        const { landed: _landed, reason: _reason, ...doc } = r;
        return {
          json: doc,
          rows: [r],
          columns: [
            { header: 'reference', value: (x) => x.reference },
            { header: 'digest', value: (x) => x.digest },
            { header: 'match', value: (x) => `${x.matchMethod} (${x.confidence})` },
            { header: 'source', value: (x) => x.source },
            { header: 'packages', value: (x) => x.packages },
            { header: 'findings', value: (x) => x.findings },
            { header: 'skipped', value: (x) => x.skippedCount },
            { header: 'new', value: (x) => (x.alreadyImported ? 'no (already stored)' : 'yes') },
          ],
        } satisfies Printable<typeof r>;
      }),
    );
}

/** The summary rows; an unresolved image's reason is left to the error line, said once. */
function toPrintable(images: ImageImportSummary[]): Printable<ImageImportSummary> {
  const footer: string[] = [];
  for (const img of images)
    if (img.digest)
      for (const s of img.skipped) footer.push(`skipped ${s.id} (${img.reference ?? img.file}): ${s.reason}`);
  return {
    json: {
      images: images.map((i) => ({
        reference: i.reference,
        digest: i.digest,
        matchMethod: i.matchMethod,
        source: i.source,
        imported: i.imported,
        skipped: i.skipped.map((s) => ({ id: s.id, reason: s.reason })),
      })),
    },
    rows: images,
    columns: [
      { header: 'reference', value: (r) => r.reference },
      { header: 'digest', value: (r) => r.digest },
      { header: 'match', value: (r) => (r.digest ? `${r.matchMethod} (${r.confidence})` : r.matchMethod) },
      { header: 'source', value: (r) => r.source },
      { header: 'imported', value: (r) => r.imported },
      { header: 'skipped', value: (r) => r.skipped.length },
      { header: 'current', value: (r) => (r.digest ? (r.current ? 'yes' : 'no (partial)') : '') },
    ],
    footer,
  };
}
