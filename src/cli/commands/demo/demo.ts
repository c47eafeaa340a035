// `runsight demo`: the whole pipeline on bundled real data (testdata/demo/), in a fresh PGlite store
// under .runsight/demo (or --data-dir), without network: advisories, scan, inventory, posture, a
// patched rebuild rolled out, posture again, and the validation checklist.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openStore, type Store } from '../../../store/index.js';
import type { PostureGroup, PostureReport } from '../../../views/index.js';
import type { CliContext } from '../../context.js';
import type { Run } from '../../main.js';
import { render } from '../../output.js';
import { chml, freshnessFooter } from '../../posture-format.js';
import { runDemoPipeline } from './demo-pipeline.js';

export function registerDemoCommand(program: Command, run: Run): void {
  program
    .command('demo')
    .description('run the pipeline end to end on bundled sample data (embedded PGlite store, no network)')
    .option('--keep', 'keep the demo store from the previous run instead of starting fresh')
    .option(
      '--serve [host:port]',
      'then serve the demo store (API and dashboard) until Ctrl-C, with a viewer token printed to sign in (default 127.0.0.1:8080)',
    )
    .action(
      run(async (ctx, opts: { keep?: boolean; serve?: string | boolean }) => {
        const dir = resolve(program.opts().dataDir ?? '.runsight/demo');
        if (!opts.keep) rmSync(dir, { recursive: true, force: true });
        const store = await openStore({ dataDir: dir });
        const json = ctx.format === 'json';
        const say = (line: string) => (json ? ctx.logger.info(line) : ctx.print(`${line}\n`));
        try {
          say(`Runsight demo — PGlite store at ${dir}\n`);
          const result = await runDemoPipeline(store, say);
          if (json) {
            ctx.print(
              `${JSON.stringify({ store: dir, before: result.before, after: result.after, checks: result.checks }, null, 2)}\n`,
            );
            return undefined;
          }
          ctx.print('\nPosture before the rollout (per container):\n');
          ctx.print(table(result.before));
          ctx.print('\nPosture after the rollout (per container):\n');
          ctx.print(table(result.after));
          ctx.print(`\n${summary('before', result.before)}\n${summary('after ', result.after)}\n`);
          ctx.print(`${freshnessFooter(result.after.freshness).join('\n')}\n\nValidation checklist:\n`);
          ctx.print(
            render('table', {
              json: null,
              rows: result.checks,
              columns: [
                { header: 'check', value: (c) => c.name },
                { header: 'status', value: (c) => c.status },
                { header: 'evidence', value: (c) => c.evidence },
              ],
            }),
          );
          ctx.print(`\n${exploreHint(ctx.env, dir, result.after.groups[0]?.key).join('\n')}\n`);
          if (opts.serve) await serveDemo(ctx, store, opts.serve);
        } finally {
          await store.close();
        }
        return undefined;
      }),
    );
}

/**
 * `demo --serve`: a viewer token for the dashboard (printed once, like `token create`), then the
 * server over the demo store until Ctrl-C — no job system: the demo's inputs do not change.
 */
async function serveDemo(ctx: CliContext, store: Store, listen: string | boolean): Promise<void> {
  const { createToken } = await import('../../../server/auth/index.js');
  const { serveUntilStopped } = await import('../serve.js');
  const token = await createToken(store, {
    name: `demo-dashboard-${Date.now().toString(36)}`,
    role: 'viewer',
    scopes: [],
    expiresIn: '1d',
  });
  ctx.print(
    `\nDashboard: open the URL below, sign in at /login with this viewer token (valid 1 day, shown once):\n  ${token.token}\n`,
  );
  await serveUntilStopped(ctx, store, {
    listen: typeof listen === 'string' ? listen : undefined,
    jobs: false,
  });
}

/**
 * The closing hint: commands to look around the demo store, one per line, each runnable as printed
 * where the demo ran — `npm run runsight --` in a clone (the CLI runs from source, nothing is built
 * or on PATH), `npx [--package SPEC] runsight` under npx, `runsight` when the package is installed.
 */
export function exploreHint(env: NodeJS.ProcessEnv, dir: string, containerId: string | undefined): string[] {
  const cli = `${runsightCommand(env)} --data-dir ${shellWord(dir)}`;
  return [
    'Explore it:',
    ...[
      'posture --by workload',
      'containers',
      'vuln where CVE-2025-26519',
      'workload show shop/Deployment/shop-api',
      `container show ${containerId ? shellWord(containerId) : '<id from containers>'}`,
    ].map((args) => `  ${cli} ${args}`),
  ];
}

/** How the user runs the CLI here: from source in a clone, through npx, or installed. */
export function runsightCommand(env: NodeJS.ProcessEnv, moduleUrl: string = import.meta.url): string {
  if (moduleUrl.endsWith('.ts')) return 'npm run runsight --';
  if (env.npm_command === 'exec') {
    // `npx --package ./runsight-0.1.0.tgz runsight demo`: the same package, not the registry's.
    const pkg = env.npm_config_package;
    return pkg && !pkg.includes('\n') ? `npx --package ${shellWord(pkg)} runsight` : 'npx runsight';
  }
  return 'runsight';
}

/** `s` as one POSIX shell word: as is when it holds only safe characters, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function table(r: PostureReport): string {
  return render('table', {
    json: null,
    rows: r.groups,
    columns: [
      { header: 'container', value: (g: PostureGroup) => g.key },
      {
        header: 'image digest',
        value: (g: PostureGroup) => (g.labels.image_digest ?? 'UNRESOLVED').slice(0, 19),
      },
      { header: 'match', value: (g: PostureGroup) => `${g.labels.match_method} (${g.labels.confidence})` },
      { header: 'C/H/M/L/U', value: (g: PostureGroup) => chml(g.distinctVulnerabilities) },
    ],
  });
}

function summary(label: string, r: PostureReport): string {
  const t = r.totals;
  return `${label}: ${t.containers} running containers; distinct vulnerabilities C/H/M/L/U ${chml(t.distinctVulnerabilities)}; instances (container × vulnerability) ${chml(t.instances)} = ${t.instances.total}`;
}
