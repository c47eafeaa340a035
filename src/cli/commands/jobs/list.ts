// `runsight jobs [--failed] [--limit N]`: the queue's jobs, newest first; `jobs run` (run.ts) is
// added here too, so that one file owns the `jobs` command (command-manifest.ts). The JSON fields are a
// contract: id, kind, key, state (queued|active|completed|failed|retry), attempts, createdAt,
// startedAt, finishedAt, error. docs/operations.md.
import { type Command, InvalidArgumentError } from 'commander';
import { listJobs, listNotificationLogByIds } from '../../../store/index.js';
import { group, type Run } from '../../main.js';
import { jobsPrintable } from './jobs-printable.js';
import { addJobsRunCommand } from './run.js';

export const JOBS_GROUP = 'background jobs: list them, run one now';

function limitArg(v: string): number {
  if (!/^[1-9]\d{0,5}$/.test(v)) throw new InvalidArgumentError('expected a whole number from 1 to 999999');
  return Number(v);
}

export function registerJobsListCommand(program: Command, run: Run): void {
  const jobs = group(program, 'jobs', JOBS_GROUP);
  jobs
    .option('--failed', 'only jobs whose last attempt failed (failed, or waiting to retry)')
    .option('--limit <n>', 'at most this many, newest first (default 200)', limitArg)
    .action(
      run(async (ctx, flags: { failed?: boolean; limit?: number }) => {
        const store = await ctx.store();
        const jobs = await listJobs(store, { failed: flags.failed, limit: flags.limit });
        // notifications.deliver jobs: what they deliver (rule, event, destination host, last error).
        const ids = jobs.filter((j) => j.kind === 'notifications.deliver' && /^\d+$/.test(j.key ?? ''));
        const rows = await listNotificationLogByIds(
          store,
          ids.map((j) => Number(j.key)),
        );
        return jobsPrintable(jobs, new Map(rows.map((r) => [String(r.id), r])));
      }),
    );
  addJobsRunCommand(jobs, run);
}
