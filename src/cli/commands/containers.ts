// `runsight containers`: the running containers the inventory knows, with their image identity.
// `--format json` prints exactly the documented fields (docs/inventory.md); the propagation stage
// adds its own fields (imageDigest, matchMethod, confidence, counts, summary) to this command: the
// image's vulnerabilities and findings (docs/cli.md#counts-vulnerabilities-and-findings).
// The document is built by the view (src/views/list-containers.ts), so the API serves the same JSON.
import type { Command } from 'commander';
import type { ContainerDocument } from '../../views/index.js';
import type { Run } from '../main.js';
import { chml } from '../posture-format.js';

export interface ContainersFlags {
  source?: string;
  cluster?: string;
  namespace?: string[];
  all?: boolean;
}

export function registerContainersCommand(program: Command, run: Run): void {
  program
    .command('containers')
    .description('running containers from every inventory source, with their image identity')
    .option('--source <name>', 'only this inventory source')
    .option('--cluster <name>', 'only this cluster')
    .option('--namespace <ns>', 'only this namespace (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--all', 'include containers that have gone (state "removed")')
    .action(
      run(async (ctx, flags: ContainersFlags) => {
        const rows = await (await ctx.reader()).containers({
          source: flags.source,
          cluster: flags.cluster,
          namespaces: flags.namespace,
          includeRemoved: flags.all,
        });
        return {
          json: rows,
          rows,
          columns: [
            // The key `container show` takes, and where the container was seen.
            { header: 'id', value: (r: ContainerDocument) => r.id },
            { header: 'source', value: (r: ContainerDocument) => r.source },
            { header: 'cluster', value: (r: ContainerDocument) => r.cluster },
            { header: 'namespace', value: (r: ContainerDocument) => r.namespace },
            {
              header: 'workload',
              value: (r: ContainerDocument) => (r.workloadKind ? `${r.workloadKind}/${r.workloadName}` : ''),
            },
            {
              header: 'container',
              value: (r: ContainerDocument) => (r.pod ? `${r.pod}/${r.container}` : r.container),
            },
            { header: 'image', value: (r: ContainerDocument) => r.image },
            {
              header: 'digest',
              value: (r: ContainerDocument) => (r.digest ? `${r.digestKind}:${r.digest.slice(7, 19)}` : ''),
            },
            { header: 'state', value: (r: ContainerDocument) => r.state },
            // Its image's two figures; `-` when the image has no scan (or is unresolved).
            {
              header: 'vulnerabilities C/H/M/L/U',
              value: (r: ContainerDocument) => (r.summary ? chml(r.summary.vulnerabilities) : '-'),
            },
            {
              header: 'findings C/H/M/L/U',
              value: (r: ContainerDocument) => (r.summary ? chml(r.summary.findings) : '-'),
            },
            { header: 'last seen', value: (r: ContainerDocument) => r.lastSeen },
          ],
          footer: [`${rows.length} container${rows.length === 1 ? '' : 's'}`],
        };
      }),
    );
}
