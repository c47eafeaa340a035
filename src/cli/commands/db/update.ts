// `runsight db update --source PATH|URL …`: import advisory sources (OSV, Alpine secdb, CISA KEV,
// EPSS, OpenVEX/CycloneDX VEX), then re-match the images the changes touch. docs/advisories.md.
import { type Command, Option } from 'commander';
import { updateAdvisories } from '../../../advisories/index.js';
import { UsageError } from '../../../core/errors.js';
import { group, type Run } from '../../main.js';
import { maintain } from '../../posture-format.js';

const KINDS = ['osv', 'alpine-secdb', 'kev', 'epss', 'vex', 'cve'] as const;

export function registerDbUpdateCommand(program: Command, run: Run): void {
  const db = group(program, 'db', 'the Runsight store and its advisory database');
  db.command('update')
    .description(
      'import advisories (OSV dir/zip/URL, Alpine secdb, KEV, EPSS, VEX) and re-match affected images',
    )
    .addOption(
      new Option('--source <path|url>', 'advisory source; repeatable')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .addOption(
      new Option('--kind <kind>', 'treat every file as this kind instead of detecting it').choices(KINDS),
    )
    .option('--no-rematch', 'do not re-match stored images after the update')
    .action(
      run(async (ctx, opts: { source: string[]; kind?: (typeof KINDS)[number]; rematch: boolean }) => {
        if (!opts.source.length) throw new UsageError('db update needs at least one --source PATH|URL');
        const store = await ctx.store();
        const result = await updateAdvisories(store, {
          sources: opts.source,
          kind: opts.kind,
          rematch: opts.rematch,
          signal: ctx.signal,
          logger: ctx.logger,
        });
        await maintain(ctx);
        const rm = result.rematch;
        return {
          json: result,
          rows: result.sources,
          columns: [
            { header: 'source', value: (r: (typeof result.sources)[number]) => r.name },
            { header: 'kind', value: (r: (typeof result.sources)[number]) => r.kind },
            { header: 'read', value: (r: (typeof result.sources)[number]) => r.read },
            { header: 'written', value: (r: (typeof result.sources)[number]) => r.written },
            { header: 'unchanged', value: (r: (typeof result.sources)[number]) => r.unchanged },
          ],
          footer: [
            rm
              ? `re-matched ${rm.scans} scan(s) of ${rm.images} image(s): ${rm.newlyAffected} newly affected, ${rm.newlyFixed} newly fixed`
              : 'no image re-matched',
          ],
        };
      }),
    );
}
