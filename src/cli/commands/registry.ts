// `runsight registry list REGISTRY [--repository REPO]`: the repositories of a registry (catalog)
// and their tags, following Link pagination.
import type { Command } from 'commander';
import { listRegistry, type RegistryListing } from '../../identity/index.js';
import { group, type Run } from '../main.js';

export function registerRegistryCommand(program: Command, run: Run): void {
  const registry = group(program, 'registry', 'container registries');
  registry
    .command('list')
    .description('list repositories and their tags')
    .argument('<registry>', 'registry host[:port], e.g. ghcr.io or 127.0.0.1:5000')
    .option('--repository <repo>', 'only this repository')
    .action(
      run(async (ctx, host: string, opts: { repository?: string }) => {
        const listing = await listRegistry(host, {
          repository: opts.repository,
          signal: ctx.signal,
          ...ctx.registryOptions,
        });
        return {
          json: listing,
          rows: listing.repositories,
          columns: [
            { header: 'repository', value: (r: RegistryListing['repositories'][number]) => r.repository },
            { header: 'tags', value: (r: RegistryListing['repositories'][number]) => r.tags.join(' ') },
          ],
          footer: [`${listing.repositories.length} repositories on ${listing.registry}`],
        };
      }),
    );
}
