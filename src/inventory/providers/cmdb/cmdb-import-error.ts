// The error of a CMDB file refused as a whole: every bad row (the first 20 shown), and the way out.
import { InputError } from '../../../core/errors.js';
import type { CmdbRowError } from './parse-cmdb.js';

/** A CMDB file with bad rows, refused as a whole (nothing imported). */
export class CmdbImportError extends InputError {
  override readonly name: string = 'CmdbImportError';
  constructor(
    readonly file: string,
    readonly errors: CmdbRowError[],
  ) {
    const shown = errors.slice(0, 20).map((e) => `  line ${e.line}: ${e.reason}`);
    if (errors.length > 20) shown.push(`  … and ${errors.length - 20} more`);
    super(
      `${file}: ${errors.length} bad row${errors.length > 1 ? 's' : ''}; nothing was imported (fix them, or pass --allow-partial to import the good rows):\n${shown.join('\n')}`,
    );
  }
}
