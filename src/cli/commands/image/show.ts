// `runsight image show REF|DIGEST`: every findings source that covers the image (built-in scan and
// imports) side by side, the authoritative one (config `posture.authoritativeSource`) marked, and
// where they differ. `image resolve` joins the same group from the identity stage's file. Counts are
// vulnerabilities and findings as everywhere (docs/cli.md#counts-vulnerabilities-and-findings):
// what posture counts for the digest, and each source's own rows.
import type { Command } from 'commander';
import type { FindingDifference } from '../../../views/index.js';
import { group, type Run } from '../../main.js';
import { countsHeadline, summaryDetail } from '../../posture-format.js';

export function registerImageShowCommand(program: Command, run: Run): void {
  const image = group(program, 'image', 'images: identity, scans, findings');
  image
    .command('show')
    .description('findings sources of an image side by side, and their differences')
    .argument('<ref>', 'image reference (tag resolved through tag history) or digest')
    .action(
      run(async (ctx, ref: string) => {
        const shown = await (await ctx.reader()).image(ref);
        const names = shown.sources.map((s) => s.source);
        const footer = [
          `digest ${shown.digest}${shown.resolvedBy === 'tag-history' ? ` (from tag history of ${ref})` : ''}`,
          ...shown.sources.map(
            (s) =>
              `${s.authoritative ? '* ' : '  '}${s.source}${s.scannerVersion ? ` ${s.scannerVersion}` : ''}: scanned ${s.scannedAt}, ${countsHeadline(s.summary)} · ${summaryDetail(s.summary)}${s.matchMethod ? `, matched by ${s.matchMethod}` : ''}${s.status !== 'complete' ? `, ${s.status}` : ''}`,
          ),
          ...(shown.summary
            ? [
                `posture counts (${shown.summarySource}, after VEX; what its containers show): ${countsHeadline(shown.summary)} · ${summaryDetail(shown.summary)}`,
              ]
            : []),
          shown.sources.length
            ? `authoritative for posture: ${shown.authoritativeSource}${shown.configuredSourceMissing ? ` (configured ${shown.configuredSourceMissing} has no scan of this digest)` : ''}`
            : 'no findings from any source for this digest',
          ...(shown.platforms.length
            ? [
                `index: findings belong to its platform manifests: ${shown.platforms.map((p) => `${p.platform} ${p.digest}`).join(', ')}`,
              ]
            : []),
        ];
        return {
          json: shown,
          rows: shown.differences,
          columns: [
            { header: 'vulnerability', value: (d: FindingDifference) => d.vulnerability },
            { header: 'package', value: (d: FindingDifference) => d.package },
            { header: 'installed', value: (d: FindingDifference) => d.installedVersion },
            { header: 'difference', value: (d: FindingDifference) => d.kind },
            ...names.map((n) => ({
              header: n,
              value: (d: FindingDifference) => {
                const v = d.bySource[n];
                return v
                  ? `${v.severity}${v.fixedVersion ? ` fix ${v.fixedVersion}` : ''}${v.status !== 'affected' ? ` ${v.status}` : ''}`
                  : '—';
              },
            })),
          ],
          footer,
        };
      }),
    );
}
