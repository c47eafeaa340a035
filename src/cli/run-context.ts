// What every command gets: the global options resolved against the environment and the config
// file, a logger, the output format, a lazily opened store (closed when the command ends) and an
// AbortSignal fired on SIGINT/SIGTERM. Commands hold no business logic: they call stage functions.
// Read commands go through `reader()`: the views over the local store, or with `--server`
// (RUNSIGHT_SERVER) the HTTP client of a `runsight serve` (token from RUNSIGHT_TOKEN or
// --token-file), with the same methods and documents; then the store is not opened at all.
// The config file is read by the caller (context.ts, or main.ts, which loads the config module —
// zod, yaml — only when a file is named), so a run without one never loads them.

import { readFileSync } from 'node:fs';
import { durationToMs } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { Logger, LogLevel } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { OpenImageSourceOptions } from '../identity/index.js';
import type { RunsightReader } from '../server/client.js';
import type { Store } from '../store/index.js';
import type { RunsightConfig } from './config.js';
import { createStderrLogger, redact } from './logger.js';
import { type OutputFormat, terminalText } from './output.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  format: OutputFormat;
  logLevel: LogLevel;
  config?: string;
  readOnly?: boolean;
  insecureRegistry: string[];
  /** Base URL of a `runsight serve` to read from instead of the local store (env RUNSIGHT_SERVER). */
  server?: string;
  /** File holding the API token for --server (else env RUNSIGHT_TOKEN). */
  tokenFile?: string;
}

export interface CliContext {
  format: OutputFormat;
  config: RunsightConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Registries to reach over plain HTTP: --insecure-registry, RUNSIGHT_INSECURE_REGISTRIES, config. */
  insecureRegistries: string[];
  /** Opens (once) and returns the store; it is closed when the command returns. Refused with --server. */
  store(): Promise<Store>;
  /**
   * The read commands' documents: the views over the local store, or with --server the server's
   * API through its client (src/server/client.ts), under the same method names.
   */
  reader(): Promise<RunsightReader>;
  /** The server URL when running in remote mode (--server / RUNSIGHT_SERVER). */
  server: string | undefined;
  /** Writes machine output to stdout. */
  print(text: string): void;
  /** True when stderr is a terminal: progress may be drawn there. */
  interactive: boolean;
  /** How to reach registries: plain-HTTP hosts, credentials, transfer limits, the logger. */
  registryOptions: RegistryOptions;
  /** Draws a one-line progress message on stderr when it is a terminal; a no-op otherwise. */
  progress(message: string): void;
  /**
   * A stage's progress (a ProgressSink): on a terminal a redrawn line with counts, bytes and an ETA
   * where computable; otherwise an `info` log line `progress` at most every progress interval
   * (10 s) per task, and one when the task completes.
   */
  reportProgress(p: Progress): void;
}

export interface ContextIo {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrIsTTY: boolean;
  signal: AbortSignal;
  /** Least time between two non-terminal progress log lines of one task (default 10 000 ms). */
  progressIntervalMs?: number | undefined;
  /** Clock for progress rates and intervals (default performance.now). */
  now?: (() => number) | undefined;
}

/** Default least time between two progress log lines of one task when stderr is not a terminal. */
export const PROGRESS_INTERVAL_MS = 10_000;

/** The config file named by --config or RUNSIGHT_CONFIG, if any. */
export function configFileOf(opts: GlobalOptions, io: Pick<ContextIo, 'env'>): string | undefined {
  return opts.config ?? io.env.RUNSIGHT_CONFIG;
}

/**
 * The context, with `loadConfig` reading the config file (a `warn` callback for its warnings);
 * called only when one is named.
 */
