// `runsight jobs run NAME [--key REF]`: runs one job of a kind now, in this process, and prints it
// as `runsight jobs` does (exit 3 when it failed). NAME is a job kind (inventory.collect,
// advisories.update, scan.in-use, scan.image, posture.maintain) or a cadence (inventory,
// advisories, scan); scan.image needs --key, the image reference to scan. imports.directory runs one
// job per report file ready in the watched directory, imports.trivy-operator one per cluster.
import type { Command } from 'commander';
import { RunsightError, UsageError } from '../../../core/errors.js';
import {
  CADENCE_KINDS,
  type CadenceName,
  directoryImportJobs,
  isJobKind,
  JOB_KINDS,
  type JobKind,
  type JobsDeps,
  openJobQueue,
  runJobNow,
  stageHandlers,
  trivyOperatorImportJobs,
} from '../../../jobs/index.js';
import type { JobRow } from '../../../store/index.js';
import type { Run } from '../../main.js';
import { render } from '../../output.js';
import { jobDepsFromContext, jobSourceOptions, type WorkerFlags } from '../worker.js';
import { jobsPrintable } from './jobs-printable.js';

/** Adds `run` under the `jobs` command (list.ts registers both: one file owns the group). */
export function addJobsRunCommand(jobs: Command, run: Run): void {
  jobSourceOptions(
    jobs
      .command('run')
      .description('run one job now: a kind (scan.in-use…) or a cadence (inventory, advisories, scan)')
      .argument('<name>', `${JOB_KINDS.join(', ')}, or inventory, advisories, scan`)
      .option(
        '--key <ref>',
        'scan.image: the image reference to scan; imports.trivy-operator: the cluster (default: every configured one)',
      ),
  ).action(
    run(async (ctx, name: string, flags: WorkerFlags & { key?: string }) => {
      const kind = isJobKind(name)
        ? name
        : Object.hasOwn(CADENCE_KINDS, name)
          ? CADENCE_KINDS[name as CadenceName]
          : undefined;
      if (!kind)
        throw new UsageError(
          `unknown job "${name}": expected one of ${JOB_KINDS.join(', ')}, or a cadence (inventory, advisories, scan)`,
        );
      if (kind === 'scan.image' && !flags.key)
        throw new UsageError('jobs run scan.image needs --key REF, e.g. --key registry.example/app@sha256:…');
      const deps = await jobDepsFromContext(ctx, flags, false);
      const jobs = await jobsToRun(kind, deps, flags.key);
      const queue = await openJobQueue(deps.store, { logger: ctx.logger, supervise: false });
      try {
        const handlers = stageHandlers({ ...deps, queue });
        const rows: JobRow[] = [];
        for (const j of jobs)
          rows.push(
            await runJobNow({ store: deps.store, queue, handlers, signal: ctx.signal }, kind, j.data, j.key),
          );
        const out = jobsPrintable(rows);
        const bad = rows.filter((r) => r.state !== 'completed');
        if (!bad.length) return out;
        ctx.print(render(ctx.format, out));
        throw new RunsightError(
          bad.map((r) => `${kind} job ${r.id} ${r.state}: ${r.error ?? 'no error recorded'}`).join('; '),
        );
      } finally {
        await queue.stop({ timeoutMs: 5_000 });
      }
    }),
  );
}

/**
 * The jobs `jobs run KIND` runs: one, except for the imports — imports.directory runs one job per
 * report file ready in the watched directory (none: nothing to do), imports.trivy-operator one per
 * configured cluster (or the one `--key` names).
 */
async function jobsToRun(
  kind: JobKind,
  deps: JobsDeps,
  key: string | undefined,
): Promise<{ key?: string | undefined; data: Record<string, unknown> }[]> {
  if (kind === 'imports.directory') {
    const dir = deps.imports?.directory;
    if (!dir) throw new UsageError('jobs run imports.directory needs imports.directory in the config');
    return directoryImportJobs(dir, new Date());
  }
  if (kind === 'imports.trivy-operator') {
    const all = trivyOperatorImportJobs(deps.imports?.trivyOperator);
    if (!all.length)
      throw new UsageError('jobs run imports.trivy-operator needs imports.trivyOperator in the config');
    const some = key === undefined ? all : all.filter((j) => j.key === key);
    if (!some.length)
      throw new UsageError(
        `no imports.trivyOperator cluster named "${key}" (configured: ${all.map((j) => j.key).join(', ')})`,
      );
    return some;
  }
  if (kind === 'scan.image') return [{ key, data: { reference: key } }];
  return [{ data: {} }];
}
