// `runsight posture`: roll-ups by scope with distinct vulnerabilities, findings and instances
// (docs/cli.md#counts-vulnerabilities-and-findings), the prioritised list, coverage and freshness;
// `--fail-on` turns it into a gate (exit 1).
import { type Command, Option } from 'commander';
import { GateTrippedError, UsageError } from '../../core/errors.js';
import { gateTrips, humanAge, POSTURE_BY, type PostureBy, type PostureGroup } from '../../views/index.js';
import type { Run } from '../main.js';
import { type Printable, render } from '../output.js';
import {
  chml,
  countsHeadline,
  freshnessFooter,
  instancesText,
  parseSeverity,
  summaryDetail,
} from '../posture-format.js';

interface PostureOpts {
  by: string;
  severity?: string;
  kev?: boolean;
  fixable?: boolean;
  failOn?: string;
  cluster?: string;
  namespace?: string;
  top?: string;
}

export function registerPostureCommand(program: Command, run: Run): void {
  program
    .command('posture')
    .description(
      'vulnerability posture of running containers, rolled up by scope (distinct vulnerabilities, findings and instances)',
    )
    .addOption(new Option('--by <scope>', 'roll up by').choices([...POSTURE_BY]).default('namespace'))
    .option('--severity <severity>', 'count only vulnerabilities at or above this severity')
    .option('--kev', 'count only vulnerabilities in the CISA KEV catalog')
    .option('--fixable', 'count only vulnerabilities with a fixed version')
    .option('--fail-on <severity>', 'exit 1 when any counted vulnerability is at or above this severity')
    .option('--cluster <name>', 'only containers of this cluster')
    .option('--namespace <name>', 'only containers of this namespace')
    .option('--top <n>', 'length of the prioritised list', '20')
    .action(
      run(async (ctx, opts: PostureOpts) => {
        const failOn = parseSeverity(opts.failOn, '--fail-on');
        const top = Number(opts.top);
        if (!Number.isInteger(top) || top < 1)
          throw new UsageError(`--top expects a positive integer, got "${opts.top}"`);
        const report = await (await ctx.reader()).posture({
          by: opts.by as PostureBy,
          severity: parseSeverity(opts.severity, '--severity'),
          kev: opts.kev,
          fixable: opts.fixable,
          cluster: opts.cluster,
          namespace: opts.namespace,
          top,
        });
        const t = report.totals;
        const gaps = report.coverage.gaps;
        const printable: Printable<PostureGroup> = {
          json: report,
          rows: report.groups,
          columns: [
            { header: report.by, value: (g) => g.key },
            { header: 'containers', value: (g) => g.containers },
            { header: 'vulnerabilities C/H/M/L/U', value: (g) => chml(g.distinctVulnerabilities) },
            { header: 'findings C/H/M/L/U', value: (g) => chml(g.summary.findings) },
            { header: 'instances C/H/M/L/U', value: (g) => chml(g.instances) },
            { header: 'kev d/i', value: (g) => `${g.distinctVulnerabilities.kev}/${g.instances.kev}` },
            {
              header: 'fixable d/i',
              value: (g) => `${g.distinctVulnerabilities.fixable}/${g.instances.fixable}`,
            },
            {
              header: 'gaps',
              value: (g) =>
                g.unresolved || g.unscanned ? `${g.unresolved} unresolved, ${g.unscanned} unscanned` : '',
            },
            {
              header: 'scan age',
              value: (g) =>
                g.oldestScanAt ? humanAge(Math.round((Date.now() - Date.parse(g.oldestScanAt)) / 1000)) : '',
            },
            { header: 'stale', value: (g) => g.stale.join('; ') },
          ],
          footer: [
            `total: ${t.containers} running containers; ${countsHeadline(t.summary)} · ${summaryDetail(t.summary)} · ${instancesText(t.instances)}`,
            `top priorities: ${
              report.priorities
                .slice(0, 5)
                .map(
                  (p) =>
                    `${p.vulnerabilityId} ${p.severity}${p.kev ? ' KEV' : ''}${p.fixable ? ' fixable' : ''} ×${p.containers}`,
                )
                .join(', ') || 'none'
            }`,
            `coverage: ${report.coverage.matchMethods.map((m) => `${m.matchMethod} ${m.containers}`).join(', ') || 'no containers'}; ${gaps.length} gaps${gaps.length ? ' (runsight scan --in-use)' : ''}${report.coverage.tagDrift.length ? `; tag drift: ${report.coverage.tagDrift.map((d) => d.image).join(', ')}` : ''}`,
            `exposure (24h): ${report.exposure.containersSeen} containers seen, ${report.exposure.gone} gone, ${report.exposure.shortLived} lived under an hour`,
            ...freshnessFooter(report.freshness),
            report.limits,
          ],
        };
        if (failOn && gateTrips(report, failOn)) {
          ctx.print(render(ctx.format, printable));
          throw new GateTrippedError(
            `posture gate tripped: running containers carry vulnerabilities at or above ${failOn} (--fail-on ${opts.failOn})`,
          );
        }
        return printable;
      }),
    );
}
