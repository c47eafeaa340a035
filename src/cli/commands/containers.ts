// `runsight containers`: the running containers the inventory knows, with their image identity.
// `--format json` prints exactly the documented fields (docs/inventory.md); the propagation stage
// adds its own fields (imageDigest, matchMethod, confidence, counts, summary) to this command: the
// image's vulnerabilities and findings (docs/cli.md#counts-vulnerabilities-and-findings).
import type { Command } from 'commander';
import { type ContainerRow, listContainers } from '../../store/index.js';
import { containerPostureFields } from '../../views/index.js';
import type { Run } from '../main.js';
import { chml } from '../posture-format.js';

export interface ContainersFlags {
  source?: string;
  cluster?: string;
  namespace?: string[];
  all?: boolean;
}

/** The JSON document of one container (the contract of `runsight containers --format json`). */
export function containerJson(r: ContainerRow) {
  return {
    id: r.id,
    source: r.source,
    cluster: r.cluster,
    namespace: r.namespace,
    workloadKind: r.workloadKind,
    workloadName: r.workloadName,
    pod: r.pod,
    container: r.container,
    containerKind: r.containerKind,
    node: r.node,
    platform: r.platform,
    image: r.image,
    imageId: r.imageId,
    digest: r.digest,
    digestKind: r.digestKind,
    // A container that has gone (listed with --all) shows as removed.
    state: r.removedAt ? 'removed' : r.state,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    owner: r.owner,
    environment: r.environment,
    labels: r.labels,
  };
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
        const store = await ctx.store();
        const rows = await listContainers(store, {
          source: flags.source,
          cluster: flags.cluster,
          namespaces: flags.namespace,
          includeRemoved: flags.all,
        });
        const posture = await containerPostureFields(store, rows);
        const summaryOf = new Map(rows.map((r, i) => [r, posture[i]!.summary]));
        return {
          json: rows.map((r, i) => ({ ...containerJson(r), ...posture[i] })),
          rows,
          columns: [
            // The key `container show` takes, and where the container was seen.
            { header: 'id', value: (r: ContainerRow) => r.id },
            { header: 'source', value: (r: ContainerRow) => r.source },
            { header: 'cluster', value: (r: ContainerRow) => r.cluster },
            { header: 'namespace', value: (r: ContainerRow) => r.namespace },
            {
              header: 'workload',
              value: (r: ContainerRow) => (r.workloadKind ? `${r.workloadKind}/${r.workloadName}` : ''),
            },
            {
              header: 'container',
              value: (r: ContainerRow) => (r.pod ? `${r.pod}/${r.container}` : r.container),
            },
            { header: 'image', value: (r: ContainerRow) => r.image },
            {
              header: 'digest',
              value: (r: ContainerRow) => (r.digest ? `${r.digestKind}:${r.digest.slice(7, 19)}` : ''),
            },
            { header: 'state', value: (r: ContainerRow) => (r.removedAt ? 'removed' : r.state) },
            // Its image's two figures; `-` when the image has no scan (or is unresolved).
            {
              header: 'vulnerabilities C/H/M/L/U',
              value: (r: ContainerRow) => {
                const s = summaryOf.get(r);
                return s ? chml(s.vulnerabilities) : '-';
              },
            },
            {
              header: 'findings C/H/M/L/U',
              value: (r: ContainerRow) => {
                const s = summaryOf.get(r);
                return s ? chml(s.findings) : '-';
              },
            },
            { header: 'last seen', value: (r: ContainerRow) => r.lastSeen },
          ],
          footer: [`${rows.length} container${rows.length === 1 ? '' : 's'}`],
        };
      }),
    );
}
