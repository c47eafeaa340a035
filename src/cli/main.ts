// The `runsight` command line: global options, the explicit list of commands, and the mapping from
// errors to exit codes (0 ok, 1 findings gate tripped, 2 usage or input error, 3 runtime failure).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { RunsightError } from '../core/errors.js';
import type { LogLevel } from '../core/logger.js';
import { registerContainerShowCommand } from './commands/container/show.js';
import { registerContainersCommand } from './commands/containers.js';
import { registerDbStatusCommand } from './commands/db/status.js';
import { registerDbSyncCommand } from './commands/db/sync.js';
import { registerDbUpdateCommand } from './commands/db/update.js';
import { registerDemoCommand } from './commands/demo/demo.js';
import { registerImageDiffCommand } from './commands/image/diff.js';
import { registerImageResolveCommand } from './commands/image/resolve.js';
import { registerImageShowCommand } from './commands/image/show.js';
import { registerImportCommand } from './commands/import.js';
import { registerInventoryCommand } from './commands/inventory.js';
import { registerPostureCommand } from './commands/posture.js';
import { registerRegistryCommand } from './commands/registry.js';
import { registerScanCommand } from './commands/scan.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerVulnShowCommand } from './commands/vuln/show.js';
import { registerVulnWhereCommand } from './commands/vuln/where.js';
import { registerWorkloadShowCommand } from './commands/workload/show.js';
import { type CliContext, type ContextIo, createContext, type GlobalOptions } from './context.js';
import { type Printable, render } from './output.js';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** A command body: returns what to print (or nothing) and may throw typed errors. */
// biome-ignore lint/suspicious/noExplicitAny: positional arguments are typed by each command.
export type Handler<A extends any[]> = (
  ctx: CliContext,
  ...args: A
  // biome-ignore lint/suspicious/noExplicitAny: each command prints its own row type.
) => Promise<Printable<any> | undefined>;

/** Turns a handler into a commander action with the context built from the global options. */
// biome-ignore lint/suspicious/noExplicitAny: commander hands positional arguments untyped.
export type Run = <A extends any[]>(handler: Handler<A>) => (...args: any[]) => Promise<void>;

/**
 * The command group `name` (e.g. `db`, `image`), created on first use, so that each subcommand's
 * file (commands/db/status.ts, commands/db/update.ts…) adds itself to one group. The first call's
 * description is the group's: every file of a group passes the same one.
 */
export function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/**
 * Every command, in help order: one `register…(program, run)` per file under commands/, named after
 * the command it registers (commands/db/update.ts: `db update`). A group takes its place in the help
 * at its first subcommand here, and lists its subcommands in the order they appear here.
 */
const COMMANDS: ((program: Command, run: Run) => void)[] = [
  registerDemoCommand,
  registerDbStatusCommand,
  registerDbSyncCommand,
  registerDbUpdateCommand,
  registerImageResolveCommand,
  registerRegistryCommand,
  registerImportCommand,
  registerImageShowCommand,
  registerScanCommand,
  registerInventoryCommand,
  registerContainersCommand,
  registerPostureCommand,
  registerContainerShowCommand,
  registerWorkloadShowCommand,
  registerVulnWhereCommand,
  registerImageDiffCommand,
  registerValidateCommand,
  registerVulnShowCommand,
];

export async function main(argv: string[], io: ContextIo): Promise<number> {
  const program = new Command('runsight')
    .description(
      'Container vulnerability posture without a runtime scanner: scan images once per digest, collect running containers, propagate findings.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--data-dir <dir>', 'PGlite data directory (env RUNSIGHT_DATA_DIR)'))
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL server URL; wins over --data-dir (env DATABASE_URL)'),
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'),
    )
    .addOption(
      new Option('--log-level <level>', 'stderr log level')
        .choices(['debug', 'info', 'warn', 'error', 'silent'])
        .default('warn'),
    )
    .addOption(new Option('--config <file>', 'YAML config file (env RUNSIGHT_CONFIG)'))
    .addOption(
      new Option(
        '--read-only',
        'open the store read-only: views work, any write is refused (env RUNSIGHT_READ_ONLY=1)',
      ),
    )
    .addOption(
      new Option('--insecure-registry <host[:port]>', 'reach this registry over plain HTTP (repeatable)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  let exitCode = 0;
  const run: Run =
    <A extends unknown[]>(handler: Handler<A>) =>
    async (...args: unknown[]) => {
      const ctx = createContext(program.opts<GlobalOptions>(), io);
      try {
        // commander passes (...positional, options, command): hand the handler everything but the command.
        const result = await handler(ctx, ...(args.slice(0, -1) as A));
        if (result) io.stdout(render(ctx.format, result));
      } finally {
        await ctx.close();
      }
    };
  for (const register of COMMANDS) register(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    exitCode = exitCodeFor(err, io);
  }
  return exitCode;
}

function exitCodeFor(err: unknown, io: ContextIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    if (err.code === 'commander.help') return 0;
    return 2; // commander already printed the reason
  }
  if (err instanceof RunsightError) {
    io.stderr(`runsight: ${err.message}\n`);
    return err.exitCode;
  }
  io.stderr(
    `runsight: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 3;
}

export function logLevelFrom(value: string | undefined): LogLevel {
  return (['debug', 'info', 'warn', 'error', 'silent'] as const).find((l) => l === value) ?? 'warn';
}
