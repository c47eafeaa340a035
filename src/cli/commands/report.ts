// `runsight report`: a scope report — `--scope KIND=VALUE` (repeatable; kinds AND, values OR) rolled
// up `--by` a scope kind, as one self-contained HTML file, CSV (a row per group, or per finding
// instance with `--csv-rows finding`, streamed) or JSON — or, with `--image REF`, the per-image
// SARIF / CycloneDX / OpenVEX document. Written to `--output FILE` (a temp file renamed into place)
// or stdout. A read: ad-hoc reports record nothing (docs/reports.md). With --server it asks the API.
import type { Command } from 'commander';
import type { ReportParams } from '../../server/client.js';
import type { Run } from '../main.js';
import { checkReportParams, REPORT_BY, writeLocalReport } from '../report-local.js';
import { output } from '../write-output.js';

interface ReportOpts {
  scope?: string[];
  by?: string;
  image?: string;
  output?: string;
  csvRows?: string;
  bom?: boolean;
}

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function registerReportCommand(program: Command, run: Run): void {
  program
    .command('report')
    .description(
      'posture report of a scope as HTML, CSV or JSON (global --format html|csv|json), or of one image (--image, --format sarif|cyclonedx|openvex)',
    )
    .option('--scope <kind=value>', 'only containers in this scope (repeatable; e.g. cluster=prod)', repeat)
    .option('--by <kind>', `roll up by: ${REPORT_BY.join(', ')} (default namespace)`)
    .option('--image <ref>', 'the per-image document of this reference or digest instead')
    .option('--output <file>', 'write to this file (default stdout)')
    .option(
      '--csv-rows <rows>',
      'CSV: scope (a row per group, default) or finding (a row per container × vulnerability)',
    )
    .option('--bom', 'CSV: start with a UTF-8 byte order mark (for spreadsheets)')
    .action(
      run(async (ctx, opts: ReportOpts) => {
        const q: ReportParams = {
          scope: opts.scope ?? [],
          by: opts.by,
          format: ctx.format,
          rows: opts.csvRows,
          bom: opts.bom,
          image: opts.image,
        };
        checkReportParams(q);
        if (ctx.server) {
          const r = await (await ctx.reader()).report(q);
          await output(opts.output, async (write) => write(r.body), ctx.print);
          return undefined;
        }
        const store = await ctx.store();
        await output(opts.output, (write) => writeLocalReport(store, ctx, q, write), ctx.print);
        return undefined;
      }),
    );
}
