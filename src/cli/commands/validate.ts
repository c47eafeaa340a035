// `runsight validate`: the use case's validation checklist; exit 0 only when no check fails.
import type { Command } from 'commander';
import { GateTrippedError } from '../../core/errors.js';
import type { Check } from '../../views/index.js';
import type { Run } from '../main.js';
import { type Printable, render } from '../output.js';

export function registerValidateCommand(program: Command, run: Run): void {
  program
    .command('validate')
    .description('run the vulnerability-propagation validation checklist (exit 1 when a check fails)')
    .option('--image <ref>', 'the known image carrying the known vulnerability')
    .option('--vulnerability <id>', 'the known vulnerability')
    .option('--fixed-image <ref>', 'the rebuilt image without it')
    .action(
      run(async (ctx, opts: { image?: string; vulnerability?: string; fixedImage?: string }) => {
        const result = await (await ctx.reader()).validate(opts);
        const failed = result.checks.filter((c) => c.status === 'fail');
        const printable: Printable<Check> = {
          json: result,
          rows: result.checks,
          columns: [
            { header: 'check', value: (c) => c.name },
            { header: 'status', value: (c) => c.status },
            { header: 'evidence', value: (c) => c.evidence },
          ],
          footer: [failed.length ? `${failed.length} checks failed` : 'no check failed'],
        };
        if (failed.length) {
          ctx.print(render(ctx.format, printable));
          throw new GateTrippedError(`validation failed: ${failed.map((c) => c.name).join(', ')}`);
        }
        return printable;
      }),
    );
}
