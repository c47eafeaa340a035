// `runsight container show ID`: one container — how it resolved to its image, its image's counts
// (which are its own: vulnerabilities and findings, docs/cli.md#counts-vulnerabilities-and-findings),
// every finding with fix guidance, its exposure intervals, freshness.

import type { Command } from 'commander';
import type { FixGuidance } from '../../../remediation/index.js';
import { group, type Run } from '../../main.js';
import { countsHeadline, freshnessFooter, summaryDetail } from '../../posture-format.js';

export function registerContainerShowCommand(program: Command, run: Run): void {
  group(program, 'container', 'one running container')
    .command('show <id>')
    .description(
      'a container: its resolved image digest (and how), its posture, its findings with fix guidance',
    )
    .action(
      run(async (ctx, id: string) => {
        const v = await (await ctx.reader()).container(id);
        return {
          json: v,
          rows: v.findings,
          columns: [
            { header: 'vulnerability', value: (f: FixGuidance) => f.vulnerabilityId },
            { header: 'severity', value: (f: FixGuidance) => `${f.severity}${f.kev ? ' KEV' : ''}` },
            { header: 'package', value: (f: FixGuidance) => f.packageName },
            { header: 'installed', value: (f: FixGuidance) => f.installedVersion },
            { header: 'fixed', value: (f: FixGuidance) => f.fixedVersion ?? '' },
            { header: 'advice', value: (f: FixGuidance) => f.advice },
          ],
          footer: [
            `container ${v.id} (${v.containerKind}, ${v.state}) in ${v.cluster ?? '-'}/${v.namespace ?? '-'} ${v.workloadKind ?? ''}/${v.workloadName ?? ''} on ${v.node ?? '?'} (${v.platform ?? 'platform unknown'})`,
            `image ${v.image} → ${v.imageDigest ?? 'UNRESOLVED'} [${v.matchMethod}, ${v.confidence}]: ${v.resolution}`,
            `posture: ${v.summary ? `${countsHeadline(v.summary)} · ${summaryDetail(v.summary)}` : 'not scanned'}; findings source ${v.findingsSource ?? 'none (not scanned)'}${v.baseImage ? `; base image ${v.baseImage.names[0] ?? v.baseImage.digest}` : ''}`,
            `seen ${v.firstSeen} → ${v.lastSeen}${v.removedAt ? `, gone ${v.removedAt}` : ''}; ${v.exposures.length} exposure intervals`,
            ...freshnessFooter(v.freshness),
          ],
        };
      }),
    );
}
