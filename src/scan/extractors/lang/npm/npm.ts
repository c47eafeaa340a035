// lang/npm: installed Node.js packages, from `node_modules/**/package.json` manifests (any depth,
// scoped or not). In an image, what is installed is what counts: lockfiles (`package-lock.json`,
// `node_modules/.package-lock.json`) state what was declared when they were written, and still
// list a package after a later layer deletes it from `node_modules` (a whiteout, an opaque
// directory) — reporting them gave findings for code that is not there. They are not read
// (docs/scan.md "Installed, not declared"); Trivy's image scans do the same (its `node-pkg`
// analyzer). A manifest without a name or version is a private folder, not a package.
import { z } from 'zod';
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

const MANIFEST = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

export const npmExtractor: Extractor = {
  name: 'lang/npm',
  version: 2,
  fileRequired: (f) => f.path.endsWith('/package.json') && MANIFEST.test(f.path),
  async extract(input) {
    return { packages: parsePackageJson((await input.bytes()).toString('utf8'), input.path) };
  },
};

const Manifest = z.object({ name: z.string(), version: z.string() });

export function parsePackageJson(text: string, path: string): ExtractedPackage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedFileError(path, `not JSON: ${(err as Error).message}`);
  }
  const m = Manifest.safeParse(json);
  if (!m.success) return [];
  return [{ kind: 'npm', name: m.data.name, version: m.data.version }];
}
