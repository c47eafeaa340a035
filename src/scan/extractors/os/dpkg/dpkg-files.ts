// os/dpkg-files: the files Debian packages own, from dpkg's per-package file lists
// (`var/lib/dpkg/info/<package>[:<arch>].list`, one absolute path per line) and, for distroless
// images that have no lists, the `var/lib/dpkg/status.d/<package>.md5sums` files (`<md5>  <path>`,
// paths relative to the root). Only the paths where a language package could be found are kept
// (extractors/owned-files.ts). Spec: dpkg(1) FILES, deb-md5sums(5).
import type { Extractor } from '../../../types.js';
import { ownedCandidates } from '../../owned-files.js';

const INFO = 'var/lib/dpkg/info/';
const STATUS_D = 'var/lib/dpkg/status.d/';

export const dpkgFilesExtractor: Extractor = {
  name: 'os/dpkg-files',
  version: 1,
  fileRequired: (f) =>
    (f.path.startsWith(INFO) && f.path.endsWith('.list') && !f.path.slice(INFO.length).includes('/')) ||
    (f.path.startsWith(STATUS_D) &&
      f.path.endsWith('.md5sums') &&
      !f.path.slice(STATUS_D.length).includes('/')),
  async extract(input) {
    const lines = (await input.bytes()).toString('utf8').split('\n');
    const paths = input.path.endsWith('.md5sums')
      ? lines.map((l) => l.replace(/^[0-9a-f]{32}\s+/i, ''))
      : lines;
    return { packages: [], ownedFiles: ownedCandidates(paths.filter((p) => p.trim() !== '')) };
  },
};
