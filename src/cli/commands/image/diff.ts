// `runsight image diff A B`: vulnerabilities fixed, introduced and unchanged between two images.
import type { Command } from 'commander';
import { parsePlatform } from '../../../identity/index.js';
import type { DiffEntry } from '../../../remediation/index.js';
import { showImageDiff } from '../../../views/index.js';
import { group, type Run } from '../../main.js';

type Row = DiffEntry & { change: string };

export function registerImageDiffCommand(program: Command, run: Run): void {
  group(program, 'image', 'images: identity, scans, findings')
    .command('diff <a> <b>')
    .description('fixed, introduced and unchanged findings between two scanned images')
    .option('--platform <os/arch[/variant]>', 'platform to pick from an index', 'linux/amd64')
    .action(
      run(async (ctx, a: string, b: string, opts: { platform: string }) => {
        const store = await ctx.store();
        const d = await showImageDiff(store, a, b, {
          platform: parsePlatform(opts.platform),
        });
        const rows: Row[] = [
          ...d.fixed.map((e) => ({ ...e, change: 'fixed' })),
          ...d.introduced.map((e) => ({ ...e, change: 'introduced' })),
          ...d.unchanged.map((e) => ({ ...e, change: 'unchanged' })),
        ];
        return {
          json: d,
          rows,
          columns: [
            { header: 'change', value: (r: Row) => r.change },
            { header: 'vulnerability', value: (r: Row) => r.vulnerabilityId },
            { header: 'severity', value: (r: Row) => r.severity },
            { header: 'package', value: (r: Row) => r.packageName },
            { header: 'before', value: (r: Row) => r.before ?? '' },
            { header: 'after', value: (r: Row) => r.after ?? '' },
            { header: 'fixed in', value: (r: Row) => r.fixedVersion ?? '' },
          ],
          footer: [
            `${a} (${d.a.digest}) → ${b} (${d.b.digest}): ${d.summary.fixed} fixed, ${d.summary.introduced} introduced, ${d.summary.unchanged} unchanged`,
          ],
        };
      }),
    );
}
