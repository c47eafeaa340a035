// The `runsight` command line: global options, the explicit list of commands, and the mapping from
// errors to exit codes (0 ok, 1 findings gate tripped, 2 usage or input error, 3 runtime failure,
// 4 completed with failures, 130/143 interrupted by SIGINT/SIGTERM). An error is one stderr line;
// its stack only at `--log-level debug`.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { InterruptedError, RunsightError, UsageError } from '../core/errors.js';
import type { LogLevel } from '../core/logger.js';
import {
  addStandIns,
  buildManifest,
  type CommandManifest,
  fileFor,
  guardStandIns,
  readManifest,
  StubReached,
} from './command-manifest.js';
import { type Printable, render, terminalText } from './output.js';
import type { CliContext, ContextIo, GlobalOptions } from './run-context.js';

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

type Register = (program: Command, run: Run) => void;

/** Formats only `runsight report` writes (the global --format carries them). */
const REPORT_ONLY_FORMATS: readonly string[] = ['html', 'sarif', 'cyclonedx', 'openvex'];

/**
 * Every command file, in help order: one `register…(program, run)` per file under commands/, named
 * after the command it registers (commands/db/update.ts: `db update`). A group takes its place in
 * the help at its first subcommand here, and lists its subcommands in the order they appear here.
 * Each is imported only when a run needs it (command-manifest.ts).
 */
export const COMMANDS: (() => Promise<Register>)[] = [
  async () => (await import('./commands/demo/demo.js')).registerDemoCommand,
  async () => (await import('./commands/db/status.js')).registerDbStatusCommand,
  async () => (await import('./commands/db/sync.js')).registerDbSyncCommand,
  async () => (await import('./commands/db/update.js')).registerDbUpdateCommand,
  async () => (await import('./commands/image/resolve.js')).registerImageResolveCommand,
  async () => (await import('./commands/registry.js')).registerRegistryCommand,
  async () => (await import('./commands/import.js')).registerImportCommand,
  async () => (await import('./commands/image/show.js')).registerImageShowCommand,
  async () => (await import('./commands/scan.js')).registerScanCommand,
  async () => (await import('./commands/sbom/convert.js')).registerSbomConvertCommand,
  async () => (await import('./commands/inventory.js')).registerInventoryCommand,
  async () => (await import('./commands/containers.js')).registerContainersCommand,
  async () => (await import('./commands/posture.js')).registerPostureCommand,
  async () => (await import('./commands/report.js')).registerReportCommand,
  async () => (await import('./commands/container/show.js')).registerContainerShowCommand,
  async () => (await import('./commands/workload/show.js')).registerWorkloadShowCommand,
  async () => (await import('./commands/worker.js')).registerWorkerCommand,
  async () => (await import('./commands/jobs/list.js')).registerJobsListCommand,
  async () => (await import('./commands/vuln/where.js')).registerVulnWhereCommand,
  async () => (await import('./commands/image/diff.js')).registerImageDiffCommand,
  async () => (await import('./commands/validate.js')).registerValidateCommand,
  async () => (await import('./commands/serve.js')).registerServeCommand,
  async () => (await import('./commands/agent.js')).registerAgentCommand,
  async () => (await import('./commands/vuln/show.js')).registerVulnShowCommand,
  async () => (await import('./commands/token/create.js')).registerTokenCreateCommand,
  async () => (await import('./commands/token/list.js')).registerTokenListCommand,
  async () => (await import('./commands/token/revoke.js')).registerTokenRevokeCommand,
];

/** The manifest written by the build beside the built main.js (undefined when running from source). */
let manifestRead: CommandManifest | undefined | null = null;
function manifest(): CommandManifest | undefined {
  if (manifestRead === null) manifestRead = readManifest(import.meta.url);
  return manifestRead;
}

export async function main(argv: string[], io: ContextIo, commands = manifest()): Promise<number> {
  try {
    return await mainWith(argv, io, commands);
  } catch (err) {
    if (!(err instanceof StubReached)) throw err;
    return mainWith(argv, io, undefined); // a stand-in was reached: again with every file loaded
  }
}

