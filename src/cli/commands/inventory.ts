// `runsight inventory …`: collect running containers from Kubernetes and Docker, import CMDB files,
// watch sources until stopped (SIGINT/SIGTERM end a watch cleanly), and show freshness per source.
// Thin: every step is a function of src/inventory.
import { basename, extname } from 'node:path';
import { type Command, Option } from 'commander';
import { RunsightError } from '../../core/errors.js';
import {
  collectDockerInventory,
  collectKubernetesInventory,
  dockerSource,
  importCmdbFile,
  kubernetesTargets,
  metadataKeys,
  type SourceResult,
  watchDockerInventory,
  watchKubernetesInventory,
} from '../../inventory/index.js';
import { listInventorySources } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { group, type Run } from '../main.js';
import { type Printable, render } from '../output.js';
import { maintain } from '../posture-format.js';

interface KubernetesFlags {
  kubeconfig?: string;
  context?: string;
  allContexts?: boolean;
  clusterName?: string;
  namespace?: string[];
}

interface DockerFlags {
  host?: string;
  name?: string;
}

const repeat = (v: string, prev: string[] = []) => [...prev, v];

function kubernetesFlags(cmd: Command): Command {
  return cmd
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)',
    )
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--all-contexts', 'every context of the kubeconfig: one source per cluster')
    .option('--cluster-name <name>', 'name the cluster (the source) instead of the kubeconfig cluster name')
    .option('--namespace <ns>', 'only this namespace (repeatable; default: all namespaces)', repeat);
}

function dockerFlags(cmd: Command): Command {
  return cmd
    .option(
      '--host <url>',
      'Docker Engine API: unix:///path.sock, tcp://host:port, https://host:port (default: $DOCKER_HOST)',
    )
    .option('--name <name>', "source name (default: the daemon's host name)");
}

function keysOf(ctx: CliContext) {
  return metadataKeys(ctx.config.inventory);
}

function resultsPrintable(results: SourceResult[]): Printable<SourceResult> {
  return {
    json: results.map((r) => ({
      source: r.source,
      kind: r.kind,
      status: r.status,
      runId: r.runId ?? null,
      seen: r.seen,
      added: count(r, 'added'),
      changed: count(r, 'changed'),
      removed: count(r, 'removed'),
      errors: r.errors,
      // Only when a value was cleaned (control characters, invalid Unicode, length).
      ...(r.warnings?.length ? { warnings: r.warnings } : {}),
    })),
    rows: results,
    columns: [
      { header: 'source', value: (r) => r.source },
      { header: 'kind', value: (r) => r.kind },
      { header: 'status', value: (r) => r.status },
      { header: 'seen', value: (r) => r.seen },
      { header: 'added', value: (r) => count(r, 'added') },
      { header: 'changed', value: (r) => count(r, 'changed') },
      { header: 'removed', value: (r) => count(r, 'removed') },
      { header: 'errors', value: (r) => r.errors.length },
    ],
    footer: results.flatMap((r) => [
      ...r.errors.slice(0, 5).map((e) => `${r.source}: ${e.where ? `${e.where}: ` : ''}${e.message}`),
      ...(r.warnings ?? [])
        .slice(0, 5)
        .map((e) => `${r.source}: warning: ${e.where ? `${e.where}: ` : ''}${e.message}`),
    ]),
  };
}

/** How many ids of a kind a result has (its counts when the lists were omitted). */
function count(r: SourceResult, kind: 'added' | 'changed' | 'removed'): number {
  return r.counts?.[kind] ?? r[kind].length;
}

/**
 * Propagation: resolve the containers that came or changed (by id) and snapshot what moved. A result
 * too large to list its ids (a large CMDB import) takes the watermark pass instead, which finds the
 * unresolved and re-identified containers by itself.
 */
