// `runsight scan SOURCE [--platform P|all] [--sbom cyclonedx|spdx FILE]`: the built-in scanner.
// SOURCE is a registry reference, `oci:DIR[:TAG]`, `oci-archive:FILE`, `docker-archive:FILE` or
// `sbom:FILE` (CycloneDX/SPDX JSON, matched without an image). JSON output per docs/scan.md.
// A partial scan prints its result, then exits 4; a scan against an empty advisory database says so.
// Its summary counts vulnerabilities and findings as every command does
// (docs/cli.md#counts-vulnerabilities-and-findings): `1 vulnerability, 2 findings`.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { matchPackages } from '../../advisories/index.js';
import { CompletedWithFailuresError, UsageError } from '../../core/errors.js';
import { severityRank } from '../../core/severity.js';
import type { Finding } from '../../core/types.js';
import { parsePlatform } from '../../identity/index.js';
import { countFindings } from '../../propagation/index.js';
import {
  type ImageScanResult,
  type PackageMatcher,
  SBOM_FORMATS,
  type SbomFormat,
  sbomDocument,
  scanImage,
  scanSbom,
} from '../../scan/index.js';
import type { Store } from '../../store/index.js';
import { advisoriesAreLoaded, NO_ADVISORIES } from '../advisories-loaded.js';
import { type Run, VERSION } from '../main.js';
import { type Printable, render } from '../output.js';
import { countsHeadline, maintain, summaryDetail } from '../posture-format.js';
import { scanInUse } from './scan-in-use.js';

export interface ScanCommandOptions {
  platform?: string;
  sbom?: string[];
  inUse?: boolean;
  includeOsOwned?: boolean;
}

