// `runsight jobs run NAME [--key REF]`: runs one job of a kind now, in this process, and prints it
// as `runsight jobs` does (exit 3 when it failed). NAME is a job kind (inventory.collect,
// advisories.update, scan.in-use, scan.image, posture.maintain) or a cadence (inventory,
// advisories, scan); scan.image needs --key, the image reference to scan.
import type { Command } from 'commander';
import { RunsightError, UsageError } from '../../../core/errors.js';
import {
  CADENCE_KINDS,
  type CadenceName,
  isJobKind,
  JOB_KINDS,
  openJobQueue,
  runJobNow,
  stageHandlers,
} from '../../../jobs/index.js';
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
      .option('--key <ref>', 'scan.image: the image reference to scan'),
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
      const queue = await openJobQueue(deps.store, { logger: ctx.logger, supervise: false });
      try {
        const row = await runJobNow(
          { store: deps.store, queue, handlers: stageHandlers({ ...deps, queue }), signal: ctx.signal },
          kind,
          kind === 'scan.image' ? { reference: flags.key } : {},
          kind === 'scan.image' ? flags.key : undefined,
        );
        const out = jobsPrintable([row]);
        if (row.state === 'completed') return out;
        ctx.print(render(ctx.format, out));
        throw new RunsightError(`${kind} job ${row.id} ${row.state}: ${row.error ?? 'no error recorded'}`);
      } finally {
        await queue.stop({ timeoutMs: 5_000 });
      }
    }),
  );
}