async function updatePosture(ctx: CliContext, results: SourceResult[]): Promise<void> {
  if (results.every((r) => r.status === 'failed')) return;
  if (results.some((r) => r.idsOmitted)) return maintain(ctx);
  await maintain(ctx, { containerIds: results.flatMap((r) => [...r.added, ...r.changed]) });
}

/**
 * While watching: bring posture up to date after each applied batch. One sync at a time; batches
 * that land during a sync are covered by one more sync after it (it catches up on everything since
 * the last one). A failed sync is logged and retried with the next batch; the watch goes on.
 */
function postureFollower(ctx: CliContext): { kick(): void; settled(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        await maintain(ctx);
      } catch (err) {
        ctx.logger.warn('posture update after a watch batch failed', { error: (err as Error).message });
      }
    } while (again && !ctx.signal.aborted);
    running = undefined;
  };
  return {
    kick() {
      if (running) again = true;
      else running = loop();
    },
    settled: () => running ?? Promise.resolve(),
  };
}

/** Prints the results, then fails (exit 3) if any source could not be collected at all. */
function finish(ctx: CliContext, results: SourceResult[]): undefined {
  ctx.print(render(ctx.format, resultsPrintable(results)));
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length) {
    throw new RunsightError(
      `${failed.length} of ${results.length} source${results.length > 1 ? 's' : ''} could not be collected: ${failed.map((f) => `${f.source} (${f.errors[0]?.message})`).join('; ')}`,
    );
  }
  return undefined;
}

