// `runsight vuln where ID`: CVE-first — every running container and workload affected. An id that
// no advisory or finding names is an input error (exit 2), not an empty answer.
import type { Command } from 'commander';
import { InputError } from '../../../core/errors.js';
import type { VulnWhereRow } from '../../../store/index.js';
import { group, type Run } from '../../main.js';

export function registerVulnWhereCommand(program: Command, run: Run): void {
  group(program, 'vuln', 'vulnerabilities')
    .command('where <id>')
    .description('every running container and workload whose image carries this vulnerability')
    .action(
      run(async (ctx, id: string) => {
        const w = await (await ctx.reader()).vulnerabilityWhere(id);
        if (!w.known)
          throw new InputError(
            `no advisory or finding names "${id}"; check the id (CVE-…, GHSA-…, DSA-…) or load advisories with "runsight db update --source …" and scan or import the images`,
          );
        return {
          json: w,
          rows: w.containers,
          columns: [
            { header: 'cluster', value: (c: VulnWhereRow) => c.cluster },
            { header: 'namespace', value: (c: VulnWhereRow) => c.namespace },
            {
              header: 'workload',
              value: (c: VulnWhereRow) => `${c.workloadKind ?? '-'}/${c.workloadName ?? '-'}`,
            },
            { header: 'container', value: (c: VulnWhereRow) => c.containerId },
            { header: 'image', value: (c: VulnWhereRow) => c.image },
            { header: 'digest', value: (c: VulnWhereRow) => c.imageDigest },
            { header: 'match', value: (c: VulnWhereRow) => c.matchMethod },
            { header: 'severity', value: (c: VulnWhereRow) => `${c.severity}${c.kev ? ' KEV' : ''}` },
            {
              header: 'packages',
              value: (c: VulnWhereRow) =>
                c.packages
                  .map(
                    (p) => `${p.name} ${p.installedVersion}${p.fixedVersion ? ` → ${p.fixedVersion}` : ''}`,
                  )
                  .join(', '),
            },
          ],
          footer: [
            `${id}${w.ids.length && w.ids[0] !== id ? ` (as ${w.ids.join(', ')})` : ''}: ${w.containers.length} running containers in ${w.workloads.length} workloads, ${w.images.length} images`,
          ],
        };
      }),
    );
}
