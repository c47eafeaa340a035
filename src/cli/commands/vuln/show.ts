// `runsight vuln show ID`: the advisories behind a vulnerability (by id, alias or upstream CVE),
// their severity and affected ranges, KEV/EPSS, the CVE record's CVSS scores with their sources,
// and the images whose current findings carry it — each with its severity and who decided it.
import type { Command } from 'commander';
import { group, type Run } from '../../main.js';

export function registerVulnShowCommand(program: Command, run: Run): void {
  const vuln = group(program, 'vuln', 'vulnerabilities');
  vuln
    .command('show <id>')
    .description('advisory, aliases, severity, affected ranges and the images a vulnerability affects')
    .action(
      run(async (ctx, id: string) => {
        // An id nothing names is not found (exit 2), locally and through a server alike.
        const detail = await (await ctx.reader()).vulnerability(id);
        const rows = detail.advisories.flatMap((a) =>
          a.affected.map((f) => ({ advisory: `${a.source}/${a.id}`, ...f })),
        );
        type Row = (typeof rows)[number];
        const aliases = [...new Set(detail.advisories.flatMap((a) => [a.id, ...a.aliases, ...a.upstream]))];
        return {
          json: detail,
          rows,
          columns: [
            { header: 'advisory', value: (r: Row) => r.advisory },
            { header: 'ecosystem', value: (r: Row) => r.ecosystem },
            { header: 'package', value: (r: Row) => r.package },
            { header: 'ranges', value: (r: Row) => rangeText(r.ranges) },
            { header: 'severity', value: (r: Row) => r.severity ?? '' },
          ],
          footer: [
            `aliases: ${aliases.filter((a) => a !== id).join(', ') || '(none)'}`,
            `severity: ${
              detail.advisories
                .flatMap((a) =>
                  (a.severity as { type: string; score: string; rating: string }[]).map(
                    (s) => `${s.type} ${s.score} → ${s.rating}`,
                  ),
                )
                .join('; ') || '(none)'
            }`,
            `CVE record: ${
              detail.cveScores
                .map((c) =>
                  c.cvssVersion === 'rating'
                    ? `${c.source} rating ${c.rating} ("${c.vector}")`
                    : `${c.source} CVSS ${c.cvssVersion} ${c.baseScore} ${c.rating} (${c.vector})`,
                )
                .join('; ') || '(no scores)'
            }`,
            `KEV: ${detail.kev ? `yes (added ${detail.kev.dateAdded})` : 'no'}; EPSS: ${detail.epss ? `${detail.epss.score} (percentile ${detail.epss.percentile})` : 'n/a'}`,
            `images affected: ${detail.images.length ? '' : '(none)'}`,
            ...detail.images.map(
              (i) =>
                `  ${i.imageDigest}  ${i.package} ${i.installedVersion} → ${i.fixedVersion ?? '(no fix)'}  ${i.status} ${i.severity} (${i.severitySource ?? i.source})`,
            ),
          ],
        };
      }),
    );
}

function rangeText(ranges: unknown[]): string {
  return (ranges as { type: string; events: Record<string, string>[] }[])
    .map((r) =>
      r.events
        .map((e) =>
          Object.entries(e)
            .map(([k, v]) => `${k} ${v}`)
            .join(''),
        )
        .join(', '),
    )
    .join(' | ');
}
