// `runsight serve [--listen HOST:PORT] [--tls-cert F --tls-key F]`: the HTTP API (docs/api.md) over
// the store this command opens — a PGlite data directory (the server owns it while it runs) or a
// PostgreSQL server (several serve processes may share one). It prints `listening on URL` on
// stdout, serves until SIGINT/SIGTERM, lets in-flight requests finish, then closes the store and
// exits 0. Unless --no-jobs, it also runs the job system (docs/operations.md): the cadences of the
// config and a worker over the queue — on PGlite the whole job system lives in this process.
import type { Command } from 'commander';
import { startJobs } from '../../jobs/index.js';
import { createApp } from '../../server/app.js';
import { authenticate, createOidcVerifier, createTokenVerifier } from '../../server/auth/index.js';
import { DEFAULT_LISTEN, startServer } from '../../server/serve.js';
import type { Store } from '../../store/index.js';
import type { CliContext } from '../context.js';
import type { Run } from '../main.js';
import { jobDepsFromContext, jobSourceOptions, positiveInt, type WorkerFlags } from './worker.js';

export interface ServeFlags extends WorkerFlags {
  /** false with --no-jobs: serve the API only (e.g. extra replicas beside `runsight worker`s). */
  jobs?: boolean;
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function registerServeCommand(program: Command, run: Run): void {
  jobSourceOptions(program.command('serve'))
    .description(
      'serve the HTTP API (docs/api.md) and run the cadences (docs/operations.md) until SIGINT/SIGTERM',
    )
    .option('--no-jobs', 'serve the API only: no cadences, no worker in this process')
    .option('--concurrency <n>', 'jobs at once in this process (default 2)', positiveInt)
    .option('--listen <host:port>', `where to listen (config server.listen; default ${DEFAULT_LISTEN})`)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key (with --tls-cert)')
    .action(
      run(async (ctx, flags: ServeFlags) => {
        await serveUntilStopped(ctx, await ctx.store(), flags);
        return undefined; // the store closes when the command returns
      }),
    );
}

/**
 * Serves `store` (the API, the dashboard and, unless `flags.jobs` is false, the job system) until
 * the command's signal fires; prints `listening on URL` and lets in-flight requests finish. `serve`
 * and `demo --serve` both run it.
 */
export async function serveUntilStopped(ctx: CliContext, store: Store, flags: ServeFlags): Promise<void> {
  const server = ctx.config.server ?? {};
  const deps = {
    tokens: createTokenVerifier(store),
    oidc: server.oidc ? createOidcVerifier(server.oidc) : undefined,
  };
  const app = createApp({
    store,
    config: ctx.config,
    authenticate: (header) => authenticate(deps, header),
    logger: ctx.logger,
    // No signal for the requests: on SIGTERM the in-flight ones finish (a second signal exits at once).
  });
  const running = await startServer(app, {
    listen: flags.listen ?? server.listen ?? DEFAULT_LISTEN,
    tlsCert: flags.tlsCert ?? server.tlsCert,
    tlsKey: flags.tlsKey ?? server.tlsKey,
  });
  const jobs = flags.jobs === false ? undefined : await startJobs(await jobDepsFromContext(ctx, flags, true));
  ctx.print(`listening on ${running.url}\n`);
  ctx.logger.info('listening', { url: running.url, store: store.kind });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  ctx.logger.info('stopping: waiting for in-flight requests');
  await running.close();
  await jobs?.stop();
  await deps.tokens.flush();
}
