// `runsight worker [--concurrency N]`: runs jobs (docs/operations.md) without the HTTP server until
// SIGINT/SIGTERM, then stops taking jobs and lets the running ones finish. With --schedule it also
// runs the cadences (as `serve` does). Several workers on several hosts share one PostgreSQL queue.
// `jobDepsFromContext` is what `serve` passes to startJobs as well.
import { type Command, InvalidArgumentError } from 'commander';
import { type JobsDeps, startJobs } from '../../jobs/index.js';
import { type MetricsListen, parseMetricsListen, startMetricsServer } from '../../reports/index.js';
import type { CliContext } from '../context.js';
import type { Run } from '../main.js';
import { postureConfig } from '../posture-format.js';

export interface WorkerFlags {
  concurrency?: number;
  registryConcurrency?: number;
  schedule?: boolean;
  kubernetes?: boolean;
  kubeContext?: string[];
  dockerHost?: string[];
  advisorySource?: string[];
  metricsListen?: MetricsListen;
}

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function positiveInt(v: string): number {
  if (!/^[1-9]\d{0,3}$/.test(v)) throw new InvalidArgumentError('expected a whole number from 1 to 9999');
  return Number(v);
}

/** The job system's dependencies from the command's context and flags. */
export async function jobDepsFromContext(
  ctx: CliContext,
  flags: WorkerFlags,
  schedule: boolean,
): Promise<JobsDeps> {
  return {
    store: await ctx.store(),
    logger: ctx.logger,
    env: ctx.env,
    posture: postureConfig(ctx),
    inventoryKeys: ctx.config.inventory,
    inventory: {
      kubernetes: [
        ...(ctx.config.inventory?.kubernetes ?? []),
        ...(flags.kubernetes ? [{}] : []),
        ...(flags.kubeContext ?? []).map((context) => ({ context })),
      ],
      docker: [
        ...(ctx.config.inventory?.docker ?? []),
        ...(flags.dockerHost ?? []).map((host) => ({ host })),
      ],
    },
    advisorySources: flags.advisorySource ?? [],
    feeds: ctx.config,
    scan: {
      limits: ctx.config.scan,
      includeOsOwned: ctx.config.scan?.includeOsOwned,
      sourceOptions: ctx.registryOptions,
    },
    registryConcurrency: flags.registryConcurrency,
    notifications: ctx.config.notifications,
    reports: ctx.config.reports,
    outbound: ctx.config.outbound,
    retention: ctx.config.retention,
    imports: ctx.config.imports,
    cadence: ctx.config.cadence ?? {},
    schedule,
    concurrency: flags.concurrency,
  };
}

/** The options that say what the jobs collect and update from (shared with `serve`). */
export function jobSourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--kubernetes',
      'inventory jobs collect the current kubeconfig context (or the in-cluster account)',
    )
    .option('--kube-context <name>', 'inventory jobs collect this kubeconfig context (repeatable)', repeat)
    .option('--docker-host <url>', 'inventory jobs collect this Docker Engine (repeatable)', repeat)
    .option(
      '--advisory-source <path|url>',
      'advisory jobs update from this source (repeatable; default: the configured feeds, docs/advisories.md)',
      repeat,
    )
    .option(
      '--registry-concurrency <n>',
      'scans at once per registry, across every worker (default 4)',
      positiveInt,
    );
}

export function registerWorkerCommand(program: Command, run: Run): void {
  jobSourceOptions(
    program
      .command('worker')
      .description(
        'run jobs (scans, inventory, advisory updates) without the HTTP server until SIGINT/SIGTERM',
      )
      .option('--concurrency <n>', 'scans at once in this process (default 2)', positiveInt)
      .option('--schedule', 'also run the cadences of the config (as serve does)')
      .option(
        '--metrics-listen <host:port>',
        "serve this process's Prometheus metrics on GET /metrics, unauthenticated (a bare port binds 127.0.0.1; docs/metrics.md)",
        (v: string) => {
          try {
            return parseMetricsListen(v);
          } catch (err) {
            throw new InvalidArgumentError((err as Error).message);
          }
        },
      ),
  ).action(
    run(async (ctx, flags: WorkerFlags) => {
      // Before the jobs: a listener that cannot bind stops the command before any job runs.
      const metrics = flags.metricsListen
        ? await startMetricsServer({ ...flags.metricsListen, store: await ctx.store(), logger: ctx.logger })
        : undefined;
      if (metrics) ctx.logger.info('metrics listening', { url: `${metrics.url}/metrics` });
      const jobs = await startJobs(await jobDepsFromContext(ctx, flags, flags.schedule ?? false));
      ctx.logger.info('worker running', { concurrency: flags.concurrency ?? 2 });
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      ctx.logger.info('stopping: waiting for running jobs');
      await jobs.stop();
      await metrics?.close();
      return undefined; // the store closes when the command returns
    }),
  );
}
