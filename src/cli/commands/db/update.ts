// `runsight db update`: with --source PATH|URL …, import those advisory sources (OSV, Alpine secdb,
// CISA KEV, EPSS, OpenVEX/CycloneDX VEX, CVE records); with no --source, fetch the configured
// advisory feeds (OSV per ecosystem in use, KEV, EPSS, the CVE List; --feed picks some). Then
// re-match the images the changes touch. docs/advisories.md.
import { type Command, Option } from 'commander';
import { updateFeeds } from '../../../advisories/feeds/index.js';
import { updateAdvisories } from '../../../advisories/index.js';
import { CompletedWithFailuresError, UsageError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';
import { group, type Run } from '../../main.js';
import { render } from '../../output.js';
import { maintain } from '../../posture-format.js';

const KINDS = ['osv', 'alpine-secdb', 'kev', 'epss', 'vex', 'cve'] as const;

const repeatable = (v: string, prev: string[] = []) => [...prev, v];

export function registerDbUpdateCommand(program: Command, run: Run): void {
  const db = group(program, 'db', 'the Runsight store and its advisory database');
  db.command('update')
    .description(
      'fetch the advisory feeds (OSV per ecosystem in use, KEV, EPSS, CVE List), or import --source files, and re-match affected images',
    )
    .addOption(
      new Option('--source <path|url>', 'advisory source; repeatable').argParser(repeatable).default([]),
    )
    .addOption(
      new Option('--kind <kind>', 'treat every --source file as this kind instead of detecting it').choices(
        KINDS,
      ),
    )
    .addOption(
      new Option(
        '--feed <name>',
        'without --source: run only this feed (osv, osv:Debian, kev, epss, cve); repeatable',
      )
        .argParser(repeatable)
        .default([]),
    )
    .option('--no-rematch', 'do not re-match stored images after the update')
    .action(
      run(
        async (
          ctx,
          opts: { source: string[]; kind?: (typeof KINDS)[number]; feed: string[]; rematch: boolean },
        ) => {
          if (!opts.source.length) return feedsUpdate(ctx, opts);
          if (opts.feed.length)
            throw new UsageError('--feed names a default feed; it cannot be combined with --source');
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
        },
      ),
    );
}

/** No --source: the user asks for the configured feeds (the only network calls Runsight makes by itself). */
async function feedsUpdate(
  ctx: CliContext,
  opts: { kind?: string | undefined; feed: string[]; rematch: boolean },
) {
  if (opts.kind) throw new UsageError('--kind applies to --source files; the feeds know their kinds');
  const store = await ctx.store();
  const result = await updateFeeds(store, ctx.config, {
    only: opts.feed,
    rematch: opts.rematch,
    signal: ctx.signal,
    logger: ctx.logger,
  });
  await maintain(ctx);
  type Row = (typeof result.feeds)[number];
  const out = {
    json: result,
    rows: result.feeds,
    columns: [
      { header: 'feed', value: (r: Row) => r.name },
      { header: 'outcome', value: (r: Row) => r.outcome },
      { header: 'bytes', value: (r: Row) => r.bytes },
      { header: 'read', value: (r: Row) => r.read },
      { header: 'written', value: (r: Row) => r.written },
      { header: 'url / error', value: (r: Row) => r.error ?? r.url },
    ],
    footer: [
      result.feeds.length
        ? `${result.feeds.length - result.failed} of ${result.feeds.length} feed(s) up to date`
        : 'no feed configured',
    ],
  };
  if (!result.failed) return out;
  ctx.print(render(ctx.format, out));
  throw new CompletedWithFailuresError(
    `${result.failed} advisory feed(s) failed; their previous data stays in force: ${result.feeds
      .filter((f) => f.outcome === 'failed')
      .map((f) => `${f.name} (${f.error})`)
      .join('; ')}`,
  );
}
