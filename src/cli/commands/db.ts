// `runsight db …`: the store itself. Advisory database commands (`db update`) join here.
import type { Command } from 'commander';
import { getStoreStatus } from '../../store/index.js';
import { group, type Run } from '../main.js';

export function registerDbCommands(program: Command, run: Run): void {
  const db = group(program, 'db', 'the Runsight store and its advisory database');

  db.command('status')
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