export function registerInventoryCommand(program: Command, run: Run): void {
  const inventory = group(program, 'inventory', 'running containers: collect, import, watch, freshness');
  const collect = inventory.command('collect').description('collect the running containers of a source once');

  kubernetesFlags(
    collect.command('kubernetes').description('list every container of one or more Kubernetes clusters'),
  ).action(
    run(async (ctx, flags: KubernetesFlags) => {
      const targets = await kubernetesTargets({ ...flags, env: ctx.env });
      const store = await ctx.store();
      const results = await collectKubernetesInventory(store, targets, {
        namespaces: flags.namespace,
        keys: keysOf(ctx),
        signal: ctx.signal,
        logger: ctx.logger,
      });
      await updatePosture(ctx, results);
      return finish(ctx, results);
    }),
  );

  dockerFlags(
    collect.command('docker').description('list every container (all states) of a Docker Engine'),
  ).action(
    run(async (ctx, flags: DockerFlags) => {
      const { api, source } = await dockerSource(flags.host, flags.name, ctx.env);
      const result = await collectDockerInventory(await ctx.store(), api, source, {
        keys: keysOf(ctx),
        signal: ctx.signal,
        logger: ctx.logger,
      });
      await updatePosture(ctx, [result]);
      return finish(ctx, [result]);
    }),
  );

  inventory
    .command('import')
    .description('import a CMDB export (CSV, JSON or JSON Lines; schema in docs/inventory.md)')
    .argument('<file>', 'the export file')
    .option('--source-name <name>', 'source name (default: the file name without extension)')
    .option('--allow-partial', 'import the good rows of a file that has bad ones (nothing is closed then)')
    .option('--allow-empty', 'import a file without rows: every container of the source is closed')
    .addOption(
      new Option('--input-format <format>', 'file format (default: guessed from the content)').choices([
        'csv',
        'json',
        'jsonl',
      ]),
    )
    .action(
      run(
        async (
          ctx,
          file: string,
          flags: {
            sourceName?: string;
            allowPartial?: boolean;
            allowEmpty?: boolean;
            inputFormat?: 'csv' | 'json' | 'jsonl';
          },
        ) => {
          const sourceName = flags.sourceName ?? basename(file, extname(file));
          const result = await importCmdbFile(
            await ctx.store(),
            { path: file },
            {
              sourceName,
              allowPartial: flags.allowPartial,
              allowEmpty: flags.allowEmpty,
              format: flags.inputFormat,
              keys: keysOf(ctx),
              logger: ctx.logger,
              progress: ctx.reportProgress,
            },
          );
          for (const e of result.rowErrors)
            ctx.logger.warn('bad row skipped', { file, line: e.line, reason: e.reason });
          await updatePosture(ctx, [result]);
          return resultsPrintable([result]);
        },
      ),
    );

  const watch = inventory
    .command('watch')
    .description('follow a source until stopped (SIGINT/SIGTERM stop it cleanly)');

  kubernetesFlags(
    watch.command('kubernetes').description('list, then watch pods (bookmarks; 410 Gone lists again)'),
  ).action(
    run(async (ctx, flags: KubernetesFlags) => {
      const targets = await kubernetesTargets({ ...flags, env: ctx.env });
      const store = await ctx.store();
      const totals = new Map<string, SourceResult>();
      const posture = postureFollower(ctx);
      await Promise.all(
        targets.map((t) =>
          watchKubernetesInventory(
            store,
            t,
            { namespaces: flags.namespace, keys: keysOf(ctx), signal: ctx.signal, logger: ctx.logger },
            { onApplied: (r) => accumulate(ctx, totals, r, posture) },
          ),
        ),
      );
      await posture.settled();
      return resultsPrintable([...totals.values()]);
    }),
  );

  dockerFlags(watch.command('docker').description('list, then follow the Docker events stream')).action(
    run(async (ctx, flags: DockerFlags) => {
      const { api, source } = await dockerSource(flags.host, flags.name, ctx.env);
      const totals = new Map<string, SourceResult>();
      const posture = postureFollower(ctx);
      await watchDockerInventory(
        await ctx.store(),
        api,
        source,
        { keys: keysOf(ctx), signal: ctx.signal, logger: ctx.logger },
        { onApplied: (r) => accumulate(ctx, totals, r, posture) },
      );
      await posture.settled();
      return resultsPrintable([...totals.values()]);
    }),
  );

  inventory
    .command('sources')
    .description('inventory sources with their freshness: last observation, last run and its errors')
    .action(
      run(async (ctx) => {
        const sources = await listInventorySources(await ctx.store());
        const now = Date.now();
        type Row = (typeof sources)[number];
        return {
          json: sources,
          rows: sources,
          columns: [
            { header: 'source', value: (s: Row) => s.name },
            { header: 'kind', value: (s: Row) => s.kind },
            { header: 'live', value: (s: Row) => s.liveContainers },
            { header: 'last observed', value: (s: Row) => s.lastObservedAt },
            {
              header: 'age',
              value: (s: Row) => (s.lastObservedAt ? age(now - s.lastObservedAt.getTime()) : 'never'),
            },
            {
              header: 'last run',
              value: (s: Row) => (s.lastRun ? `${s.lastRun.mode} ${s.lastRun.status}` : ''),
            },
            { header: 'errors', value: (s: Row) => s.lastRun?.errors.length ?? 0 },
          ],
        };
      }),
    );
}

function accumulate(
  ctx: CliContext,
  totals: Map<string, SourceResult>,
  r: SourceResult & { mode: 'full' | 'delta' },
  posture: { kick(): void },
): void {
  if (r.added.length || r.changed.length || r.removed.length) posture.kick();
  ctx.logger.info(`inventory ${r.mode} applied`, {
    source: r.source,
    seen: r.seen,
    added: r.added.length,
    changed: r.changed.length,
    removed: r.removed.length,
    errors: r.errors.length,
  });
  const t = totals.get(r.source);
  if (!t) {
    totals.set(r.source, {
      ...r,
      added: [...r.added],
      changed: [...r.changed],
      removed: [...r.removed],
      errors: [...r.errors],
    });
    return;
  }
  t.seen += r.seen;
  t.added.push(...r.added);
  t.changed.push(...r.changed);
  t.removed.push(...r.removed);
  t.errors.push(...r.errors.slice(0, 100 - t.errors.length));
  if (r.status === 'partial') t.status = 'partial';
}

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}
