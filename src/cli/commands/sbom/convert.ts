// `runsight sbom convert FILE --to cyclonedx|spdx [--output FILE]`: a CycloneDX or SPDX JSON SBOM
// rewritten in either format (scan/sbom/convert.ts). It opens no store and reads no advisories.
// The document goes to --output (a temp file renamed into place) or stdout. Components left out are
// named on stderr.
import { type Command, Option } from 'commander';
import { convertSbom, SBOM_FORMATS, type SbomFormat } from '../../../scan/sbom/convert.js';
import { group, type Run, VERSION } from '../../main.js';
import { output } from '../../write-output.js';

export function registerSbomConvertCommand(program: Command, run: Run): void {
  const sbom = group(program, 'sbom', 'SBOMs: convert between CycloneDX and SPDX JSON');
  sbom
    .command('convert')
    .description('rewrite a CycloneDX or SPDX JSON SBOM as CycloneDX 1.6 or SPDX 2.3 JSON (no store)')
    .argument('<file>', 'CycloneDX or SPDX JSON SBOM')
    .addOption(new Option('--to <format>', 'the format to write').choices(SBOM_FORMATS).makeOptionMandatory())
    .option('--output <file>', 'write to this file (default stdout)')
    .action(
      run(async (ctx, file: string, opts: { to: SbomFormat; output?: string }) => {
        const r = await convertSbom(file, opts.to, VERSION);
        await output(
          opts.output,
          async (write) => write(`${JSON.stringify(r.document, null, 2)}\n`),
          ctx.print,
        );
        for (const e of r.errors) ctx.logger.warn('left out of the converted SBOM', { message: e.message });
        return undefined;
      }),
    );
}
