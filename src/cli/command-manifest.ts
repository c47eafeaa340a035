// Loading only the command a run names. Each file under commands/ imports its stage modules (the
// store, kysely, PGlite, zod schemas, the Kubernetes client…), so importing all of them costs about a
// second before any work. The build writes a manifest of every command (commands.json beside the
// built main.js: name, description, arguments, which file registers it); a run then imports the one
// file its arguments name and puts stand-ins for the others in the program, so `--help`, `--version`
// and the listings in error messages read exactly as with every file loaded. A stand-in that is
// reached anyway (its help shown, or its action dispatched) throws StubReached, and main() starts
// over with every file loaded. Without a manifest (running from source), or one that no longer
// matches the built files, every file is loaded, as before.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';

/** One command as the help of its parent shows it. */
export interface ManifestNode {
  /** Names from the program down, e.g. ["db", "status"]. */
  path: string[];
  description: string;
  summary: string;
  aliases: string[];
  /** Arguments as the help prints them: `<ref>`, `[files...]`. */
  args: string[];
  hasOptions: boolean;
  hidden: boolean;
  /** Index of the command file that created this command and everything under it; null when several add to it (a group). */
  owner: number | null;
}

export interface CommandManifest {
  /** sha256 of the built files the manifest describes (main.js and commands/**), relative path and content. */
  fingerprint: string;
  nodes: ManifestNode[];
}

export const MANIFEST_FILE = 'commands.json';

/** Thrown by a stand-in that was reached: the run starts over with every command file loaded. */
export class StubReached extends Error {
  constructor(path: string[]) {
    super(`command "${path.join(' ')}" was not loaded`);
  }
}

/**
 * The manifest of a program built with every command file, `register(i)` adding file i. The owner
 * of a command is the one file that created it and everything under it.
 */
export async function buildManifest(
  program: Command,
  files: number,
  register: (i: number) => Promise<void>,
  fingerprint: string,
): Promise<CommandManifest> {
  const createdBy = new Map<Command, number>();
  for (let i = 0; i < files; i++) {
    await register(i);
    for (const c of walk(program)) if (!createdBy.has(c)) createdBy.set(c, i);
  }
  const owner = (c: Command): number | null => {
    const own = new Set([c, ...walk(c)].map((x) => createdBy.get(x)));
    return own.size === 1 ? (createdBy.get(c) ?? null) : null;
  };
  const nodes: ManifestNode[] = [];
  const visit = (parent: Command, path: string[]) => {
    for (const c of parent.commands) {
      const p = [...path, c.name()];
      nodes.push({
        path: p,
        description: c.description(),
        summary: c.summary(),
        aliases: c.aliases(),
        args: c.registeredArguments.map((a) => {
          const name = `${a.name()}${a.variadic ? '...' : ''}`;
          return a.required ? `<${name}>` : `[${name}]`;
        }),
        hasOptions: c.options.length > 0,
        hidden: (c as unknown as { _hidden: boolean })._hidden === true,
        owner: owner(c),
      });
      visit(c, p);
    }
  };
  visit(program, []);
  return { fingerprint, nodes };
}

function walk(c: Command): Command[] {
  return c.commands.flatMap((s) => [s, ...walk(s)]);
}

/** The fingerprint of the built CLI in `dir` (dist/cli): main.js and every file under commands/. */
export function fingerprintOf(dir: string): string {
  const files = [join(dir, 'main.js'), ...jsFiles(join(dir, 'commands'))].sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${relative(dir, f)}\0`).update(readFileSync(f));
  return hash.digest('hex');
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/**
 * The manifest beside the module at `mainUrl`, when there is one and it describes the files there
 * now; otherwise undefined (every command file is loaded).
 */
export function readManifest(mainUrl: string): CommandManifest | undefined {
  if (!mainUrl.endsWith('.js')) return undefined; // running from source: no manifest
  const dir = fileURLToPath(new URL('.', mainUrl));
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as CommandManifest;
    return manifest.fingerprint === fingerprintOf(dir) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The command file that `argv` runs, found as commander will: the program's own options are
 * skipped wherever they stand (with their values), and the operands before the first other option
 * name the command, `help` standing for the command after it. Undefined when the arguments name no
 * single file's command (help, version, a group, an unknown name) or when they are unusual enough
 * (`--`, grouped short flags) to leave it unsure — then stand-ins do, or their StubReached loads all.
 */
export function fileFor(manifest: CommandManifest, argv: string[], program: Command): number | undefined {
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.length < 2 || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const option = program.options.find(
      (o) => o.long === (eq > 0 ? arg.slice(0, eq) : arg) || o.short === arg,
    );
    if (!option) break; // commander passes it and the rest on to the subcommand
    if (option.required && eq < 0) i++;
    else if (option.optional) return undefined;
  }
  let path: string[] = [];
  for (const name of operands) {
    const here = manifest.nodes.filter((n) => n.path.length === path.length + 1 && startsWith(n.path, path));
    const node = here.find((n) => n.path.at(-1) === name || n.aliases.includes(name));
    if (!node) {
      if (name === 'help') continue; // `help scan`, `db help status`
      return undefined;
    }
    if (node.owner !== null) return node.owner;
    path = node.path;
  }
  return undefined;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}

/**
 * Adds stand-ins for what command file `file` registers: each of its commands that sits directly
 * under the program or under a group several files share, with the same name, description,
 * arguments and `[options]` mark in its parent's help. Shared groups are created as `group()` does.
 */
export function addStandIns(program: Command, manifest: CommandManifest, file: number): void {
  const byPath = new Map(manifest.nodes.map((n) => [n.path.join(' '), n]));
  for (const node of manifest.nodes) {
    if (node.owner !== file) continue;
    const parentPath = node.path.slice(0, -1);
    const parentNode = byPath.get(parentPath.join(' '));
    if (parentNode && parentNode.owner !== null) continue; // under one of its own: not in any listing
    let parent = program;
    for (let k = 1; k <= parentPath.length; k++) {
      const group = byPath.get(parentPath.slice(0, k).join(' '))!;
      const name = group.path.at(-1)!;
      parent =
        parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(group.description);
    }
    const stub = parent.command(node.path.at(-1)!, { hidden: node.hidden }).description(node.description);
    if (node.summary) stub.summary(node.summary);
    for (const a of node.aliases) stub.alias(a);
    for (const a of node.args) stub.argument(a);
    if (node.hasOptions) stub.addOption(new Option('--stand-in').hideHelp());
    stub.allowUnknownOption().allowExcessArguments();
    stub.outputHelp = () => {
      throw new StubReached(node.path);
    };
    stub.action(() => {
      throw new StubReached(node.path);
    });
    STAND_INS.add(stub);
  }
}

const STAND_INS = new WeakSet<Command>();

/** Every command that has a stand-in among its subcommands stops before dispatching to it. */
export function guardStandIns(program: Command): void {
  for (const c of [program, ...walk(program)]) {
    if (!c.commands.some((s) => STAND_INS.has(s))) continue;
    c.hook('preSubcommand', (_parent, sub) => {
      if (STAND_INS.has(sub)) throw new StubReached([sub.name()]);
    });
  }
}
