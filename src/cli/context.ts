// What every command gets: the global options resolved against the environment and the config
// file, a logger, the output format, a lazily opened store (closed when the command ends) and an
// AbortSignal fired on SIGINT/SIGTERM. Commands hold no business logic: they call stage functions.
import type { Logger, LogLevel } from '../core/logger.js';
import { openStore, type Store } from '../store/index.js';
import { loadConfig, type RunsightConfig } from './config.js';
import { createStderrLogger } from './logger.js';
import type { OutputFormat } from './output.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  format: OutputFormat;
  logLevel: LogLevel;
  config?: string;
  readOnly?: boolean;
  insecureRegistry: string[];
}

export interface CliContext {
  format: OutputFormat;
  config: RunsightConfig;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Registries to reach over plain HTTP: --insecure-registry, RUNSIGHT_INSECURE_REGISTRIES, config. */
  insecureRegistries: string[];
  /** Opens (once) and returns the store; it is closed when the command returns. */
  store(): Promise<Store>;
  /** Writes machine output to stdout. */
  print(text: string): void;
  /** True when stderr is a terminal: progress may be drawn there. */
  interactive: boolean;
  /** Draws a one-line progress message on stderr when it is a terminal; a no-op otherwise. */
  progress(message: string): void;
}

export interface ContextIo {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrIsTTY: boolean;
  signal: AbortSignal;
}

export function createContext(opts: GlobalOptions, io: ContextIo): CliContext & { close(): Promise<void> } {
  const config = loadConfig(opts.config ?? io.env.RUNSIGHT_CONFIG);
  const logger = createStderrLogger(opts.logLevel, io.stderr);
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
  let opened: Promise<Store> | undefined;
  let progressShown = false;
  return {
    format: opts.format,
    config,
    logger,
    env: io.env,
    signal: io.signal,
    insecureRegistries: [...new Set(insecure)],
    interactive: io.stderrIsTTY,
    print: io.stdout,
    progress(message: string) {
      if (!io.stderrIsTTY) return;
      progressShown = message.length > 0;
      io.stderr(`\r\x1b[2K${message.slice(0, 200)}`);
    },
    store() {
      opened ??= openStore({
        databaseUrl: opts.databaseUrl ?? io.env.DATABASE_URL ?? config.store?.databaseUrl,
        dataDir: opts.dataDir ?? io.env.RUNSIGHT_DATA_DIR ?? config.store?.dataDir,
        readOnly: opts.readOnly || io.env.RUNSIGHT_READ_ONLY === '1' || io.env.RUNSIGHT_READ_ONLY === 'true',
      });
      return opened;
    },
    async close() {
      if (progressShown) io.stderr('\r\x1b[2K');
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
