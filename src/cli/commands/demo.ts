// `runsight demo`: the whole pipeline on bundled sample data, in a fresh PGlite store under
// .runsight/demo (or --data-dir). Each stage adds its step here as it lands.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { getStoreStatus, openStore } from '../../store/index.js';
import type { Run } from '../main.js';
import { render } from '../output.js';

export function registerDemoCommand(program: Command, run: Run): void {
  program
    .command('demo')
    .description('run the pipeline end to end on bundled sample data (embedded PGlite store)')
    .option('--keep', 'keep the demo store from the previous run instead of starting fresh')
    .action(
      run(async (ctx, opts: { keep?: boolean }) => {
        const dir = resolve(program.opts().dataDir ?? '.runsight/demo');
        if (!opts.keep) rmSync(dir, { recursive: true, force: true });
        const store = await openStore({ dataDir: dir });
        try {
          const status = await getStoreStatus(store);
          ctx.print(
            `Runsight demo — store: ${status.store} at ${status.location}, schema v${status.schemaVersion}\n\n`,
          );
          ctx.print(
            render(ctx.format === 'json' ? 'json' : 'table', {
              json: status,
              rows: Object.entries(status.counts),
              columns: [
                { header: 'table', value: (r: [string, number]) => r[0] },
                { header: 'rows', value: (r: [string, number]) => r[1] },
              ],
            }),
          );
        } finally {
          await store.close();
        }
        return undefined;
      }),
    );
}
