// `runsight db status`: the store itself: kind, schema version and row counts. The `db` group also
// holds `db sync` (sync.ts) and the advisory database's `db update` (update.ts).
import type { Command } from 'commander';
import { getStoreStatus } from '../../../store/index.js';
import { group, type Run } from '../../main.js';

export function registerDbStatusCommand(program: Command, run: Run): void {
  group(program, 'db', 'the Runsight store and its advisory database')
    .command('status')
    .description('store kind, schema version and row counts')
    .action(
      run(async (ctx) => {
        const status = await getStoreStatus(await ctx.store());
        return {
          json: status,
          rows: Object.entries(status.counts),
          columns: [
            { header: 'table', value: (r: [string, number]) => r[0] },
            { header: 'rows', value: (r: [string, number]) => r[1] },
          ],
          footer: [`store: ${status.store} (${status.location}), schema version ${status.schemaVersion}`],
        };
      }),
    );
}
