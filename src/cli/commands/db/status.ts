// `runsight db status`: the store itself: kind, schema version and row counts, the advisory
// database's freshness, and each advisory feed's age, last outcome and next run (docs/advisories.md).
// The `db` group also holds `db sync` (sync.ts) and the advisory database's `db update` (update.ts).
import type { Command } from 'commander';
// feed-status.js directly: the feeds index would load the downloaders and loaders (zod, yauzl…).
import { feedStatus } from '../../../advisories/feeds/feed-status.js';
import { getStoreStatus, listFeedStates } from '../../../store/index.js';
import { group, type Run } from '../../main.js';

export function registerDbStatusCommand(program: Command, run: Run): void {
  group(program, 'db', 'the Runsight store and its advisory database')
    .command('status')
    .description('store kind, schema version, row counts and advisory feed freshness')
    .action(
      run(async (ctx) => {
        const store = await ctx.store();
        const status = await getStoreStatus(store);
        const feeds = feedStatus(await listFeedStates(store), ctx.config.cadence?.advisories);
        return {
          json: { ...status, feeds },
          rows: Object.entries(status.counts),
          columns: [
            { header: 'table', value: (r: [string, number]) => r[0] },
            { header: 'rows', value: (r: [string, number]) => r[1] },
          ],
          footer: [
            `store: ${status.store} (${status.location}), schema version ${status.schemaVersion}`,
            ...feeds.map(
              (f) =>
                `feed ${f.name}: ${f.lastOutcome ?? 'never run'}${f.lastError ? ` (${f.lastError})` : ''}, ` +
                `${f.ageSeconds === null ? 'no data yet' : `data ${age(f.ageSeconds)} old`}` +
                `${f.nextRunAt ? `, next run ${f.nextRunAt}` : ''}`,
            ),
          ],
        };
      }),
    );
}

function age(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
