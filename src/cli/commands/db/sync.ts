// `runsight db sync` brings derived posture up to date on demand: after a settings change (the
// authoritative source), to take the hourly snapshots of unchanged scopes, or with --full from scratch.
import type { Command } from 'commander';
import { maintainPosture, recomputePosture } from '../../../propagation/index.js';
import { group, type Run } from '../../main.js';
import { postureConfig } from '../../posture-format.js';

export function registerDbSyncCommand(program: Command, run: Run): void {
  group(program, 'db', 'the Runsight store and its advisory database')
    .command('sync')
    .description('bring posture up to date now (after a settings change; --full recomputes everything)')
    .option('--full', 'recompute every resolution and roll-up from scratch')
    .action(
      run(async (ctx, opts: { full?: boolean }) => {
        const store = await ctx.store();
        const config = { ...postureConfig(ctx), signal: ctx.signal };
        const r = opts.full
          ? await recomputePosture(store, config)
          : await maintainPosture(store, {}, config);
        const json = {
          full: r.full,
          containersResolved: r.containersResolved,
          resolutionChanges: r.resolutionChanges.length,
          imagesRefreshed: r.imagesRefreshed,
          scopes: r.scopes,
          snapshots: r.snapshots,
        };
        return {
          json,
          rows: Object.entries(json),
          columns: [
            { header: 'what', value: (e: [string, unknown]) => e[0] },
            { header: 'value', value: (e: [string, unknown]) => String(e[1]) },
          ],
        };
      }),
    );
}
