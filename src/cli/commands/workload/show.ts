// `runsight workload show NS/KIND/NAME`: a workload's containers and posture, its rollout check
// (posture before and after its digest changed) and its posture history. Its figures are named as
// everywhere (docs/cli.md#counts-vulnerabilities-and-findings): vulnerabilities (distinct across its
// images), findings (Σ over its distinct images) and instances (container × vulnerability).
import type { Command } from 'commander';
import type { WorkloadView } from '../../../views/index.js';
import { group, type Run } from '../../main.js';
import { chml, countsHeadline, freshnessFooter, instancesText, summaryDetail } from '../../posture-format.js';

type Row = WorkloadView['containers'][number];

export function registerWorkloadShowCommand(program: Command, run: Run): void {
  group(program, 'workload', 'one workload')
    .command('show <workload>')
    .description(
      'a workload (NAMESPACE/KIND/NAME or CLUSTER/NAMESPACE/KIND/NAME): containers, posture, rollout check, history',
    )
    .action(
      run(async (ctx, text: string) => {
        const v = await (await ctx.reader()).workload(text);
        const r = v.rollout;
        return {
          json: v,
          rows: v.containers,
          columns: [
            { header: 'container', value: (c: Row) => c.id },
            { header: 'image digest', value: (c: Row) => c.imageDigest ?? 'UNRESOLVED' },
            { header: 'match', value: (c: Row) => `${c.matchMethod} (${c.confidence})` },
            { header: 'vulnerabilities C/H/M/L/U', value: (c: Row) => chml(c.summary.vulnerabilities) },
            { header: 'findings C/H/M/L/U', value: (c: Row) => chml(c.summary.findings) },
          ],
          footer: [
            `workload ${v.workload}: ${countsHeadline(v.summary)} · ${summaryDetail(v.summary)} · ${instancesText(v.instances)}`,
            r.previous
              ? `rollout: ${r.previous.digests.join(', ')} (${r.previous.evidence}, ${r.previous.at}) ${chml(r.previous.distinct as never)} → ${r.current.digests.join(', ')} ${chml(r.current.distinct as never)}: ${r.improved ? 'IMPROVED' : 'NOT improved'}; fixed ${r.fixed.length}, introduced ${r.introduced.length}`
              : 'rollout: no earlier digest in history',
            `history: ${v.history.length} snapshots`,
            ...freshnessFooter(v.freshness),
          ],
        };
      }),
    );
}
