// `runsight report`: a scope report — `--scope KIND=VALUE` (repeatable; kinds AND, values OR) rolled
// up `--by` a scope kind, as one self-contained HTML file, CSV (a row per group, or per finding
// instance with `--csv-rows finding`, streamed) or JSON — or, with `--image REF`, the per-image
// SARIF / CycloneDX / OpenVEX document. Written to `--output FILE` (a temp file renamed into place)
// or stdout. A read: ad-hoc reports record nothing (docs/reports.md). With --server it asks the API.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import type { ReportParams } from '../../server/client.js';
import type { Run } from '../main.js';
import { checkReportParams, REPORT_BY, writeLocalReport } from '../report-local.js';

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

type Writer = (chunk: string) => void | Promise<void>;

/** Runs `produce` into `file` (through a temp file renamed into place) or into `print`. */
async function output(
  file: string | undefined,
  produce: (write: Writer) => Promise<unknown>,
  print: (text: string) => void,
): Promise<void> {
  if (file === undefined) {
    await produce(print);
    return;
  }
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened.catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`cannot write --output ${file}: ${err.code ?? err.message}`);
    });
    await produce(async (chunk) => {
      if (!stream.write(chunk))
        await new Promise<void>((resolve, reject) => {
          stream.once('drain', resolve);
          stream.once('error', reject);
        });
    });
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    await rename(temp, file);
  } catch (err) {
    stream.destroy();
    await rm(temp, { force: true });
    throw err;
  }
}
