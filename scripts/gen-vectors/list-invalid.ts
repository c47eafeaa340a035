// Prints "scheme<TAB>version" for every version named in a vector file that its scheme rejects:
// the candidate content of testdata/versions/invalid.tsv (review it before committing).
// Run: npx tsx scripts/gen-vectors/list-invalid.ts
import { join } from 'node:path';
import { SCHEMES } from '../../src/versioning/ecosystems.js';
import { FILES } from '../../src/versioning/vectors/files.js';
import { readVectors } from '../../src/versioning/vectors/vector-file.js';

const ROOT = join(import.meta.dirname, '../../testdata/versions');
const out = new Set<string>();
for (const [file, ids] of Object.entries(FILES)) {
  for (const id of ids) {
    for (const v of readVectors(join(ROOT, file))) {
      for (const x of [v.a, v.b]) if (!SCHEMES[id]!.isValid(x)) out.add(`${id}\t${x}`);
    }
  }
}
console.log([...out].join('\n'));