export function registerScanCommand(program: Command, run: Run): void {
  program
    .command('scan')
    .description('scan an image (or an SBOM) for packages and vulnerabilities; stored per platform digest')
    .argument(
      '[source]',
      'registry reference, oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE or sbom:FILE',
    )
    .option(
      '--platform <platform>',
      'os/arch[/variant] to select from an index, or "all" (default linux/amd64)',
    )
    .option('--sbom <format-and-file...>', 'also write the SBOM: cyclonedx FILE or spdx FILE')
    .option(
      '--include-os-owned',
      'also report language packages whose files an OS package owns (e.g. Debian python3-* → PyPI)',
    )
    .option(
      '--in-use',
      'scan every running image that has no scan or a stale one (propagation coverage gaps)',
    )
    .action(
      run(async (ctx, source: string | undefined, opts: ScanCommandOptions) => {
        if (opts.inUse) {
          if (source) throw new UsageError('give either SOURCE or --in-use, not both');
          return scanInUse(ctx);
        }
        if (!source)
          throw new UsageError(
            'missing SOURCE: an image reference, oci:DIR[:TAG], …, sbom:FILE, or --in-use',
          );
        const sbomOut = parseSbomOption(opts.sbom);
        const platform =
          opts.platform === undefined
            ? undefined
            : opts.platform === 'all'
              ? 'all'
              : parsePlatform(opts.platform);
        const store = await ctx.store();
        const match = matcherFor(store);
        let results: ImageScanResult[];
        if (source.startsWith('sbom:')) {
          results = [await scanSbom(source.slice('sbom:'.length), { match })];
        } else {
          results = await scanImage({
            source,
            platform,
            store,
            match,
            limits: ctx.config.scan,
            includeOsOwned: opts.includeOsOwned ?? ctx.config.scan?.includeOsOwned,
            sourceOptions: ctx.registryOptions,
            signal: ctx.signal,
            logger: ctx.logger,
            onProgress: ctx.interactive ? (m) => ctx.logger.info(m) : undefined,
            progress: ctx.reportProgress,
          });
        }
        // The new scan's image roll-ups and the containers that run it.
        await maintain(ctx);
        if (sbomOut) {
          for (const [i, r] of results.entries()) {
            const file =
              results.length > 1
                ? suffixed(sbomOut.file, r.image.platform.replace(/\//g, '-'), i)
                : sbomOut.file;
            await writeFile(file, `${JSON.stringify(sbomDocument(r, sbomOut.format, VERSION), null, 2)}\n`);
          }
        }
        const advisoriesLoaded = await advisoriesAreLoaded(
          ctx,
          store,
          results.reduce((n, r) => n + r.findings.length, 0),
        );
        const out = printable(results, opts.platform === 'all', advisoriesLoaded);
        const partial = results.filter((r) => r.status === 'partial');
        if (!partial.length) return out;
        ctx.print(render(ctx.format, out));
        throw new CompletedWithFailuresError(
          `scan completed with failures: ${partial
            .map(
              (r) =>
                `${r.image.reference}${r.image.platform ? ` ${r.image.platform}` : ''} is partial (${[...new Set(r.errors.map((e) => e.code))].join(', ')})`,
            )
            .join('; ')}; its findings may be incomplete (see status and errors above)`,
        );
      }),
    );
}

function parseSbomOption(v: string[] | undefined): { format: SbomFormat; file: string } | undefined {
  if (v === undefined) return undefined;
  const [format, file, ...rest] = v;
  if (!SBOM_FORMATS.includes(format as SbomFormat) || !file || rest.length)
    throw new UsageError(
      `--sbom expects a format (cyclonedx or spdx) and a file, e.g. --sbom cyclonedx sbom.json; got "${v.join(' ')}"`,
    );
  return { format: format as SbomFormat, file };
}

/** `out/api.cdx.json` → `out/api.linux-arm64.cdx.json`: the platform goes before the first dot. */
function suffixed(file: string, platform: string, i: number): string {
  const slash = file.lastIndexOf('/') + 1;
  const dot = file.indexOf('.', slash + 1);
  const tag = platform || String(i);
  return dot > 0 ? `${file.slice(0, dot)}.${tag}${file.slice(dot)}` : `${file}.${tag}`;
}

/** The advisories stage's matcher over the store (`runsight db update` fills the advisories). */
function matcherFor(store: Store): PackageMatcher {
  return (packages, o) => matchPackages(store, packages, o);
}

/** The JSON document of one scan, exactly the fields docs/scan.md lists (plus a few extras). */
export function scanJson(r: ImageScanResult, advisoriesLoaded = true) {
  return {
    image: r.image,
    os: r.os,
    status: r.status,
    errors: r.errors,
    packages: r.packages.map((p) => ({
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: p.purl ?? null,
      sourceName: p.sourceName ?? null,
      layer: p.layer ?? null,
      path: p.path ?? null,
      evidence: p.evidence ?? null,
    })),
    findings: r.findings.map((f) => ({
      id: f.id,
      aliases: f.aliases,
      package: f.package,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion ?? null,
      severity: f.severity,
      severitySource: f.severitySource ?? null,
      cvss: f.cvss ?? null,
      kev: f.kev,
      epss: f.epss ?? null,
      status: f.status,
    })),
    stats: r.stats,
    advisoriesLoaded,
    // Vulnerabilities (distinct ids) and findings (the rows above), by severity.
    summary: countFindings(r.findings),
  };
}

function printable(results: ImageScanResult[], all: boolean, advisoriesLoaded: boolean): Printable<Finding> {
  const json = all
    ? results.map((r) => scanJson(r, advisoriesLoaded))
    : scanJson(results[0]!, advisoriesLoaded);
  const rows = results
    .flatMap((r) => r.findings)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
  const footer: string[] = [];
  for (const r of results) {
    const summary = countFindings(r.findings);
    footer.push(
      `${r.image.reference} ${r.image.platform} ${r.image.digest}`,
      `  os ${r.os?.ecosystem ?? r.os?.family ?? 'unknown'} · ${r.packages.length} packages · ${countsHeadline(summary)} (vulnerability × package)`,
      `  ${summaryDetail(summary)}`,
      `  status ${r.status} · layers ${r.stats.layers} (${r.stats.cachedLayers} from cache) · ${(r.stats.bytes / 2 ** 20).toFixed(1)} MiB read · ${r.stats.seconds}s`,
      ...r.errors.map((e) => `  ! ${e.code}: ${e.message}`),
    );
  }
  if (!advisoriesLoaded) footer.push(`! ${NO_ADVISORIES}`);
  return {
    json,
    rows,
    columns: [
      { header: 'severity', value: (f) => f.severity },
      { header: 'vulnerability', value: (f) => f.id },
      { header: 'package', value: (f) => f.package.name },
      { header: 'installed', value: (f) => f.installedVersion },
      { header: 'fix', value: (f) => f.fixedVersion ?? (f.status === 'affected' ? 'no fix yet' : '') },
      { header: 'status', value: (f) => f.status },
      { header: 'kev', value: (f) => (f.kev ? 'KEV' : '') },
    ],
    footer,
  };
}