/** The program with its global options and no command (the build's manifest writer uses it too). */
export function createProgram(io: Pick<ContextIo, 'stdout' | 'stderr'>): Command {
  return new Command('runsight')
    .description(
      'Container vulnerability posture without a runtime scanner: scan images once per digest, collect running containers, propagate findings.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--data-dir <dir>', 'PGlite data directory (env RUNSIGHT_DATA_DIR)'))
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL server URL; wins over --data-dir (env DATABASE_URL)'),
    )
    .addOption(
      new Option('--format <format>', 'output format (html, sarif, cyclonedx, openvex: `report` only)')
        .choices(['table', 'json', 'csv', ...REPORT_ONLY_FORMATS])
        .default('table'),
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
    .addOption(
      new Option(
        '--server <url>',
        'read commands ask this `runsight serve` instead of the local store; token from env RUNSIGHT_TOKEN (env RUNSIGHT_SERVER)',
      ),
    )
    .addOption(
      new Option(
        '--token-file <file>',
        'file holding the API token for --server (instead of env RUNSIGHT_TOKEN; never a flag value)',
      ),
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

/**
 * Runs `argv` with the command file it names loaded and stand-ins for the others (every file when
 * there is no manifest). A stand-in that is reached throws StubReached out of here.
 */
async function mainWith(
  argv: string[],
  io: ContextIo,
  commands: CommandManifest | undefined,
): Promise<number> {
  const program = createProgram(io);
  let exitCode = 0;
  const run: Run =
    <A extends unknown[]>(handler: Handler<A>) =>
    async (...args: unknown[]) => {
      // Loaded when a command runs, and the config module (zod, yaml) only when a file is named.
      const { configFileOf, contextWith } = await import('./run-context.js');
      const opts = program.opts<GlobalOptions>();
      if (REPORT_ONLY_FORMATS.includes(opts.format) && commandPath(args.at(-1) as Command) !== 'report')
        throw new UsageError(
          `--format ${opts.format} is for \`runsight report\` only; use table, json or csv`,
        );
      const config = configFileOf(opts, io) ? await import('./config.js') : undefined;
      const ctx = contextWith(
        opts,
        io,
        (file, warn) => config!.loadConfig(file, warn),
        commandPath(args.at(-1) as Command),
      );
      try {
        // commander passes (...positional, options, command): hand the handler everything but the command.
        const result = await handler(ctx, ...(args.slice(0, -1) as A));
        if (result) io.stdout(render(ctx.format, result));
      } finally {
        await ctx.close();
      }
    };
  const needed = commands && fileFor(commands, argv, program);
  for (const [i, load] of COMMANDS.entries()) {
    if (commands && i !== needed) addStandIns(program, commands, i);
    else (await load())(program, run);
  }
  if (commands) guardStandIns(program);

  try {
    checkArguments(argv);
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof StubReached) throw err;
    exitCode = exitCodeFor(err, io, program.opts<Partial<GlobalOptions>>().logLevel === 'debug');
  }
  return exitCode;
}

/** The manifest of every command, from a program with every command file loaded (the build writes it). */
export async function commandManifest(fingerprint: string): Promise<CommandManifest> {
  const io = { stdout: () => {}, stderr: () => {} };
  const program = createProgram(io);
  const run: Run = () => async () => {};
  return buildManifest(
    program,
    COMMANDS.length,
    async (i) => (await COMMANDS[i]!())(program, run),
    fingerprint,
  );
}

/** `vuln where`: the names from the program down to `cmd`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Command-line arguments are text: a NUL byte (possible only in-process) is refused up front. */
function checkArguments(argv: string[]): void {
  const i = argv.findIndex((a) => a.includes('\0'));
  if (i >= 0)
    throw new UsageError(
      `argument ${i + 1} (${JSON.stringify(argv[i])}) contains a NUL byte; expected text without NUL bytes`,
    );
}

/**
 * Prints the one line that explains `err` and returns the exit code. A command stopped by a signal
 * ends with `runsight: interrupted (SIGTERM)` whatever error the abort surfaced as; an error that is
 * not a RunsightError is a bug: one line, and its stack only when `debug` is set.
 */
export function exitCodeFor(err: unknown, io: Pick<ContextIo, 'stderr' | 'signal'>, debug = false): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    if (err.code === 'commander.help') return 0;
    return 2; // commander already printed the reason
  }
  const stopped = io.signal.aborted && io.signal.reason instanceof InterruptedError;
  const shown = stopped ? (io.signal.reason as InterruptedError) : err;
  // Messages carry names from images, reports and clusters: escaped per line (multi-line
  // messages, such as a CMDB file's bad rows, keep their lines).
  const text =
    shown instanceof RunsightError ? shown.message : `unexpected failure: ${oneLine(messageOf(shown))}`;
  io.stderr(`runsight: ${text.split('\n').map(terminalText).join('\n')}\n`);
  if (debug) io.stderr(`${stackOf(err)}\n`);
  return shown instanceof RunsightError ? shown.exitCode : 3;
}

function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.message ? `${err.name}: ${err.message}` : err.name;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The stack of `err` and of each cause under it. */
function stackOf(err: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    lines.push(`${depth ? 'caused by: ' : ''}${e instanceof Error ? (e.stack ?? messageOf(e)) : String(e)}`);
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.join('\n');
}

export function logLevelFrom(value: string | undefined): LogLevel {
  return (['debug', 'info', 'warn', 'error', 'silent'] as const).find((l) => l === value) ?? 'warn';
}