export function contextWith(
  opts: GlobalOptions,
  io: ContextIo,
  loadConfig: (file: string, warn: (msg: string) => void) => RunsightConfig,
  command?: string,
): CliContext & { close(): Promise<void> } {
  const logger = createStderrLogger(opts.logLevel, io.stderr);
  // Off a terminal, long work says how far it got even at the default level (`warn`): only
  // `--log-level error|silent` hides the periodic progress lines.
  const progressLogger =
    opts.logLevel === 'error' || opts.logLevel === 'silent' ? logger : createStderrLogger('info', io.stderr);
  const file = configFileOf(opts, io);
  const config = file ? loadConfig(file, (msg) => logger.warn(msg)) : {};
  const insecure = [
    ...opts.insecureRegistry,
    ...(io.env.RUNSIGHT_INSECURE_REGISTRIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    ...(config.insecureRegistries ?? []),
    ...Object.entries(config.registries ?? {})
      .filter(([, r]) => r.insecure)
      .map(([host]) => host),
  ];
  const databaseUrl = opts.databaseUrl ?? io.env.DATABASE_URL ?? config.store?.databaseUrl;
  const urlFrom =
    opts.databaseUrl !== undefined
      ? '--database-url'
      : io.env.DATABASE_URL !== undefined
        ? 'DATABASE_URL'
        : 'config key "store.databaseUrl"';
  // A bad flag fails before any work; a bad environment or config value when the store is opened.
  if (opts.databaseUrl !== undefined) checkDatabaseUrl(opts.databaseUrl, urlFrom);
  const server = opts.server ?? (io.env.RUNSIGHT_SERVER || undefined);
  if (server !== undefined && (opts.databaseUrl !== undefined || opts.dataDir !== undefined))
    throw new UsageError(
      `--server reads from a Runsight server; ${opts.databaseUrl !== undefined ? '--database-url' : '--data-dir'} names a local store: give one or the other`,
    );
  let opened: Promise<Store> | undefined;
  let reader: Promise<RunsightReader> | undefined;
  let progressShown = false;
  const now = io.now ?? (() => performance.now());
  const interval = io.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const tasks = new Map<string, { started: number; lastLog: number; lastDraw: number; logged: boolean }>();
  const drawLine = (message: string) => {
    progressShown = message.length > 0;
    io.stderr(`\r\x1b[2K${terminalText(message.slice(0, 200))}`); // names in it are untrusted
  };
  const context: CliContext & { close(): Promise<void> } = {
    format: opts.format,
    config,
    logger,
    env: io.env,
    signal: io.signal,
    insecureRegistries: [...new Set(insecure)],
    registryOptions: {
      insecureRegistries: [...new Set(insecure)],
      registriesConfig: config.registries,
      env: io.env,
      logger,
      blobTimeoutMs: durationToMs(config.registry?.blobTimeout),
      minThroughput: config.registry?.minThroughput,
      throughputWindowMs: durationToMs(config.registry?.throughputWindow),
    },
    interactive: io.stderrIsTTY,
    print: io.stdout,
    progress(message: string) {
      if (!io.stderrIsTTY) return;
      drawLine(message);
    },
    reportProgress(p: Progress) {
      const t = now();
      let task = tasks.get(p.task);
      if (!task) {
        task = { started: t, lastLog: t, lastDraw: Number.NEGATIVE_INFINITY, logged: false };
        tasks.set(p.task, task);
      }
      const finished = p.total !== undefined && p.done >= p.total;
      const eta = etaSeconds(p, (t - task.started) / 1000);
      if (io.stderrIsTTY) {
        if (!finished && t - task.lastDraw < 100) return; // at most 10 redraws a second
        task.lastDraw = t;
        drawLine(progressLine(p, eta));
        return;
      }
      if (finished) tasks.delete(p.task);
      // A periodic line once the interval has passed; the closing line only for work that was
      // long enough to have shown one (short commands stay quiet).
      if (finished ? !task.logged : t - task.lastLog < interval) return;
      task.lastLog = t;
      task.logged = true;
      progressLogger.info('progress', {
        task: p.task,
        done: p.done,
        total: p.total ?? null,
        unit: p.unit,
        bytes: p.bytes ?? null,
        totalBytes: p.totalBytes ?? null,
        etaSeconds: eta ?? null,
      });
    },
    server,
    reader() {
      reader ??= server
        ? import('../server/client.js').then(({ createClient }) => {
            const token = tokenFor(opts, io.env);
            const client = createClient({ url: server, token, signal: io.signal });
            if (token && /^http:\/\/(?!(localhost|127\.[\d.]+|\[::1\])(:\d+)?(\/|$))/i.test(server))
              logger.warn('the API token goes over plain HTTP to a server off this machine: use https://');
            return client;
          })
        : Promise.all([context.store(), import('./reader.js')]).then(([store, { localReader }]) =>
            localReader(store, context),
          );
      return reader;
    },
    store() {
      if (server) throw new UsageError(remoteRefusal(command));
      if (databaseUrl) checkDatabaseUrl(databaseUrl, urlFrom);
      // Imported here: a command that never opens the store never loads it (kysely, PGlite, pg).
      opened ??= import('../store/index.js').then(({ openStore }) =>
        openStore({
          databaseUrl,
          dataDir: opts.dataDir ?? io.env.RUNSIGHT_DATA_DIR ?? config.store?.dataDir,
          readOnly:
            opts.readOnly || io.env.RUNSIGHT_READ_ONLY === '1' || io.env.RUNSIGHT_READ_ONLY === 'true',
          onProgress: (p) => context.reportProgress(p),
        }),
      );
      return opened;
    },
    async close() {
      if (progressShown) io.stderr('\r\x1b[2K');
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
  return context;
}

/** Write commands and the API route that does their work on a server. */
const API_ROUTES: Record<string, string> = {
  scan: 'POST /api/v1/scans',
  import: 'POST /api/v1/imports',
  inventory: 'POST /api/v1/inventory/{source}/batches',
};

/** Why a command that needs the local store does not run with --server, and what to do instead. */
export function remoteRefusal(command: string | undefined): string {
  const name = command ?? 'this command';
  const route = command ? API_ROUTES[command.split(' ')[0]!] : undefined;
  return `\`${name}\` runs locally, on the local store; with --server (RUNSIGHT_SERVER) only the read commands (containers, posture, container show, workload show, vuln show, vuln where, image show, validate) go to the server${route ? `: use the API's ${route}` : ''}, or run it without --server`;
}

/**
 * The API token for --server: the file named by --token-file, else RUNSIGHT_TOKEN. Never a flag
 * value: argv is visible to every user of the machine (ps, /proc/PID/cmdline) and kept in shell history.
 */
export function tokenFor(opts: Pick<GlobalOptions, 'tokenFile'>, env: NodeJS.ProcessEnv): string | undefined {
  if (opts.tokenFile === undefined) return env.RUNSIGHT_TOKEN?.trim() || undefined;
  let text: string;
  try {
    text = readFileSync(opts.tokenFile, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--token-file ${JSON.stringify(opts.tokenFile)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a file holding the API token`,
    );
  }
  const token = text.trim();
  if (!token || /\s/.test(token))
    throw new UsageError(
      `--token-file ${JSON.stringify(opts.tokenFile)} expected one token on one line (as printed by "runsight token create")`,
    );
  return token;
}

/** A PostgreSQL server is named by a postgres:// or postgresql:// URL; anything else is refused. */
export function checkDatabaseUrl(url: string, from: string): void {
  let ok = /^postgres(ql)?:\/\//i.test(url);
  if (ok) {
    try {
      new URL(url);
    } catch {
      ok = false;
    }
  }
  if (ok) return;
  const shown = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? String(redact(url)) : url.replace(/^[^@]*@/, '***@');
  throw new UsageError(
    `${from} expects a PostgreSQL URL such as postgres://user@localhost:5432/runsight (or postgresql://…); got ${JSON.stringify(shown)}`,
  );
}

/** Seconds left at the rate so far (by bytes when their total is known, else by units). */
export function etaSeconds(p: Progress, elapsedSeconds: number): number | undefined {
  const [done, total] =
    p.totalBytes !== undefined && p.bytes !== undefined ? [p.bytes, p.totalBytes] : [p.done, p.total];
  if (total === undefined || done <= 0 || elapsedSeconds <= 0) return undefined;
  return Math.max(0, Math.round(((total - done) * elapsedSeconds) / done));
}

/** `scan app:1 linux/amd64: 3/5 layers, 12.0/40.0 MiB, ETA 0:07`. */
export function progressLine(p: Progress, eta: number | undefined): string {
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  const parts = [`${p.done}${p.total !== undefined ? `/${p.total}` : ''} ${p.unit}`];
  if (p.bytes !== undefined)
    parts.push(`${mib(p.bytes)}${p.totalBytes !== undefined ? `/${mib(p.totalBytes)}` : ''} MiB`);
  if (eta !== undefined) parts.push(`ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}`);
  return `${p.task}: ${parts.join(', ')}`;
}

/** Options every registry-facing stage call takes (identity's OpenImageSourceOptions). */
export type RegistryOptions = Pick<
  OpenImageSourceOptions,
  | 'insecureRegistries'
  | 'registriesConfig'
  | 'env'
  | 'logger'
  | 'blobTimeoutMs'
  | 'minThroughput'
  | 'throughputWindowMs'
>;
